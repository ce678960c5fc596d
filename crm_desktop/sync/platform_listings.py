"""Platform `properties` rows → crm_properties (keyed by propertyId). A property whose owner is NULL or
not synced yet is kept with platformOwnerId and linked when the owner arrives; enquiries that arrived
before their property are attached to it here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from crm_desktop.db.models import LISTING_STATUSES, TIERS, Enquiry, Property
from crm_desktop.services.validation import amount, choice, clean_text, timestamp, whole_number
from crm_desktop.sync.linking import link_pending
from crm_desktop.sync.platform_writer import RowRejected, Writer, as_dict, field


def load_properties(w: Writer, platform_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    tbl = Property.__table__
    found: dict[str, dict[str, Any]] = {}
    ids = sorted(set(platform_ids))
    for i in range(0, len(ids), 500):
        for row in w.session.execute(select(tbl).where(tbl.c.propertyId.in_(ids[i:i + 500]))):
            found[row.propertyId] = as_dict(row)
    return found


def prefetch(w: Writer, rows: Sequence[Mapping[str, Any]]) -> None:
    pids = [str(r["id"]) for r in rows]
    w.cache = load_properties(w, pids)
    waiting: set[str] = set()
    for i in range(0, len(pids), 500):
        waiting.update(w.session.scalars(select(Enquiry.platformPropertyId).where(
            Enquiry.propertyId.is_(None), Enquiry.platformPropertyId.in_(pids[i:i + 500]))).all())
    w.extra["waiting"] = waiting
    w.load_contacts(user_ids=[str(r["owner_id"]) for r in rows if r["owner_id"] is not None])


def desired_fields(w: Writer, row: Mapping[str, Any]) -> dict[str, Any]:
    status = field("status", choice, row["status"], LISTING_STATUSES, required=True)
    tier = field("membership_pack_id", choice, row["membership_pack_id"], TIERS)
    owner_platform_id = field("owner_id", clean_text, row["owner_id"])
    owner = w.contacts_by_user.get(owner_platform_id) if owner_platform_id else None
    created = field("created_at", timestamp, row["created_at"])
    if created is None:
        raise RowRejected("created_at is missing")
    return {
        "title": field("title", clean_text, row["title"], required=True),
        "location": field("location", clean_text, row["location"]) or field("city", clean_text, row["city"]),
        "bedrooms": field("bedrooms", whole_number, row["bedrooms"]),
        "bathrooms": field("bathrooms", whole_number, row["bathrooms"]),
        "maxGuests": field("sleeps_max", whole_number, row["sleeps_max"]),
        "pricePerNight": field("price_from_midweek", amount, row["price_from_midweek"]),
        "listingStatus": status,
        "membershipTier": tier,
        "viewCount": field("view_count", whole_number, row["view_count"], maximum=2_000_000_000) or 0,
        "createdAt": created,
        "publishedAt": field("published_at", timestamp, row["published_at"]),
        "expiresAt": field("expired_at", timestamp, row["expired_at"])
        or field("next_payment_date", timestamp, row["next_payment_date"]),
        "rejectionReason": field("rejection_reason", clean_text, row["rejection_reason"], long=True),
        "platformOwnerId": owner_platform_id,
        "ownerId": owner["id"] if owner is not None and owner["type"] == "owner" else None,
    }


def apply(w: Writer, row: Mapping[str, Any]) -> str:
    pid = str(row["id"])
    desired = desired_fields(w, row)
    reason = f"platform sync: property {pid}"
    cache = w.cache
    current = cache.get(pid)
    if current is None:
        current = w.insert(Property, {**desired, "propertyId": pid, "updatedAt": w.now, "viewCount": desired["viewCount"],
                                      "enquiryCount": 0, "bookingCount": 0, "totalRevenue": 0, "version": 1},
                           entity="property", reason=reason)
        cache[pid] = current
        outcome = "created"
        old_owner = None
    else:
        old_owner = current.get("ownerId")
        outcome = "updated" if w.update(Property, current, desired, entity="property", reason=reason) else "unchanged"
    _attach_enquiries(w, current, old_owner, reason, created=outcome == "created")
    return outcome


def _attach_enquiries(w: Writer, prop: dict[str, Any], old_owner: str | None, reason: str, *,
                      created: bool) -> None:
    """Enquiries that named this property before it was synced, and owner changes, follow the property."""
    tbl = Enquiry.__table__
    if prop["propertyId"] in w.extra["waiting"]:
        w.flush()
        _link_waiting(w, prop, reason)
    if created or prop["ownerId"] == old_owner:
        return
    if prop["ownerId"] is not None:
        w.flush()
        owner = w.contacts_by_user.get(prop["platformOwnerId"])
        if owner is not None:
            link_pending(w.session, owner)
    if old_owner is not None:
        moved = select(tbl).where(tbl.c.propertyId == prop["id"], tbl.c.ownerId == old_owner)
        for row in w.session.execute(moved).all():
            w.update(Enquiry, as_dict(row), {"ownerId": prop["ownerId"]}, entity="enquiry", reason=reason,
                     touch="lastUpdatedAt")


def _link_waiting(w: Writer, prop: dict[str, Any], reason: str) -> None:
    tbl = Enquiry.__table__
    waiting = select(tbl).where(tbl.c.platformPropertyId == prop["propertyId"], tbl.c.propertyId.is_(None))
    for row in w.session.execute(waiting).all():
        w.update(Enquiry, as_dict(row), {"propertyId": prop["id"], "ownerId": prop["ownerId"]},
                 entity="enquiry", reason=reason, touch="lastUpdatedAt")
        w.touched_properties.add(prop["id"])
