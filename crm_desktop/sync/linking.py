"""Linking rows that arrived before their owner: when an owner contact becomes known (platform user
synced, or a Stripe customer matched), the properties, enquiries and memberships waiting for them are
attached to it. Used by the platform sync and the Stripe sync; every link is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from crm_desktop.db.models import Enquiry, Membership, Property
from crm_desktop.services import audit
from crm_desktop.services.actor import SYSTEM
from crm_desktop.timeutil import now_iso


class OwnerLike(Protocol):
    id: str
    userId: str | None
    email: str


@dataclass
class _Owner:
    id: str
    userId: str | None
    email: str


@dataclass
class LinkResult:
    properties: list[str]
    enquiries: int
    memberships: int

    @property
    def total(self) -> int:
        return len(self.properties) + self.enquiries + self.memberships


def _owner(contact: OwnerLike | dict[str, Any]) -> _Owner:
    if isinstance(contact, dict):
        return _Owner(contact["id"], contact.get("userId"), contact.get("email") or "")
    return _Owner(contact.id, contact.userId, contact.email or "")


def _set(session: Session, model: type, row_id: str, values: dict[str, Any], before: dict[str, Any],
         entity: str, reason: str) -> None:
    tbl = model.__table__  # type: ignore[attr-defined]
    stmt = update(tbl).where(tbl.c.id == row_id).values(**values)
    if "version" in tbl.c:
        stmt = stmt.values(version=tbl.c.version + 1)
    session.execute(stmt)
    audit.log_activity(session, SYSTEM, entity, row_id, "updated", audit.diff(before, values), reason)


def link_pending(session: Session, contact: OwnerLike | dict[str, Any]) -> LinkResult:
    """Attach to this owner contact what was waiting for it, matched by platform user id or email:
    properties (platformOwnerId), those properties' enquiries without an owner, and memberships
    (platformUserId or customerEmail) without a contact. Only unlinked rows are touched."""
    owner = _owner(contact)
    session.flush()
    now = now_iso()
    reason = "linked to the owner when they became known"
    props: list[str] = []
    if owner.userId:
        stmt = select(Property.id).where(Property.ownerId.is_(None), Property.platformOwnerId == owner.userId)
        for pid in session.scalars(stmt).all():
            _set(session, Property, pid, {"ownerId": owner.id, "updatedAt": now}, {"ownerId": None},
                 "property", reason)
            props.append(pid)
    enquiries = 0
    owned = select(Property.id).where(Property.ownerId == owner.id)
    stmt = select(Enquiry.id).where(Enquiry.ownerId.is_(None), Enquiry.propertyId.in_(owned))
    for eid in session.scalars(stmt).all():
        _set(session, Enquiry, eid, {"ownerId": owner.id, "lastUpdatedAt": now}, {"ownerId": None},
             "enquiry", reason)
        enquiries += 1
    who = []
    if owner.userId:
        who.append(Membership.platformUserId == owner.userId)
    if owner.email:
        who.append(Membership.customerEmail == owner.email.strip().lower())
    who.append(Membership.propertyId.in_(owned))
    memberships = 0
    stmt = select(Membership.id).where(Membership.contactId.is_(None), or_(*who))
    for mid in session.scalars(stmt).all():
        _set(session, Membership, mid, {"contactId": owner.id, "updatedAt": now}, {"contactId": None},
             "membership", reason)
        memberships += 1
    return LinkResult(props, enquiries, memberships)
