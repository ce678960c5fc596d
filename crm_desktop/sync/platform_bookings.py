"""Platform `bookings` rows → the crm_platform_bookings ledger (what a property's bookingCount and
totalRevenue count), the guest contact, and, for a confirmed or completed booking, its enquiry booked.

A booking names its property by title (matched case- and space-insensitively, the location breaking
ties) and its enquiry by guest email and property. The ledger keeps the exact effect on the enquiry
(fields set, values before), so a cancellation restores those fields, except any staff changed since."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crm_desktop.db.base import money
from crm_desktop.db.models import CLOSED_ENQUIRY_STATUSES, Enquiry, Interaction, PlatformBooking, Property
from crm_desktop.services.validation import amount, choice, clean_text, timestamp
from crm_desktop.sync.platform_people import split_name
from crm_desktop.sync.platform_writer import (
    COUNTED_BOOKING_STATUSES,
    RowRejected,
    Writer,
    as_dict,
    email_of,
    field,
)

BOOKING_STATUSES = ("pending", "confirmed", "cancelled", "completed")
EFFECT_FIELDS = ("status", "convertedToBooking", "bookingValue", "platformBookingId", "closedAt", "firstResponseAt")


def norm_title(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def prefetch(w: Writer, rows: Sequence[Mapping[str, Any]]) -> None:
    ids = [str(r["id"]) for r in rows]
    tbl = PlatformBooking.__table__
    w.cache = {}
    for i in range(0, len(ids), 500):
        for row in w.session.execute(select(tbl).where(tbl.c.platformBookingId.in_(ids[i:i + 500]))):
            w.cache[row.platformBookingId] = as_dict(row)
    titles: dict[str, list[dict[str, Any]]] = {}
    for row in w.session.execute(select(Property.id, Property.title, Property.location)):
        titles.setdefault(norm_title(row.title), []).append(as_dict(row))
    w.extra["titles"] = titles
    emails = []
    for r in rows:
        try:
            emails.append(email_of(r["guest_email"], "guest_email"))
        except RowRejected:
            pass
    w.load_contacts(emails=emails)
    # The guests' enquiries, kept in step by Writer.update, so each booking needs no query of its own.
    by_id: dict[str, dict[str, Any]] = {}
    by_email: dict[str, list[dict[str, Any]]] = {}
    etbl = Enquiry.__table__
    unique = sorted(set(emails))
    for i in range(0, len(unique), 500):
        for row in w.session.execute(select(etbl).where(etbl.c.guestEmail.in_(unique[i:i + 500]))):
            enq = as_dict(row)
            by_id[enq["id"]] = enq
            by_email.setdefault(enq["guestEmail"], []).append(enq)
    w.extra["enquiries_by_id"], w.extra["enquiries_by_email"] = by_id, by_email


def match_property(w: Writer, title: str, location: Any) -> dict[str, Any]:
    candidates = w.extra["titles"].get(norm_title(title), [])
    if len(candidates) > 1 and location:
        narrowed = [c for c in candidates if norm_title(c["location"]) == norm_title(location)]
        candidates = narrowed or candidates
    if not candidates:
        raise RowRejected(f"no property titled '{title}' in the CRM (yet)")
    if len(candidates) > 1:
        raise RowRejected(f"{len(candidates)} properties are titled '{title}'; cannot tell which was booked")
    return candidates[0]


def _enquiry(w: Writer, email: str, property_id: str, booking_id: str) -> dict[str, Any] | None:
    """The booking's enquiry: the one it already converted, else the guest's latest open one there."""
    mine = [e for e in w.extra["enquiries_by_email"].get(email, []) if e["propertyId"] == property_id]
    linked = [e for e in mine if e["platformBookingId"] == booking_id]
    if linked:
        return linked[0]
    open_ones = sorted((e for e in mine if e["platformBookingId"] is None), key=lambda e: e["id"])
    return max(open_ones, key=lambda e: e["createdAt"], default=None)


def _enquiry_by_id(w: Writer, enquiry_id: str) -> dict[str, Any] | None:
    cached = w.extra["enquiries_by_id"].get(enquiry_id)
    if cached is not None:
        return cached
    tbl = Enquiry.__table__
    row = w.session.execute(select(tbl).where(tbl.c.id == enquiry_id)).first()
    if row is None:
        return None
    enq = as_dict(row)
    w.extra["enquiries_by_id"][enquiry_id] = enq
    return enq


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def _same(key: str, a: Any, b: Any) -> bool:
    if key == "bookingValue":
        return money(a) == money(b)
    return a == b


def _status_note(w: Writer, enq: dict[str, Any], old: str, new: str, key: str, reason: str) -> None:
    w.insert(Interaction, {
        "contactId": enq["contactId"], "relatedEnquiryId": enq["id"], "relatedPropertyId": enq.get("propertyId"),
        "type": "status_change", "subject": f"Enquiry {old} → {new}", "content": reason, "direction": "internal",
        "initiatedBy": "system", "createdAt": w.now, "performedBy": "system", "externalKey": key,
    }, entity=None, reason=reason)


def _apply_effect(w: Writer, enq: dict[str, Any], bid: str, value: Decimal | None, at: str, key: str) -> dict:
    before = {k: enq.get(k) for k in EFFECT_FIELDS}
    after = {
        "status": "booked", "convertedToBooking": True, "bookingValue": value, "platformBookingId": bid,
        "closedAt": before["closedAt"] if before["status"] in CLOSED_ENQUIRY_STATUSES and before["closedAt"] else at,
        "firstResponseAt": before["firstResponseAt"] or at,
    }
    reason = f"platform sync: booking {bid} confirmed"
    changed = w.update(Enquiry, enq, after, entity="enquiry", reason=reason, touch="lastUpdatedAt",
                       action="status_changed" if before["status"] != "booked" else "updated")
    if "status" in changed:
        _status_note(w, enq, before["status"], "booked", f"{key}:booked", reason)
    return {"enquiryId": enq["id"], "before": _jsonable({k: before[k] for k in changed}),
            "after": _jsonable({k: after[k] for k in changed})}


def _undo_effect(w: Writer, effect: dict[str, Any], bid: str, why: str, key: str) -> None:
    enq = _enquiry_by_id(w, effect["enquiryId"])
    if enq is None:
        return
    # Restore only what still holds the booking's value: a later staff edit wins.
    restore = {k: effect["before"][k] for k, v in effect["after"].items() if _same(k, enq.get(k), v)}
    if "bookingValue" in restore:
        restore["bookingValue"] = money(restore["bookingValue"])
    reason = f"platform sync: booking {bid} {why}"
    changed = w.update(Enquiry, enq, restore, entity="enquiry", reason=reason, touch="lastUpdatedAt",
                       action="status_changed" if "status" in restore else "updated")
    if "status" in changed:
        _status_note(w, enq, "booked", enq["status"], f"{key}:undone", reason)


def apply(w: Writer, row: Mapping[str, Any]) -> str:
    bid = str(row["id"])
    status = field("booking_status", choice, row["booking_status"], BOOKING_STATUSES, required=True)
    email = email_of(row["guest_email"], "guest_email")
    updated = field("updated_at", timestamp, row["updated_at"])
    if w.erased(email=email, updated_at=updated):
        return "unchanged"
    title = field("property_name", clean_text, row["property_name"], required=True)
    prop = match_property(w, title, row["property_location"])
    total = field("total_price", amount, row["total_price"])
    created = field("created_at", timestamp, row["created_at"]) or w.now
    reason = f"platform sync: booking {bid}"
    first, last = split_name(row["guest_name"])
    contact, _ = w.ensure_guest(email, first, last, field("guest_phone", clean_text, row["guest_phone"]), reason,
                                created)
    ledger = w.cache.get(bid)
    effect = json.loads(ledger["effect"]) if ledger and ledger.get("effect") else None
    counted = status in COUNTED_BOOKING_STATUSES
    enquiry = _enquiry(w, email, prop["id"], bid) if counted else None
    key = f"platform:booking:{bid}:{updated}"
    freed = None
    if effect and (enquiry is None or effect["enquiryId"] != enquiry["id"]):
        _undo_effect(w, effect, bid, "cancelled" if status == "cancelled" else "no longer applies", key)
        freed = effect["enquiryId"]
        effect = None
    if enquiry is not None:
        if effect is None:
            effect = _apply_effect(w, enquiry, bid, total, created, key)
        elif "bookingValue" in effect["after"] and not _same("bookingValue", enquiry["bookingValue"], total) \
                and _same("bookingValue", enquiry["bookingValue"], effect["after"]["bookingValue"]):
            w.update(Enquiry, enquiry, {"bookingValue": total}, entity="enquiry", reason=reason, touch="lastUpdatedAt")
            effect["after"]["bookingValue"] = str(total) if total is not None else None
    desired = {
        "propertyId": prop["id"], "enquiryId": effect["enquiryId"] if effect else None, "contactId": contact["id"],
        "status": status, "totalPrice": total, "effect": json.dumps(effect, sort_keys=True) if effect else None,
    }
    if ledger is None:
        w.insert(PlatformBooking, {**desired, "platformBookingId": bid, "createdAt": created, "updatedAt": w.now},
                 entity=None, reason=reason)
        w.touched_properties.add(prop["id"])
        return "created"
    old_property = ledger["propertyId"]
    changes = w.update(PlatformBooking, ledger, desired, entity=None, reason=reason)
    if changes.keys() & {"propertyId", "status", "totalPrice"}:
        w.touched_properties.update(p for p in (old_property, prop["id"]) if p)
    if freed:
        _hand_on(w, freed, bid)
    return "updated" if changes else "unchanged"


def _hand_on(w: Writer, enquiry_id: str, released_by: str) -> None:
    """An enquiry released by a cancelled booking goes to the guest's other confirmed booking of the
    same property that had no enquiry, as a full sync would have matched it."""
    enq = _enquiry_by_id(w, enquiry_id)
    if enq is None or enq["platformBookingId"] is not None or not enq.get("propertyId"):
        return
    w.flush()
    tbl = PlatformBooking.__table__
    stmt = select(tbl).where(tbl.c.enquiryId.is_(None), tbl.c.status.in_(COUNTED_BOOKING_STATUSES),
                             tbl.c.propertyId == enq["propertyId"], tbl.c.contactId == enq["contactId"],
                             tbl.c.platformBookingId != released_by).order_by(tbl.c.createdAt, tbl.c.id)
    for row in w.session.execute(stmt).all():
        ledger = w.cache.get(row.platformBookingId) or as_dict(row)
        if ledger["enquiryId"] is None:
            w.extra.setdefault("unmatched_bookings", {})[(enq["propertyId"], enq["contactId"])] = [ledger]
            adopt_booking(w, enq)
            return


# ---- an enquiry that arrives after its booking ------------------------------------------------------


def load_unmatched(w: Writer, property_ids: Sequence[str]) -> None:
    """Counted bookings still without an enquiry at these properties (for enquiries visible late)."""
    tbl = PlatformBooking.__table__
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    ids = sorted(set(property_ids))
    for i in range(0, len(ids), 500):
        stmt = select(tbl).where(tbl.c.enquiryId.is_(None), tbl.c.status.in_(COUNTED_BOOKING_STATUSES),
                                 tbl.c.propertyId.in_(ids[i:i + 500])).order_by(tbl.c.createdAt, tbl.c.id)
        for row in w.session.execute(stmt):
            found.setdefault((row.propertyId, row.contactId), []).append(as_dict(row))
    w.extra["unmatched_bookings"] = found


def adopt_booking(w: Writer, enq: dict[str, Any]) -> None:
    """A new enquiry whose booking was synced first (the enquiry became visible late) gets the booking's
    effect now, recorded in the ledger so a cancellation can still undo it."""
    waiting = w.extra["unmatched_bookings"].get((enq.get("propertyId"), enq["contactId"]))
    if not waiting:
        return
    ledger = waiting.pop(0)
    bid = ledger["platformBookingId"]
    effect = _apply_effect(w, enq, bid, ledger["totalPrice"], ledger["createdAt"],
                           f"platform:booking:{bid}:enquiry:{enq['id']}:{w.now}")
    w.update(PlatformBooking, ledger, {"enquiryId": enq["id"], "effect": json.dumps(effect, sort_keys=True)},
             entity=None, reason=f"platform sync: booking {bid} matched its enquiry")
