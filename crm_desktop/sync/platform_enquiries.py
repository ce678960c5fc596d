"""Platform `enquiries` rows → crm_enquiries (keyed by platformEnquiryId), the guest contact (made or
found by email) and one inbound `message` interaction (externalKey, so it is written once).

The pipeline status, priority, assignment and internal notes belong to staff: they are set when the
enquiry is first synced and never overwritten afterwards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from crm_desktop.db.models import ENQUIRY_SOURCES, PRIORITIES, Enquiry, Interaction, Staff
from crm_desktop.services.validation import (
    FieldError,
    amount,
    choice,
    clean_text,
    day,
    timestamp,
    whole_number,
)
from crm_desktop.sync.platform_bookings import adopt_booking, load_unmatched
from crm_desktop.sync.platform_listings import load_properties
from crm_desktop.sync.platform_people import clean_name
from crm_desktop.sync.platform_writer import RowRejected, Writer, as_dict, email_of, field


def message_key(platform_id: str) -> str:
    return f"platform:enquiry:{platform_id}"


def prefetch(w: Writer, rows: Sequence[Mapping[str, Any]]) -> None:
    ids = [str(r["id"]) for r in rows]
    tbl = Enquiry.__table__
    w.cache = {}
    keys: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in w.session.execute(select(tbl).where(tbl.c.platformEnquiryId.in_(chunk))):
            w.cache[row.platformEnquiryId] = as_dict(row)
        keys.update(w.session.scalars(select(Interaction.externalKey).where(
            Interaction.externalKey.in_([message_key(x) for x in chunk]))).all())
    w.extra["message_keys"] = keys
    w.extra["properties"] = load_properties(w, [str(r["property_id"]) for r in rows if r["property_id"] is not None])
    load_unmatched(w, [p["id"] for p in w.extra["properties"].values()])
    emails = []
    for r in rows:
        try:
            emails.append(email_of(r["email"]))
        except RowRejected:
            pass
    w.load_contacts(emails=emails)
    w.extra["staff"] = {}


def _staff_id(w: Writer, platform_user_id: Any) -> str | None:
    if not platform_user_id:
        return None
    key = str(platform_user_id)
    staff = w.extra["staff"]
    if key not in staff:
        staff[key] = w.session.scalar(select(Staff.id).where(Staff.platformUserId == key))
    return staff[key]


def apply(w: Writer, row: Mapping[str, Any]) -> str:
    peid = str(row["id"])
    email = email_of(row["email"])
    created_at = field("created_at", timestamp, row["created_at"])
    if created_at is None:
        raise RowRejected("created_at is missing")
    if w.erased(email=email, updated_at=field("updated_at", timestamp, row["updated_at"])):
        return "unchanged"
    first = clean_name(field("first_name", clean_text, row["first_name"]))
    last = clean_name(field("last_name", clean_text, row["last_name"]))
    phone = field("phone", clean_text, row["phone"])
    platform_pid = str(row["property_id"]) if row["property_id"] is not None else None
    prop = w.extra["properties"].get(platform_pid) if platform_pid else None
    source = (clean_text(row["source"]) or "website").lower()
    desired: dict[str, Any] = {
        "propertyId": prop["id"] if prop else None,
        "ownerId": prop["ownerId"] if prop else None,
        "platformPropertyId": platform_pid,
        "eventType": field("occasion", clean_text, row["occasion"]),
        "eventDate": field("check_in_date", day, row["check_in_date"]),
        "estimatedGuests": field("number_of_guests", whole_number, row["number_of_guests"], maximum=100_000),
        "estimatedBudget": field("budget", amount, row["budget"]),
        "message": field("message", clean_text, row["message"], long=True),
        "guestEmail": email,
        "guestPhone": phone,
        "guestName": " ".join(p for p in (first, last) if p) or None,
        "source": source if source in ENQUIRY_SOURCES else "website",
    }
    reason = f"platform sync: enquiry {peid}"
    contact, _ = w.ensure_guest(email, first, last, phone, reason, created_at)
    desired["contactId"] = contact["id"]
    current = w.cache.get(peid)
    if current is None:
        try:
            priority = choice(row["priority"], PRIORITIES) or "medium"
        except FieldError:
            priority = "medium"
        current = w.insert(Enquiry, {
            **desired, "platformEnquiryId": peid, "status": "new", "priority": priority,
            "assignedToAdminId": _staff_id(w, row["assigned_to"]), "createdAt": created_at,
            "lastUpdatedAt": field("updated_at", timestamp, row["updated_at"]) or created_at,
            "convertedToBooking": False, "version": 1,
        }, entity="enquiry", reason=reason)
        w.cache[peid] = current
        outcome = "created"
    else:
        old_property = current.get("propertyId")
        changes = w.update(Enquiry, current, desired, entity="enquiry", reason=reason, touch="lastUpdatedAt")
        if "propertyId" in changes:
            w.touched_properties.update(p for p in (old_property, current.get("propertyId")) if p)
        outcome = "updated" if changes else "unchanged"
    if outcome == "created" and current.get("propertyId"):
        w.touched_properties.add(current["propertyId"])
        adopt_booking(w, current)
    if message_key(peid) not in w.extra["message_keys"]:
        subject = field("subject", clean_text, row["subject"])
        w.insert(Interaction, {
            "contactId": contact["id"], "relatedEnquiryId": current["id"], "relatedPropertyId": desired["propertyId"],
            "type": "message", "subject": subject, "content": desired["message"], "direction": "inbound",
            "initiatedBy": "contact", "createdAt": created_at, "performedBy": "system",
            "externalKey": message_key(peid),
        }, entity="interaction", reason=reason)
        w.extra["message_keys"].add(message_key(peid))
    return outcome
