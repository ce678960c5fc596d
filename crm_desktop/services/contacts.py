"""Contacts (owners and guests): create, read, update, list with the plan's filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import CONTACT_STATUSES, CONTACT_TYPES, Contact
from crm_desktop.search.contacts_index import contact_search_clause, fts_match_count
from crm_desktop.services import crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListQuery, Page, apply_filters, apply_sort, paginate
from crm_desktop.services.validation import FieldError, choice, clean_text, normalise_email, timestamp
from crm_desktop.timeutil import now_iso

LABEL = "contact"
SORTABLE = ("lastName", "firstName", "email", "type", "status", "city", "businessName", "createdAt",
            "updatedAt", "lastContactedAt")
FILTERABLE = ("type", "status", "city", "userId")
INDEXED_SORTS = ("lastName", "email", "createdAt")  # sort keys with an index in that order
BROAD_MATCHES = 2000  # above this many search matches, scanning the sort index finds a page sooner
# Bank details and tax ids go through crm_desktop.services.sensitive (encrypted, admin only).
SENSITIVE = ("taxId", "bankDetails")


def _required_choice(allowed: tuple[str, ...]):
    return lambda v: choice(v, allowed, required=True)


CLEANERS: dict[str, crud.Cleaner] = {
    "type": _required_choice(CONTACT_TYPES),
    "status": _required_choice(CONTACT_STATUSES),
    "email": normalise_email,
    "notes": lambda v: clean_text(v, long=True),
    "lastContactedAt": timestamp,
    "userId": clean_text,
    **{f: clean_text for f in ("firstName", "lastName", "phone", "address", "city", "postcode", "country",
                               "businessName", "companyName", "eventType")},
}


@dataclass(frozen=True)
class ContactFilter:
    type: str | None = None
    status: str | None = None
    search: str | None = None


def _unique_email_error(email: str) -> dict[str, tuple[str, str]]:
    return {"email": ("email", f"another contact already has the email {email}")}


def create_contact(session: Session, actor: Actor, data: dict[str, Any], reason: str | None = None) -> Contact:
    actor.require("write")
    data = {"status": "active", **data}
    if "type" not in data:
        raise ValidationError({"type": "is required (owner or guest)"})
    if "email" not in data:
        raise ValidationError({"email": "is required"})
    clean = crud.clean_fields(data, CLEANERS)
    if session.scalar(select(Contact.id).where(Contact.email == clean["email"])):
        raise ValidationError({"email": f"another contact already has the email {clean['email']}"})
    now = now_iso()
    contact = Contact(**clean, createdAt=now, updatedAt=now)
    session.add(contact)
    crud.flush(session, LABEL, _unique_email_error(clean["email"]))
    crud.record(session, actor, LABEL, contact, "created",
                {k: {"before": None, "after": v} for k, v in clean.items() if v is not None}, reason)
    return contact


def get_contact(session: Session, actor: Actor, contact_id: str) -> Contact:
    actor.require("read")
    return crud.get_or_404(session, Contact, contact_id, LABEL)


def find_by_email(session: Session, email: str) -> Contact | None:
    try:
        key = normalise_email(email)
    except FieldError:
        return None
    return session.scalar(select(Contact).where(Contact.email == key))


def update_contact(session: Session, actor: Actor, contact_id: str, changes: dict[str, Any],
                   expected_version: int | None = None, reason: str | None = None) -> Contact:
    actor.require("write")
    contact = crud.get_or_404(session, Contact, contact_id, LABEL)
    crud.check_version(contact, expected_version, LABEL)
    clean = crud.clean_fields(changes, CLEANERS)
    if "email" in clean and clean["email"] != contact.email and session.scalar(
            select(Contact.id).where(Contact.email == clean["email"], Contact.id != contact.id)):
        raise ValidationError({"email": f"another contact already has the email {clean['email']}"})
    old_status = contact.status
    diff = crud.apply_update(contact, clean)
    if diff:
        crud.flush(session, LABEL, _unique_email_error(clean.get("email", "")))
        action = "status_changed" if contact.status != old_status else "updated"
        crud.record(session, actor, LABEL, contact, action, diff, reason)
    return contact


def list_contacts(session: Session, actor: Actor, query: ListQuery | None = None,
                  filt: ContactFilter | None = None) -> Page[Contact]:
    """Contacts by type and status, with a case-insensitive search over names, email, phone, business."""
    actor.require("read")
    query = query or ListQuery()
    filt = filt or ContactFilter()
    stmt = select(Contact)
    stmt, filters = apply_filters(stmt, Contact, "contacts", FILTERABLE, query.filters,
                                  {"type": filt.type, "status": filt.status})
    search = filt.search or query.search
    total = None
    if search and search.strip():
        # An FTS5 trigram / pg_trgm index answers this (crm_desktop.search); a LIKE scan would not scale.
        # Search alone on SQLite: the index gives the total, and a broad match walks the sort index.
        total = None if filters else fts_match_count(session, search)
        broad = total is not None and total > BROAD_MATCHES and (query.sort or "lastName") in INDEXED_SORTS
        stmt = stmt.where(contact_search_clause(session.get_bind().dialect.name, search, broad=broad))
    stmt = apply_sort(stmt, Contact, SORTABLE, query.sort, query.descending, "lastName")
    return paginate(session, stmt, query.offset, query.limit, total)


def count_contacts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0
