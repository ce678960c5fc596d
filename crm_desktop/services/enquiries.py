"""Enquiries and the pipeline: new → contacted → negotiating → booked (or lost / spam)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    CLOSED_ENQUIRY_STATUSES,
    ENQUIRY_SOURCES,
    ENQUIRY_STATUSES,
    PRIORITIES,
    Contact,
    Enquiry,
    Interaction,
    Property,
    Staff,
)
from crm_desktop.services import audit, crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListQuery, Page, apply_filters, apply_sort, paginate, search_clause
from crm_desktop.services.validation import (
    FieldError,
    amount,
    choice,
    clean_text,
    day,
    normalise_email,
    whole_number,
)
from crm_desktop.timeutil import now_iso

LABEL = "enquiry"
SORTABLE = ("createdAt", "status", "priority", "eventDate", "guestName", "guestEmail", "estimatedGuests",
            "estimatedBudget", "bookingValue", "lastUpdatedAt", "source", "eventType")
FILTERABLE = ("status", "ownerId", "propertyId", "contactId", "priority", "assignedToAdminId", "source")


def _optional(allowed: tuple[str, ...]):
    return lambda v: choice(v, allowed)


def _optional_email(value: Any) -> str | None:
    return None if value in (None, "") else normalise_email(value)


# Fields staff (and the sync, on create) may set; status goes through change_status.
CLEANERS: dict[str, crud.Cleaner] = {
    "contactId": lambda v: clean_text(v, required=True),
    "ownerId": clean_text,
    "propertyId": clean_text,
    "eventType": clean_text,
    "eventDate": day,
    "estimatedGuests": lambda v: whole_number(v, maximum=100_000),
    "estimatedBudget": amount,
    "message": lambda v: clean_text(v, long=True),
    "guestEmail": _optional_email,
    "guestPhone": clean_text,
    "guestName": clean_text,
    "bookingValue": amount,
    "assignedToAdminId": clean_text,
    "internalNotes": lambda v: clean_text(v, long=True),
    "priority": _optional(PRIORITIES),
    "source": _optional(ENQUIRY_SOURCES),
}


@dataclass(frozen=True)
class EnquiryFilter:
    status: str | None = None
    owner_id: str | None = None
    priority: str | None = None
    assigned_to: str | None = None
    created_from: str | None = None  # inclusive, 'YYYY-MM-DD' or a timestamp
    created_to: str | None = None    # inclusive day
    search: str | None = None


def _check_links(session: Session, clean: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for key, model, label in (("contactId", Contact, "contact"), ("ownerId", Contact, "owner"),
                              ("propertyId", Property, "property"), ("assignedToAdminId", Staff, "member of staff")):
        if clean.get(key) and session.get(model, clean[key]) is None:
            errors[key] = f"no {label} with id {clean[key]}"
    if clean.get("propertyId") and not clean.get("ownerId") and not errors:
        prop = session.get(Property, clean["propertyId"])
        clean["ownerId"] = prop.ownerId if prop else None
    if errors:
        raise ValidationError(errors)


def create_enquiry(session: Session, actor: Actor, data: dict[str, Any], reason: str | None = None) -> Enquiry:
    actor.require("write")
    data = dict(data)
    status = data.pop("status", "new")
    try:
        status = choice(status, ENQUIRY_STATUSES, required=True)
    except FieldError as exc:
        raise ValidationError({"status": str(exc)}) from exc
    if "contactId" not in data:
        raise ValidationError({"contactId": "is required (the guest who enquired)"})
    clean = crud.clean_fields(data, CLEANERS)
    _check_links(session, clean)
    now = now_iso()
    clean["priority"] = clean.get("priority") or "medium"
    clean["source"] = clean.get("source") or "form"
    enquiry = Enquiry(**clean, status=status, createdAt=now, lastUpdatedAt=now)
    _apply_status_side_effects(enquiry, "new", status, now)
    session.add(enquiry)
    crud.flush(session, LABEL)
    created = {k: {"before": None, "after": v} for k, v in clean.items() if v is not None}
    created["status"] = {"before": None, "after": status}
    crud.record(session, actor, LABEL, enquiry, "created", created, reason)
    _bump_property_count(session, enquiry.propertyId)
    return enquiry


def _bump_property_count(session: Session, property_id: str | None) -> None:
    """Keep crm_properties.enquiryCount equal to the number of its enquiries."""
    if not property_id:
        return
    prop = session.get(Property, property_id)
    if prop is not None:
        session.flush()
        count = session.scalar(select(func.count()).select_from(Enquiry).where(Enquiry.propertyId == property_id))
        if prop.enquiryCount != count:
            prop.enquiryCount = count or 0


def get_enquiry(session: Session, actor: Actor, enquiry_id: str) -> Enquiry:
    actor.require("read")
    return crud.get_or_404(session, Enquiry, enquiry_id, LABEL)


def update_enquiry(session: Session, actor: Actor, enquiry_id: str, changes: dict[str, Any],
                   expected_version: int | None = None, reason: str | None = None) -> Enquiry:
    """Edit details, priority, assignment and notes. Status changes go through change_status."""
    actor.require("write")
    if "status" in changes:
        raise ValidationError({"status": "use the pipeline (change_status) to move an enquiry"})
    enquiry = crud.get_or_404(session, Enquiry, enquiry_id, LABEL)
    crud.check_version(enquiry, expected_version, LABEL)
    clean = crud.clean_fields(changes, CLEANERS)
    _check_links(session, clean)
    old_property = enquiry.propertyId
    diff = crud.apply_update(enquiry, clean, touch="lastUpdatedAt")
    if diff:
        crud.flush(session, LABEL)
        crud.record(session, actor, LABEL, enquiry, "updated", diff, reason)
        if "propertyId" in diff:
            _bump_property_count(session, old_property)
            _bump_property_count(session, enquiry.propertyId)
    return enquiry


def _apply_status_side_effects(enquiry: Enquiry, old: str, new: str, now: str) -> dict[str, Any]:
    """firstResponseAt when it first leaves `new`; closedAt on booked/lost/spam; convertedToBooking on booked."""
    before = {k: getattr(enquiry, k) for k in ("firstResponseAt", "closedAt", "convertedToBooking")}
    if new != "new" and enquiry.firstResponseAt is None:
        enquiry.firstResponseAt = now
    if new in CLOSED_ENQUIRY_STATUSES:
        if old not in CLOSED_ENQUIRY_STATUSES or enquiry.closedAt is None:
            enquiry.closedAt = now
    else:
        enquiry.closedAt = None
    enquiry.convertedToBooking = new == "booked"
    after = {k: getattr(enquiry, k) for k in before}
    return audit.diff(before, after)


def change_status(session: Session, actor: Actor, enquiry_id: str, new_status: str,
                  expected_version: int | None = None, reason: str | None = None,
                  booking_value: Any = None) -> Enquiry:
    """Move along the pipeline; writes the audit entry and a `status_change` interaction."""
    actor.require("write")
    try:
        new_status = choice(new_status, ENQUIRY_STATUSES, required=True)  # type: ignore[assignment]
    except FieldError as exc:
        raise ValidationError({"status": str(exc)}) from exc
    enquiry = crud.get_or_404(session, Enquiry, enquiry_id, LABEL)
    crud.check_version(enquiry, expected_version, LABEL)
    old = enquiry.status
    if old == new_status:
        return enquiry
    now = now_iso()
    changes = {"status": {"before": old, "after": new_status}}
    changes.update(_apply_status_side_effects(enquiry, old, new_status, now))
    if booking_value is not None:
        try:
            value = amount(booking_value)
        except FieldError as exc:
            raise ValidationError({"bookingValue": str(exc)}) from exc
        if value != enquiry.bookingValue:
            changes["bookingValue"] = {"before": str(enquiry.bookingValue) if enquiry.bookingValue is not None
                                       else None, "after": str(value)}
            enquiry.bookingValue = value
    enquiry.status = new_status
    enquiry.lastUpdatedAt = now
    crud.flush(session, LABEL)
    crud.record(session, actor, LABEL, enquiry, "status_changed", changes, reason)
    session.add(Interaction(
        contactId=enquiry.contactId, relatedEnquiryId=enquiry.id, relatedPropertyId=enquiry.propertyId,
        type="status_change", subject=f"Enquiry {old} → {new_status}",
        content=f"Status changed from {old} to {new_status}" + (f": {reason}" if reason else ""),
        direction="internal", initiatedBy="system" if actor.role == "system" else "admin",
        createdAt=now, performedBy=actor.audit_name,
    ))
    session.flush()
    return enquiry


def list_enquiries(session: Session, actor: Actor, query: ListQuery | None = None,
                   filt: EnquiryFilter | None = None) -> Page[Enquiry]:
    """Enquiries by status, owner, priority, assignment and date range; newest first by default."""
    actor.require("read")
    query = query or ListQuery(sort="createdAt", descending=True)
    filt = filt or EnquiryFilter()
    stmt = select(Enquiry)
    stmt, _ = apply_filters(stmt, Enquiry, "enquiries", FILTERABLE, query.filters, {
        "status": filt.status, "ownerId": filt.owner_id, "priority": filt.priority,
        "assignedToAdminId": filt.assigned_to})
    try:
        start = day(filt.created_from) if filt.created_from else None
        end = day(filt.created_to) if filt.created_to else None
    except FieldError as exc:
        raise ValidationError({"date range": str(exc)}) from exc
    if start:
        stmt = stmt.where(Enquiry.createdAt >= start)
    if end:
        stmt = stmt.where(Enquiry.createdAt < end + "T99")  # the whole of the last day
    search = filt.search or query.search
    if search and search.strip():
        stmt = stmt.where(search_clause([Enquiry.guestName, Enquiry.guestEmail, Enquiry.eventType], search))
    descending = query.descending if query.sort else True
    stmt = apply_sort(stmt, Enquiry, SORTABLE, query.sort, descending, "createdAt")
    return paginate(session, stmt, query.offset, query.limit)
