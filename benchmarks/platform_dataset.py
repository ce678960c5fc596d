"""The platform side of the benchmark data set, consistent with the CRM rows in dataset.py.

Every CRM contact is a platform user (`u<i>`), every CRM property and enquiry has its platform row
(ids 1..n), so the CRM side looks like a sync that has caught up. Platform facts kept: epoch-second
user timestamps, ISO text elsewhere, REAL money.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from benchmarks.dataset import EPOCH, HOUSES, OCCASIONS, PLACES, TIER_PRICE, DataSet, iso

USER_COLS = ("id", "name", "email", "email_verified", "created_at", "updated_at", "role", "phone",
             "company_name", "plan_id", "payment_status")
PACK_COLS = ("id", "name", "annual_price", "monthly_price", "features", "display_order", "created_at",
             "updated_at")
PROPERTY_COLS = ("id", "owner_id", "title", "slug", "location", "city", "region", "sleeps_min", "sleeps_max",
                 "bedrooms", "bathrooms", "price_from_midweek", "price_from_weekend", "description",
                 "hero_image", "membership_pack_id", "payment_frequency", "status", "created_at", "updated_at",
                 "view_count", "enquiry_count")
ENQUIRY_COLS = ("id", "first_name", "last_name", "email", "phone", "subject", "message", "enquiry_type",
                "property_id", "check_in_date", "number_of_guests", "occasion", "budget", "status",
                "created_at", "updated_at")
SUBSCRIPTION_COLS = ("id", "property_id", "membership_pack_id", "payment_frequency", "base_price", "vat_amount",
                     "total_price", "start_date", "end_date", "status", "created_at", "updated_at")
BOOKING_COLS = ("id", "property_name", "property_location", "guest_name", "guest_email", "guest_phone",
                "check_in_date", "check_out_date", "number_of_guests", "booking_status", "total_price",
                "created_at", "updated_at")
T0 = int(EPOCH.timestamp())


def users(ds: DataSet) -> Iterator[tuple]:
    owners = ds.n.owners
    for i in range(ds.n.contacts):
        first, last, email, phone = ds.person(i)
        owner = i < owners
        t = T0 + (i * 97) % (4 * 365 * 86400)
        yield (f"u{i}", f"{first} {last}", email, 1, t, t, "owner" if owner else "guest", phone,
               f"{last} {HOUSES[i % len(HOUSES)]}" if owner else None, None, "active" if owner else None)
    for a in range(3):
        yield (f"admin{a}", f"Staff Member {a}", f"staff{a}@partyhouses.example", 1, T0, T0, "admin", None,
               None, None, None)


def packs() -> Iterator[tuple]:
    for order, (tier, price) in enumerate(TIER_PRICE.items()):
        yield (tier, tier.title(), float(price), round(price / 11.25), "[]", order, iso(EPOCH), iso(EPOCH))


def properties(ds: DataSet) -> Iterator[tuple]:
    for p in range(ds.n.properties):
        o = ds.property_owner(p)
        t = iso(EPOCH + timedelta(hours=p % 30000))
        title = f"Platform {HOUSES[p % len(HOUSES)]} {p + 1}"
        yield (p + 1, f"u{o}", title, f"house-{p + 1}", PLACES[p % len(PLACES)], PLACES[p % len(PLACES)],
               "England", 4, 8 + p % 30, 3 + p % 12, 1 + p % 7, 150.0 + p % 2000, 200.0 + p % 2000,
               "A big house for groups.", f"/img/{p + 1}.jpg", ds.property_tier(p), "annual", "live", t, t,
               p % 20000, 20)


def enquiries(ds: DataSet) -> Iterator[tuple]:
    for e in range(ds.n.enquiries):
        p = ds.enquiry_property(e)
        first, last, email, phone = ds.person(ds.enquiry_guest(e))
        t = EPOCH + timedelta(seconds=(e * 61) % (4 * 365 * 86400))
        yield (e + 1, first, last, email.upper() if e % 50 == 0 else email, phone, "Group stay",
               "Hello, is the house free for our group?", "general" if p is None else "property",
               None if p is None else p + 1, (t + timedelta(days=90)).strftime("%Y-%m-%d"), 6 + e % 24,
               OCCASIONS[e % len(OCCASIONS)], 500.0 + e % 8000, "new", iso(t), iso(t))


def subscriptions(ds: DataSet) -> Iterator[tuple]:
    for p in range(ds.n.properties):
        tier = ds.property_tier(p)
        start = EPOCH + timedelta(days=p % 1400)
        price = float(TIER_PRICE[tier])
        yield (p + 1, p + 1, tier, "annual", price, price * 0.2, price * 1.2, start.strftime("%Y-%m-%d"),
               (start + timedelta(days=365)).strftime("%Y-%m-%d"), "active", iso(start), iso(start))


def bookings(ds: DataSet) -> Iterator[tuple]:
    """A booking for one property enquiry in twenty (matched by property title and guest email)."""
    b = 0
    for e in range(0, ds.n.enquiries, 20):
        p = ds.enquiry_property(e)
        if p is None:
            continue
        first, last, email, phone = ds.person(ds.enquiry_guest(e))
        t = EPOCH + timedelta(seconds=(e * 61) % (4 * 365 * 86400))
        b += 1
        yield (b, f"Platform {HOUSES[p % len(HOUSES)]} {p + 1}", PLACES[p % len(PLACES)], f"{first} {last}",
               email, phone, (t + timedelta(days=90)).strftime("%Y-%m-%d"),
               (t + timedelta(days=93)).strftime("%Y-%m-%d"), 12, "confirmed", 2400.0, iso(t), iso(t))
