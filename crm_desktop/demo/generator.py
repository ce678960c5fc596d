"""A realistic demo platform database: owners, properties, guests, enquiries, bookings, subscriptions
and payments over the two years before today, with the platform's messy bits (mixed-case emails with
spaces, naive timestamps, one-word and five-word names, general enquiries, cancelled bookings, legacy
'customer' roles, tiers in any case, properties without an owner). Deterministic for a given seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select, text

from crm_desktop.demo.words import (
    COMPANIES,
    FIRST_NAMES,
    HOUSE_ADJECTIVES,
    HOUSE_WORDS,
    LAST_NAMES,
    OCCASIONS,
    PLACES,
    PROPERTY_TYPES,
)
from crm_desktop.sync.platform_tables import create_platform_schema

PACKS = {"bronze": (450, 40), "silver": (650, 57), "gold": (850, 75)}


@dataclass(frozen=True)
class DemoCounts:
    owners: int
    guests: int
    properties: int
    enquiries: int
    bookings: int
    subscriptions: int
    payments: int


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class _Gen:
    def __init__(self, seed: int, today: date) -> None:
        self.r = random.Random(seed)
        self.end = datetime(today.year, today.month, today.day, 8, 0, tzinfo=UTC)
        self.start = self.end - timedelta(days=730)

    def when(self, after: datetime | None = None, before: datetime | None = None) -> datetime:
        lo, hi = after or self.start, before or self.end
        span = max(1, int((hi - lo).total_seconds()))
        return lo + timedelta(seconds=self.r.randrange(span), milliseconds=self.r.randrange(1000))

    def stamp(self, dt: datetime) -> str:
        """ISO with 'Z' as the web app writes it; older rows (about 1 in 12) naive, meaning UTC."""
        if self.r.random() < 0.08:
            return dt.strftime("%Y-%m-%d %H:%M:%S")
        return _iso(dt)

    def messy_email(self, email: str) -> str:
        roll = self.r.random()
        if roll < 0.08:
            return email.upper()
        if roll < 0.16:
            return email.capitalize()
        if roll < 0.20:
            return f"  {email} "
        return email

    def person(self) -> tuple[str, str]:
        first, last = self.r.choice(FIRST_NAMES), self.r.choice(LAST_NAMES)
        roll = self.r.random()
        if roll < 0.03:
            return first, ""
        if roll < 0.08:
            return f"{first} {self.r.choice(FIRST_NAMES)}", f"{self.r.choice(('de la', 'van der', 'St'))} {last}"
        return first, last

    def phone(self) -> str:
        return f"07{self.r.randrange(100, 999)} {self.r.randrange(100000, 999999)}"


def generate_platform(engine: Engine, *, owners: int = 300, seed: int = 7, today: date | None = None,
                      guests_per_owner: float = 8.0, enquiries_per_property: float = 9.0) -> DemoCounts:
    """Create the platform tables (if missing) and fill them. The tables must be empty."""
    create_platform_schema(engine)
    g = _Gen(seed, today or datetime.now(UTC).date())
    r = g.r
    users: list[dict] = []
    used_emails: set[str] = set()

    def email_for(first: str, last: str, domain: str) -> str:
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "") or first.lower()
        email, n = f"{base}@{domain}", 1
        while email in used_emails:
            n += 1
            email = f"{base}{n}@{domain}"
        used_emails.add(email)
        return email

    def add_user(role: str, created: datetime, first: str, last: str, **extra) -> dict:
        domain = r.choice(("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "icloud.com", "sky.com"))
        name = f"{first} {last}".strip()
        created_s = int(created.timestamp())
        row = {
            "id": f"usr_{len(users) + 1:06d}", "name": name, "email": g.messy_email(email_for(first, last or "x", domain)),
            "email_verified": 1, "created_at": created_s, "updated_at": created_s + r.randrange(0, 86400 * 30),
            "role": role, "phone": g.phone() if r.random() < 0.7 else None, "company_name": None,
            "property_website": None, "plan_id": None, "payment_status": "pending", **extra,
        }
        row["updated_at"] = min(row["updated_at"], int(g.end.timestamp()))
        users.append(row)
        return row

    owner_rows = []
    for _ in range(owners):
        first, last = g.person()
        row = add_user("owner", g.when(before=g.end - timedelta(days=60)), first, last,
                       company_name=f"{last or first} {r.choice(COMPANIES)}" if r.random() < 0.35 else None)
        owner_rows.append(row)
    for i in range(3):
        add_user("admin", g.start, ("Hannah", "Marcus", "Priya")[i], ("Office", "Bookings", "Support")[i])
    guest_rows = []
    for _ in range(int(owners * guests_per_owner)):
        first, last = g.person()
        guest_rows.append(add_user("customer" if r.random() < 0.15 else "guest", g.when(), first, last))

    packs = [{"id": k, "name": k.title(), "description": f"{k.title()} membership", "annual_price": a,
              "monthly_price": m, "vat_rate": 20.0, "features": "[]", "minimum_commitment_months": 12,
              "display_order": i, "is_active": 1, "created_at": _iso(g.start), "updated_at": _iso(g.start)}
             for i, (k, (a, m)) in enumerate(PACKS.items())]

    properties: list[dict] = []
    used_titles: set[str] = set()
    for owner in owner_rows + [None, None]:
        for _ in range(1 if owner is None else r.choice((1, 1, 1, 2, 2, 3))):
            town, county, region = r.choice(PLACES)
            title = f"The {r.choice(HOUSE_ADJECTIVES)} {r.choice(HOUSE_WORDS)}"
            if title in used_titles:
                title = f"{title}, {town}"
            if title in used_titles:
                continue
            used_titles.add(title)
            created = g.when(after=datetime.fromtimestamp(owner["created_at"], UTC) if owner else None,
                             before=g.end - timedelta(days=30))
            status = r.choices(("live", "draft", "pending_approval", "paused", "expired", "rejected"),
                               (70, 6, 5, 7, 8, 4))[0]
            tier = r.choice(("bronze", "silver", "gold")) if status in ("live", "paused", "expired") else None
            sleeps = r.randrange(8, 40)
            updated = g.when(after=created)
            properties.append({
                "id": len(properties) + 1, "owner_id": owner["id"] if owner else None, "title": title,
                "slug": f"{title.lower().replace(' ', '-').replace(',', '')}-{len(properties) + 1}",
                "property_type": r.choice(PROPERTY_TYPES), "location": f"{town}, {county}", "city": town,
                "county": county, "postcode": None, "country": "United Kingdom", "region": region,
                "sleeps_min": max(2, sleeps // 3), "sleeps_max": sleeps, "bedrooms": max(2, sleeps // 2),
                "bathrooms": max(1, sleeps // 4), "price_from_midweek": round(r.uniform(350, 2500), 2),
                "price_from_weekend": round(r.uniform(600, 4000), 2), "description": f"A {title} for groups.",
                "hero_image": "/img/hero.jpg",
                "membership_pack_id": (tier.upper() if tier and r.random() < 0.1 else
                                       tier.title() if tier and r.random() < 0.1 else tier),
                "payment_frequency": r.choice(("annual", "monthly")) if tier else None, "status": status,
                "payment_status": "paid" if tier else "unpaid", "created_at": g.stamp(created),
                "updated_at": g.stamp(updated),
                "published_at": _iso(created + timedelta(days=3)) if status in ("live", "paused", "expired") else None,
                "expired_at": _iso(updated) if status == "expired" else None,
                "rejection_reason": "Photos do not match the listing" if status == "rejected" else None,
                "view_count": r.randrange(0, 20000), "enquiry_count": 0,
                "stripe_customer_id": f"cus_demo{owner['id'][-6:]}" if owner and tier else None,
            })

    enquiries: list[dict] = []
    bookings: list[dict] = []
    listed = [p for p in properties if p["status"] in ("live", "paused", "expired")]
    n_enquiries = int(len(listed) * enquiries_per_property)
    for _ in range(n_enquiries):
        guest = r.choice(guest_rows)
        first, _, last = guest["name"].partition(" ")
        prop = r.choice(listed) if r.random() < 0.85 else None
        created = g.when(after=g.start + timedelta(days=10))
        event = created.date() + timedelta(days=r.randrange(14, 300))
        guests_n = r.randrange(6, (prop["sleeps_max"] if prop else 30) + 1)
        occasion = r.choice(OCCASIONS)
        enquiry = {
            "id": len(enquiries) + 1, "first_name": first, "last_name": last, "email": g.messy_email(
                guest["email"].strip().lower()), "phone": guest["phone"],
            "subject": f"{(occasion or 'Group stay').title()} at {prop['title']}" if prop else "General enquiry",
            "message": f"Hello, we are {guests_n} people looking for somewhere for a {occasion or 'get-together'} "
                       f"around {event:%d %B %Y}. Is it available?",
            "enquiry_type": "property" if prop else "general", "source": r.choice(("website", "website", "form")),
            "status": "new", "priority": r.choice(("low", "medium", "medium", "high")),
            "property_id": prop["id"] if prop else None, "check_in_date": event.isoformat(),
            "check_out_date": (event + timedelta(days=r.choice((2, 3, 7)))).isoformat(),
            "number_of_guests": guests_n, "occasion": occasion,
            "budget": round(r.uniform(800, 9000), 2) if r.random() < 0.7 else None,
            "created_at": g.stamp(created), "updated_at": g.stamp(g.when(after=created, before=min(
                g.end, created + timedelta(days=3)))),
        }
        enquiries.append(enquiry)
        if prop and r.random() < 0.3:
            booked = g.when(after=created, before=min(g.end, created + timedelta(days=40)))
            status = r.choices(("confirmed", "completed", "cancelled", "pending"), (45, 35, 12, 8))[0]
            title = prop["title"]
            if r.random() < 0.15:
                title = f" {title.upper()} " if r.random() < 0.5 else title.replace(" ", "  ")
            bookings.append({
                "id": len(bookings) + 1, "property_name": title, "property_location": prop["location"],
                "guest_name": guest["name"], "guest_email": g.messy_email(guest["email"].strip().lower()),
                "guest_phone": guest["phone"] or "07000 000000", "check_in_date": event.isoformat(),
                "check_out_date": enquiry["check_out_date"], "number_of_guests": guests_n, "occasion": occasion,
                "booking_status": status, "total_price": round(prop["price_from_weekend"] * r.choice((1, 2, 3)), 2),
                "deposit_amount": None, "deposit_paid": 1, "balance_amount": None, "balance_paid": 0,
                "created_at": g.stamp(booked), "updated_at": g.stamp(g.when(after=booked)),
            })

    subscriptions: list[dict] = []
    payments: list[dict] = []
    for prop in properties:
        tier = (prop["membership_pack_id"] or "").lower()
        if not tier:
            continue
        cycle = prop["payment_frequency"]
        annual, monthly = PACKS[tier]
        start = datetime.fromisoformat(prop["published_at"].replace("Z", "+00:00"))
        while start < g.end:
            end = start + timedelta(days=365)
            current = end > g.end
            status = ("active" if prop["status"] != "expired" else "expired") if current else "expired"
            if current and r.random() < 0.08:
                status = "cancelled"
            base = annual if cycle == "annual" else monthly * 12
            stripe_sub = f"sub_demo{len(subscriptions) + 1:05d}" if r.random() < 0.6 else None
            sub = {
                "id": len(subscriptions) + 1, "property_id": prop["id"], "membership_pack_id": tier,
                "payment_frequency": cycle, "base_price": base, "vat_amount": round(base * 0.2, 2),
                "total_price": round(base * 1.2, 2), "start_date": _iso(start), "end_date": _iso(end),
                "status": status, "stripe_subscription_id": stripe_sub, "stripe_payment_intent_id": None,
                "auto_renew": 0 if status == "cancelled" else 1,
                "cancelled_at": _iso(g.when(after=start)) if status == "cancelled" else None,
                "cancellation_reason": "Selling the property" if status == "cancelled" else None,
                "created_at": g.stamp(start), "updated_at": g.stamp(min(g.end, start + timedelta(days=1))),
            }
            subscriptions.append(sub)
            due = [start] if cycle == "annual" else [start + timedelta(days=30 * k) for k in range(12)]
            for when in due:
                if when > g.end:
                    break
                failed = r.random() < 0.05
                payments.append({
                    "id": len(payments) + 1, "user_id": prop["owner_id"] or owner_rows[0]["id"],
                    "property_id": prop["id"], "property_subscription_id": sub["id"],
                    "amount": round((annual if cycle == "annual" else monthly) * 1.2, 2), "currency": "GBP",
                    "payment_status": "failed" if failed else "succeeded", "stripe_subscription_id": stripe_sub,
                    "stripe_customer_id": prop["stripe_customer_id"], "billing_reason": "property_membership",
                    "failure_message": "Your card was declined." if failed else None, "processed_at": _iso(when),
                    "created_at": g.stamp(when), "updated_at": g.stamp(when),
                })
            start = end

    tables = (("user", users), ("membership_packs", packs), ("properties", properties),
              ("property_subscriptions", subscriptions), ("payments", payments), ("enquiries", enquiries),
              ("bookings", bookings))
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(engine, only=[t for t, _ in tables])
    sqlite = engine.dialect.name == "sqlite"
    if not sqlite:  # PostgreSQL enforces the packs foreign key; the any-case tiers are a SQLite platform's
        for prop in properties:
            prop["membership_pack_id"] = (prop["membership_pack_id"] or "").lower() or None
    with engine.connect() as conn:
        if sqlite:  # like the platform's own SQLite, which does not enforce foreign keys
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if conn.execute(select(func.count()).select_from(meta.tables["user"])).scalar():
                    raise ValueError("the platform tables already have data")
                have = set(conn.execute(select(meta.tables["membership_packs"].c.id)).scalars())
                packs[:] = [p for p in packs if p["id"] not in have]
                for name, rows in tables:
                    if rows:
                        conn.execute(insert(meta.tables[name]), rows)
                if not sqlite:
                    for name, _rows in tables:
                        if name not in ("user", "membership_packs"):
                            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                              f"GREATEST((SELECT MAX(id) FROM {name}), 1))"))
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    return DemoCounts(owners=len(owner_rows), guests=len(guest_rows), properties=len(properties),
                      enquiries=len(enquiries), bookings=len(bookings), subscriptions=len(subscriptions),
                      payments=len(payments))
