"""Personal data requests: export everything held about one person, or erase them.

Erasure blanks personal data in place rather than deleting rows, so counts, pipeline figures and revenue
stay as they were; a tombstone (a keyed hash of the email and platform id) stops the next sync from
bringing the person back, and the 'erased' audit entry records only counts, never who they were.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Membership,
    OutboxEmail,
    Property,
    Segment,
    SyncReject,
)
from crm_desktop.services import audit, crud, sensitive, tombstones
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError
from crm_desktop.timeutil import now_iso

FORMAT_VERSION = 1
ERASED = "[erased]"
# Contact columns that identify or describe the person; blanked on erasure (email gets a placeholder).
CONTACT_PERSONAL = ("firstName", "lastName", "phone", "address", "city", "postcode", "country", "businessName",
                    "companyName", "taxId", "bankDetails", "notes", "userId")
ENQUIRY_PERSONAL = ("guestEmail", "guestPhone", "guestName", "message", "internalNotes")
MEMBERSHIP_PERSONAL = ("customerEmail", "notes")
# Audit values under these field names are personal; other values (status, tier, amounts) are kept.
AUDIT_PERSONAL = frozenset(CONTACT_PERSONAL + ENQUIRY_PERSONAL + MEMBERSHIP_PERSONAL
                           + ("email", "content", "subject", "toAddress", "body"))


def _columns(row: Any) -> dict[str, Any]:
    return {attr.key: audit.jsonable(getattr(row, attr.key)) for attr in row.__mapper__.column_attrs}


def _related(session: Session, contact_id: str) -> dict[str, list[Any]]:
    enquiries = list(session.scalars(select(Enquiry).where(Enquiry.contactId == contact_id)
                                     .order_by(Enquiry.createdAt)))
    enquiry_ids = [e.id for e in enquiries]
    conds = [Interaction.contactId == contact_id]
    if enquiry_ids:
        conds.append(Interaction.relatedEnquiryId.in_(enquiry_ids))
    interactions = list(session.scalars(select(Interaction).where(or_(*conds)).order_by(Interaction.createdAt)))
    memberships = list(session.scalars(select(Membership).where(Membership.contactId == contact_id)
                                       .order_by(Membership.startDate)))
    properties = list(session.scalars(select(Property).where(Property.ownerId == contact_id)
                                      .order_by(Property.title)))
    return {"enquiries": enquiries, "interactions": interactions, "memberships": memberships,
            "properties": properties}


def _audit_entries(session: Session, ids: list[str]) -> list[ActivityLog]:
    return list(session.scalars(select(ActivityLog).where(ActivityLog.entityId.in_(ids))
                                .order_by(ActivityLog.timestamp, ActivityLog.id)))


def export_person(session: Session, actor: Actor, contact_id: str, *,
                  include_sensitive: bool = False) -> dict[str, Any]:
    """Everything the CRM holds about one contact, as plain JSON-ready data.

    Bank details and tax ids are masked unless an admin asks for them (include_sensitive), in which case
    the export is audited as one with sensitive fields. Every export is audited as 'exported'.
    """
    actor.require("export")
    contact = crud.get_or_404(session, Contact, contact_id, "contact")
    person = _columns(contact)
    for field in sensitive.FIELDS:
        person[field] = sensitive.masked(contact, field) or None
    if include_sensitive:
        person.update(sensitive.export_values(session, actor, [contact.id], purpose="personal data export")
                      .get(contact.id, {}))
    rel = _related(session, contact.id)
    ids = [contact.id] + [r.id for rows in rel.values() for r in rows]
    data = {
        "format": "crm-desktop personal data export",
        "version": FORMAT_VERSION,
        "exportedAt": now_iso(),
        "contact": person,
        **{name: [_columns(r) for r in rows] for name, rows in rel.items()},
        "auditEntries": [_columns(a) for a in _audit_entries(session, ids)],
    }
    audit.log_activity(session, actor, "contact", contact.id, "exported",
                       metadata={"what": "personal data", "sensitive": include_sensitive})
    session.flush()
    return data


def export_person_json(session: Session, actor: Actor, contact_id: str, *, include_sensitive: bool = False) -> str:
    return json.dumps(export_person(session, actor, contact_id, include_sensitive=include_sensitive),
                      ensure_ascii=False, indent=2, sort_keys=True)


def _scrub_changes(text: str | None) -> str | None:
    """An audit entry's changedFields with personal values replaced; non-personal values are kept."""
    if not text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for field, change in data.items():
        if field in AUDIT_PERSONAL and isinstance(change, dict):
            data[field] = {k: (ERASED if v not in (None, "***") else v) for k, v in change.items()}
    return json.dumps(data, ensure_ascii=False)


def erase_person(session: Session, actor: Actor, contact_id: str) -> dict[str, int]:
    """Blank one person's personal data everywhere in the CRM; returns what was touched (counts only).

    Admins only (the 'sensitive' right). Rows stay, so aggregate figures are unchanged.
    """
    actor.require("write")
    actor.require("sensitive")
    contact = crud.get_or_404(session, Contact, contact_id, "contact")
    if contact.erasedAt:
        raise ValidationError({"contact": "was erased already"})
    tombstones.add_tombstone(session, "email", contact.email)
    tombstones.add_tombstone(session, "user", contact.userId)
    old_email = contact.email
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # overwrite freed cells (and the search index's old entries) instead of leaving them on disk
        session.execute(text("PRAGMA secure_delete = ON"))
    rel = _related(session, contact.id)
    now = now_iso()
    for field in CONTACT_PERSONAL:
        setattr(contact, field, None)
    contact.email = f"erased-{contact.id}@erased.invalid"
    contact.status = "inactive"
    contact.erasedAt = now
    contact.updatedAt = now
    for enquiry in rel["enquiries"]:
        for field in ENQUIRY_PERSONAL:
            setattr(enquiry, field, None)
    for interaction in rel["interactions"]:
        interaction.subject = None
        interaction.content = None
        interaction.metadata_ = None
    for membership in rel["memberships"]:
        for field in MEMBERSHIP_PERSONAL:
            setattr(membership, field, None)
    outbox = list(session.scalars(select(OutboxEmail).where(
        or_(OutboxEmail.contactId == contact.id, OutboxEmail.toAddress == old_email))))
    for mail in outbox:
        mail.toAddress, mail.body, mail.subject = ERASED, ERASED, ERASED
        if mail.status == "queued":
            mail.status, mail.error = "failed", "the recipient was erased"
    for segment in session.scalars(select(Segment).where(Segment.contactId == contact.id)):
        segment.reasons = None
    rejects = list(session.scalars(select(SyncReject).where(SyncReject.payload.contains(old_email))))
    for reject in rejects:
        reject.payload = None
    ids = [contact.id] + [r.id for rows in rel.values() for r in rows]
    entries = _audit_entries(session, ids)
    for entry in entries:
        entry.changedFields = _scrub_changes(entry.changedFields)
        entry.reason = None
        entry.metadata_ = None
    counts = {"enquiries": len(rel["enquiries"]), "interactions": len(rel["interactions"]),
              "memberships": len(rel["memberships"]), "outboxEmails": len(outbox), "auditEntries": len(entries),
              "syncRejects": len(rejects)}
    crud.flush(session, "contact")
    audit.log_activity(session, actor, "contact", contact.id, "erased", metadata={"touched": counts})
    session.flush()
    if sqlite:
        session.execute(text("PRAGMA secure_delete = OFF"))
    return counts
