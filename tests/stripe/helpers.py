"""Small helpers shared by the Stripe sync tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from crm_desktop.db.engine import Database
from crm_desktop.db.models import ActivityLog, Contact, Membership, SyncCursor, SyncReject
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.contacts import create_contact
from crm_desktop.timeutil import iso


def at(epoch: int) -> str:
    return iso(datetime.fromtimestamp(epoch, UTC))  # type: ignore[return-value]


def add_owner(db: Database, email: str, user_id: str | None = None, first: str = "Olive") -> str:
    with db.write_session() as s:
        data = {"type": "owner", "email": email, "firstName": first, "lastName": "Owner"}
        if user_id:
            data["userId"] = user_id
        return create_contact(s, SYSTEM, data).id


def memberships(db: Database) -> dict[str, Membership]:
    with db.read() as s:
        return {m.stripeSubscriptionId: m for m in s.scalars(select(Membership))}  # type: ignore[misc]


def audit_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ActivityLog).where(
            ActivityLog.entityType == "membership")) or 0


def audit_for(db: Database, membership_id: str) -> list[ActivityLog]:
    with db.read() as s:
        return list(s.scalars(select(ActivityLog).where(ActivityLog.entityId == membership_id)
                              .order_by(ActivityLog.timestamp)))


def rejects(db: Database) -> dict[str, SyncReject]:
    with db.read() as s:
        return {r.externalId: r for r in s.scalars(select(SyncReject).where(SyncReject.source == "stripe"))}


def cursor(db: Database) -> str | None:
    with db.read() as s:
        row = s.get(SyncCursor, "stripe:events")
        return row.position if row else None


def contact_id(db: Database, email: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(Contact.id).where(Contact.email == email))
