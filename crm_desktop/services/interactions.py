"""Interactions (calls, emails, notes, messages) and a contact's timeline (interactions + audit entries)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    DIRECTIONS,
    INTERACTION_TYPES,
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Membership,
    Property,
)
from crm_desktop.services import crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListQuery, Page, apply_sort, paginate
from crm_desktop.services.validation import FieldError, choice, clean_text
from crm_desktop.timeutil import now_iso

LABEL = "interaction"
SORTABLE = ("createdAt", "type", "direction")
# Staff log these by hand; `status_change` is written by the pipeline, `message` by the sync.
STAFF_TYPES = ("email", "phone", "note", "message")


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a contact's history (plain data: safe to hand to the UI thread)."""

    at: str
    kind: str       # 'interaction' or 'audit'
    type: str       # interaction type, or the audit action
    title: str
    detail: str
    by: str | None
    entry_id: str


def log_interaction(session: Session, actor: Actor, contact_id: str, type: str, content: str | None,
                    subject: str | None = None, direction: str = "outbound",
                    related_enquiry_id: str | None = None, related_property_id: str | None = None,
                    metadata: dict[str, Any] | None = None, external_key: str | None = None) -> Interaction:
    """Log a call ('phone'), an email or a note against a contact; updates lastContactedAt."""
    actor.require("write")
    errors: dict[str, str] = {}
    try:
        type = choice(type, INTERACTION_TYPES, required=True)  # type: ignore[assignment]
        if type == "status_change" and actor.role != "system":
            errors["type"] = "status changes are recorded by the pipeline"
    except FieldError as exc:
        errors["type"] = str(exc)
    try:
        direction = choice(direction, DIRECTIONS, required=True)  # type: ignore[assignment]
    except FieldError as exc:
        errors["direction"] = str(exc)
    try:
        content = clean_text(content, long=True)
        subject = clean_text(subject)
    except FieldError as exc:
        errors["content"] = str(exc)
    if not content and not subject and "content" not in errors:
        errors["content"] = "is required (what was said or done)"
    contact = session.get(Contact, contact_id)
    if contact is None:
        errors["contactId"] = f"no contact with id {contact_id}"
    if related_enquiry_id and session.get(Enquiry, related_enquiry_id) is None:
        errors["relatedEnquiryId"] = f"no enquiry with id {related_enquiry_id}"
    if related_property_id and session.get(Property, related_property_id) is None:
        errors["relatedPropertyId"] = f"no property with id {related_property_id}"
    if errors:
        raise ValidationError(errors)
    if external_key:
        existing = session.scalar(select(Interaction).where(Interaction.externalKey == external_key))
        if existing is not None:
            return existing  # applied already (offline outbox replays, sync re-runs)
    now = now_iso()
    initiated = "system" if actor.role == "system" else ("contact" if direction == "inbound" else "admin")
    row = Interaction(
        contactId=contact_id, relatedEnquiryId=related_enquiry_id, relatedPropertyId=related_property_id,
        type=type, subject=subject, content=content, direction=direction, initiatedBy=initiated,
        createdAt=now, performedBy=actor.audit_name, externalKey=external_key,
        metadata_=json.dumps(metadata, ensure_ascii=False) if metadata else None,
    )
    session.add(row)
    if direction != "internal" and contact is not None:
        contact.lastContactedAt = now
    crud.flush(session, LABEL)
    crud.record(session, actor, LABEL, row, "created",
                {"type": {"before": None, "after": type}, "contactId": {"before": None, "after": contact_id}})
    return row


def list_interactions(session: Session, actor: Actor, contact_id: str | None = None,
                      query: ListQuery | None = None, type: str | None = None) -> Page[Interaction]:
    actor.require("read")
    query = query or ListQuery(sort="createdAt", descending=True)
    if query.filters:  # contact and type are the arguments above; say so rather than ignore the rest
        raise ValidationError({key: "is not a filter for interactions" for key in query.filters})
    stmt = select(Interaction)
    if contact_id:
        stmt = stmt.where(Interaction.contactId == contact_id)
    if type:
        stmt = stmt.where(Interaction.type == type)
    descending = query.descending if query.sort else True
    stmt = apply_sort(stmt, Interaction, SORTABLE, query.sort, descending, "createdAt")
    return paginate(session, stmt, query.offset, query.limit)


def timeline(session: Session, actor: Actor, contact_id: str, limit: int = 200) -> list[TimelineEntry]:
    """Interactions and audit entries about the contact and its rows, newest first."""
    actor.require("read")
    crud.get_or_404(session, Contact, contact_id, "contact")
    entries: list[TimelineEntry] = []
    for i in session.scalars(select(Interaction).where(Interaction.contactId == contact_id)
                             .order_by(Interaction.createdAt.desc()).limit(limit)):
        entries.append(TimelineEntry(i.createdAt, "interaction", i.type, i.subject or i.type.replace("_", " "),
                                     i.content or "", i.performedBy or i.initiatedBy, i.id))
    related = [contact_id]
    related += session.scalars(select(Enquiry.id).where(
        or_(Enquiry.contactId == contact_id, Enquiry.ownerId == contact_id)).limit(1000)).all()
    related += session.scalars(select(Membership.id).where(Membership.contactId == contact_id)).all()
    related += session.scalars(select(Property.id).where(Property.ownerId == contact_id)).all()
    for a in session.scalars(select(ActivityLog).where(ActivityLog.entityId.in_(related))
                             .order_by(ActivityLog.timestamp.desc()).limit(limit)):
        entries.append(TimelineEntry(a.timestamp, "audit", a.action, f"{a.entityType} {a.action.replace('_', ' ')}",
                                     describe_changes(a.changedFields), a.performedBy, a.id))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def describe_changes(changed: str | None, limit: int = 6) -> str:
    """An audit entry's JSON {field: {before, after}} as 'field: before → after; ...'."""
    if not changed:
        return ""
    try:
        data = json.loads(changed)
    except ValueError:
        return ""
    parts = [f"{name}: {_shown(name, change.get('before'))} → {_shown(name, change.get('after'))}"
             for name, change in list(data.items())[:limit] if isinstance(change, dict)]
    return "; ".join(parts)


def _shown(field: str, value: object) -> str:
    """Link columns hold opaque ids: say whether a link is there rather than print a UUID."""
    if value is None or value == "":
        return "—"
    if field.endswith("Id") and field not in ("userId",):
        return "linked"
    return str(value)
