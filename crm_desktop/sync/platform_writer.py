"""The write side of one sync batch: queued inserts flushed in foreign-key order (executemany, for big
first syncs), diffed updates that write and audit only when a value really changed, rejects, and the
property counters recomputed from what they count.

SQLAlchemy Core on the ORM tables keeps a 100,000-row first sync fast; rows staff edit get their
`version` bumped, so a member of staff holding an older copy gets a conflict instead of overwriting."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from crm_desktop.db.base import new_id
from crm_desktop.db.models import (
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Membership,
    PlatformBooking,
    Property,
    Staff,
    SyncReject,
    Tombstone,
)
from crm_desktop.services import audit
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.tombstones import is_erased
from crm_desktop.services.validation import FieldError, normalise_email
from crm_desktop.sync.progress import TableCounts

# Inserts are flushed parents first so foreign keys hold at every statement.
INSERT_ORDER = (Contact, Staff, Property, Enquiry, PlatformBooking, Membership, Interaction, ActivityLog)
COUNTED_BOOKING_STATUSES = ("confirmed", "completed")
COUNTERS_REASON = "platform sync: counters recomputed"


class RowRejected(Exception):
    """A platform row the CRM cannot take as it is; the message is the reason shown to staff."""


def field(name: str, fn, *args, **kwargs):
    """Run a validation cleaner, turning its complaint into a reason that names the platform column."""
    try:
        return fn(*args, **kwargs)
    except FieldError as exc:
        raise RowRejected(f"{name} {exc}") from exc


def email_of(value: Any, column: str = "email") -> str:
    if value is None or not str(value).strip():
        raise RowRejected(f"{column} is missing")
    return field(column, normalise_email, value)


def as_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class Writer:
    """One batch's writes, inside the batch's transaction."""

    def __init__(self, session: Session, table: str, now: str) -> None:
        self.session = session
        self.table = table
        self.now = now
        self.counts = TableCounts()
        self.rejects: dict[str, tuple[str, str | None]] = {}
        self.succeeded: set[str] = set()
        self.saved_rejects: list[tuple[str, str]] = []
        self.touched_properties: set[str] = set()
        self._pending: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self._pending_ids: set[str] = set()  # ids of queued inserts
        self._tombstones = session.scalar(select(func.count()).select_from(Tombstone)) or 0
        self.contacts_by_email: dict[str, dict[str, Any]] = {}
        self.contacts_by_user: dict[str, dict[str, Any]] = {}
        self._looked_up: set[tuple[str, str]] = set()  # keys already fetched (found or not)
        # Per-table lookups the handler's prefetch fills for this batch.
        self.cache: dict[str, dict[str, Any]] = {}
        self.extra: dict[str, Any] = {}

    # ---- generic writes ------------------------------------------------------------------------------

    def insert(self, model: type, values: dict[str, Any], *, entity: str | None, reason: str) -> dict[str, Any]:
        row = {"id": new_id(), **values}
        self._pending[model].append(row)
        self._pending_ids.add(row["id"])
        if entity:
            created = {k: {"before": None, "after": v} for k, v in row.items() if v is not None and k != "id"}
            self.audit(entity, row["id"], "created", created, reason)
        return row

    def update(self, model: type, current: dict[str, Any], desired: Mapping[str, Any], *, entity: str | None,
               reason: str, touch: str | None = "updatedAt", action: str = "updated") -> dict[str, Any]:
        """Write the fields of `desired` that differ from `current` (a cached row, kept in step)."""
        changes = audit.diff({k: current.get(k) for k in desired}, dict(desired))
        if not changes:
            return {}
        values = {k: desired[k] for k in changes}
        # Queued inserts go first only when this update needs them (the row itself, or a new parent).
        if current["id"] in self._pending_ids or any(v in self._pending_ids for v in values.values()
                                                     if isinstance(v, str)):
            self.flush()
        if touch:
            values[touch] = self.now
        tbl = model.__table__  # type: ignore[attr-defined]
        stmt = update(tbl).where(tbl.c.id == current["id"]).values(**values)
        if "version" in tbl.c:
            stmt = stmt.values(version=tbl.c.version + 1)
        self.session.execute(stmt)
        current.update(values)
        if entity:
            self.audit(entity, current["id"], action, changes, reason)
        return changes

    def audit(self, entity: str, entity_id: str, action: str, changes: dict[str, Any], reason: str) -> None:
        """A crm_activity_log entry in the format of services.audit.log_activity (performedBy 'system'),
        queued with the batch's inserts so a big first sync writes them with executemany."""
        self._pending[ActivityLog].append({
            "id": new_id(), "entityType": entity, "entityId": entity_id, "action": action,
            "changedFields": json.dumps(changes, default=audit.jsonable, ensure_ascii=False) if changes else None,
            "performedBy": SYSTEM.audit_name, "ipAddress": None, "timestamp": self.now, "reason": reason,
            "metadata": None,
        })

    def flush(self) -> None:
        for model in INSERT_ORDER:
            rows = self._pending.pop(model, None)
            if not rows:
                continue
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                groups[tuple(sorted(row))].append(row)
            for group in groups.values():
                self.session.execute(insert(model.__table__), group)  # type: ignore[attr-defined]
        self._pending_ids.clear()

    def reset_caches(self) -> None:
        """Forget cached rows and queued inserts (after a savepoint rolled some of them back)."""
        self._pending.clear()
        self._pending_ids.clear()
        self.contacts_by_email.clear()
        self.contacts_by_user.clear()
        self._looked_up.clear()
        self.cache = {}
        self.extra = {}

    # ---- people ----------------------------------------------------------------------------------------

    def erased(self, *, email: str | None = None, user_id: str | None = None, updated_at: str | None = None) -> bool:
        if not self._tombstones:
            return False
        return is_erased(self.session, email=email, user_id=user_id, platform_updated_at=updated_at)

    def load_contacts(self, emails: Iterable[str] = (), user_ids: Iterable[str] = ()) -> None:
        """Fetch the contacts this batch will look up, in two queries instead of one per row."""
        emails = {e for e in emails if e and e not in self.contacts_by_email and ("e", e) not in self._looked_up}
        user_ids = {u for u in user_ids if u and u not in self.contacts_by_user and ("u", u) not in self._looked_up}
        if not emails and not user_ids:
            return
        self._looked_up.update(("e", e) for e in emails)
        self._looked_up.update(("u", u) for u in user_ids)
        self.flush()
        for column, keys in ((Contact.email, emails), (Contact.userId, user_ids)):
            keys_list = sorted(keys)
            for i in range(0, len(keys_list), 500):
                for row in self.session.execute(select(Contact.__table__).where(column.in_(keys_list[i:i + 500]))):
                    self.remember_contact(as_dict(row))

    def remember_contact(self, row: dict[str, Any]) -> dict[str, Any]:
        existing = self.contacts_by_email.get(row["email"])
        if existing is not None and existing["id"] == row["id"]:
            return existing
        self.contacts_by_email[row["email"]] = row
        if row.get("userId"):
            self.contacts_by_user[row["userId"]] = row
        return row

    def contact_by_email(self, email: str) -> dict[str, Any] | None:
        if email not in self.contacts_by_email:
            self.load_contacts(emails=[email])
        return self.contacts_by_email.get(email)

    def ensure_guest(self, email: str, first: str | None, last: str | None, phone: str | None,
                     reason: str, created_at: str | None = None) -> tuple[dict[str, Any], bool]:
        """The contact with this email (any type), or a new guest contact; (row, created). A new guest
        is dated from the platform row that brought them (`created_at`), not from the sync."""
        existing = self.contact_by_email(email)
        if existing is not None:
            return existing, False
        row = self.insert(Contact, {
            "type": "guest", "firstName": first, "lastName": last, "email": email, "phone": phone,
            "status": "active", "createdAt": created_at or self.now, "updatedAt": self.now, "version": 1,
        }, entity="contact", reason=reason)
        return self.remember_contact(row), True

    # ---- rejects ---------------------------------------------------------------------------------------

    def reject(self, external_id: str, reason: str, payload: Mapping[str, Any] | None = None) -> None:
        text = json.dumps(dict(payload), default=str, ensure_ascii=False)[:4000] if payload else None
        self.rejects[external_id] = (reason, text)
        self.counts.set_aside += 1

    def save_rejects(self, source: str) -> list[tuple[str, str]]:
        """Record this batch's rejects and resolve the ones whose rows went through; only real changes
        are written. Returns (external id, reason) for the summary."""
        ids = sorted(set(self.rejects) | self.succeeded)
        existing: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            stmt = select(SyncReject.__table__).where(SyncReject.source == source,
                                                      SyncReject.externalId.in_(ids[i:i + 500]))
            existing.update({r.externalId: as_dict(r) for r in self.session.execute(stmt)})
        tbl = SyncReject.__table__
        for ext, (reason, payload) in self.rejects.items():
            row = existing.get(ext)
            if row is None:
                self.session.execute(insert(tbl).values(
                    id=new_id(), source=source, externalId=ext, reason=reason, payload=payload,
                    firstSeenAt=self.now, lastSeenAt=self.now, resolvedAt=None))
            elif row["reason"] != reason or row["resolvedAt"] is not None:
                self.session.execute(update(tbl).where(tbl.c.id == row["id"]).values(
                    reason=reason, payload=payload, lastSeenAt=self.now, resolvedAt=None))
        for ext in self.succeeded:
            row = existing.get(ext)
            if row is not None and row["resolvedAt"] is None:
                self.session.execute(update(tbl).where(tbl.c.id == row["id"]).values(resolvedAt=self.now))
        self.saved_rejects = [(ext, reason) for ext, (reason, _p) in sorted(self.rejects.items())]
        return self.saved_rejects

    # ---- counters --------------------------------------------------------------------------------------

    def recompute_counters(self) -> None:
        """enquiryCount, bookingCount and totalRevenue of the touched properties, from what they count."""
        self.flush()
        ids = sorted(self.touched_properties)
        self.touched_properties = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            enquiries = dict(self.session.execute(
                select(Enquiry.propertyId, func.count()).where(Enquiry.propertyId.in_(chunk))
                .group_by(Enquiry.propertyId)).all())
            bookings = {r[0]: (r[1], r[2]) for r in self.session.execute(
                select(PlatformBooking.propertyId, func.count(), func.coalesce(func.sum(PlatformBooking.totalPrice), 0))
                .where(PlatformBooking.propertyId.in_(chunk),
                       PlatformBooking.status.in_(COUNTED_BOOKING_STATUSES))
                .group_by(PlatformBooking.propertyId))}
            tbl = Property.__table__
            stmt = select(tbl.c.id, tbl.c.enquiryCount, tbl.c.bookingCount, tbl.c.totalRevenue).where(
                tbl.c.id.in_(chunk))
            changed: list[dict[str, Any]] = []
            for row in self.session.execute(stmt).all():
                count, revenue = bookings.get(row.id, (0, 0))
                desired = {
                    "enquiryCount": int(enquiries.get(row.id, 0)),
                    "bookingCount": int(count),
                    "totalRevenue": Decimal(str(revenue)).quantize(Decimal("0.01")),
                }
                changes = audit.diff({k: getattr(row, k) for k in desired}, desired)
                if changes:
                    changed.append({"b_id": row.id, **{f"b_{k}": v for k, v in desired.items()}})
                    self.audit("property", row.id, "updated", changes, COUNTERS_REASON)
            if changed:  # one executemany for every property whose counters moved
                self.session.execute(update(tbl).where(tbl.c.id == bindparam("b_id")).values(
                    enquiryCount=bindparam("b_enquiryCount"), bookingCount=bindparam("b_bookingCount"),
                    totalRevenue=bindparam("b_totalRevenue", type_=tbl.c.totalRevenue.type),
                    version=tbl.c.version + 1), changed)
