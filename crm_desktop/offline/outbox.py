"""Notes and calls logged while offline: kept in the replica file, applied once when the database is back.

Each entry records the contact's `version` as the replica showed it. Applying an entry (one write
transaction on the live database per entry):
1. an interaction whose externalKey is this entry's key already exists -> it was applied before
   (e.g. the app stopped between the commit and marking the entry): mark it applied, write nothing;
2. the contact is gone, erased, or its version is no longer the one seen -> a conflict: the entry is
   kept, flagged with the reason, for the user to apply anyway or discard (it is never dropped);
3. otherwise `log_interaction(..., external_key=key)`: the unique externalKey makes a second apply of
   the same entry impossible, even from two processes at once.
Our own apply can move the contact's version (a call updates lastContactedAt); later entries for that
contact that saw the same version are moved along with it, so they do not conflict with ourselves.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact, Interaction
from crm_desktop.offline.replica import Replica
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import CrmError, NotFoundError, PermissionDenied, ValidationError
from crm_desktop.services.interactions import log_interaction
from crm_desktop.services.validation import FieldError, choice, clean_text
from crm_desktop.timeutil import now_iso

log = logging.getLogger(__name__)

OFFLINE_TYPES = ("note", "phone")  # what may be logged offline: notes and calls
KEY_PREFIX = "offline:"
PENDING, APPLIED, CONFLICT, DISCARDED = "pending", "applied", "conflict", "discarded"

OUTBOX_DDL = """
CREATE TABLE IF NOT EXISTS offline_outbox (
    id TEXT PRIMARY KEY,
    contactId TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT,
    content TEXT,
    direction TEXT NOT NULL,
    relatedEnquiryId TEXT,
    seenVersion INTEGER,
    actor TEXT NOT NULL,
    createdAt TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    problem TEXT,
    appliedAt TEXT,
    interactionId TEXT,
    force INTEGER NOT NULL DEFAULT 0
)"""


@dataclass(frozen=True)
class OutboxEntry:
    """One note or call waiting (or flagged); plain data, safe to hand to the UI thread."""

    id: str
    contact_id: str
    type: str
    subject: str | None
    content: str | None
    direction: str
    related_enquiry_id: str | None
    seen_version: int | None
    actor: Actor
    created_at: str
    status: str
    problem: str | None
    applied_at: str | None
    interaction_id: str | None
    force: bool

    @property
    def key(self) -> str:
        """The idempotency key, stored as crm_interactions.externalKey."""
        return KEY_PREFIX + self.id


@dataclass
class ApplyReport:
    applied: list[str]
    already: list[str]
    conflicts: list[str]
    failed: dict[str, str]  # entry id -> why (transport problems: the entry stays pending)

    @property
    def done(self) -> int:
        return len(self.applied) + len(self.already)


class Outbox:
    """The `offline_outbox` table inside the replica file."""

    def __init__(self, replica: Replica) -> None:
        self.replica = replica
        self._apply_lock = threading.Lock()  # one apply pass at a time in this process
        self._ready = False

    def _engine(self):
        engine = self.replica.engine
        if not self._ready:
            with engine.begin() as conn:
                conn.exec_driver_sql(OUTBOX_DDL)
            self._ready = True
        return engine

    # ---- offline: add and read -----------------------------------------------------------------

    def add(self, actor: Actor | None, contact_id: str, type: str, content: str | None, subject: str | None = None,
            direction: str | None = None, related_enquiry_id: str | None = None) -> OutboxEntry:
        """Keep a note or call logged offline. Validates like the service, against the replica."""
        if actor is None:
            raise PermissionDenied("Nobody has signed in on this computer while online yet, so notes cannot be "
                                   "logged offline: sign in once when the database is reachable.")
        actor.require("write")
        errors: dict[str, str] = {}
        try:
            type = choice(type, OFFLINE_TYPES, required=True)  # type: ignore[assignment]
        except FieldError:
            errors["type"] = "only notes and calls can be logged while offline"
        try:
            content = clean_text(content, long=True)
            subject = clean_text(subject)
        except FieldError as exc:
            errors["content"] = str(exc)
        if not content and not subject and "content" not in errors:
            errors["content"] = "is required (what was said or done)"
        direction = direction or ("internal" if type == "note" else "outbound")
        if direction not in ("inbound", "outbound", "internal"):
            errors["direction"] = "must be inbound, outbound or internal"
        engine = self._engine()
        with engine.connect() as conn:
            version = conn.execute(select(Contact.version).where(Contact.id == contact_id)).scalar()
        if version is None:
            errors["contactId"] = f"no contact with id {contact_id} in the offline copy"
        if errors:
            raise ValidationError(errors)
        entry_id = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO offline_outbox (id, contactId, type, subject, content, direction, relatedEnquiryId,"
                " seenVersion, actor, createdAt, status) VALUES (:id, :c, :t, :s, :b, :d, :e, :v, :a, :at,"
                " 'pending')"),
                {"id": entry_id, "c": contact_id, "t": type, "s": subject, "b": content, "d": direction,
                 "e": related_enquiry_id, "v": version, "a": _actor_json(actor), "at": now_iso()})
        log.info("offline outbox: kept a %s for contact %s", type, contact_id)
        return self.get(entry_id)

    def get(self, entry_id: str) -> OutboxEntry:
        rows = self._select("WHERE id = :id", {"id": entry_id})
        if not rows:
            raise NotFoundError(f"No offline entry with id {entry_id}.")
        return rows[0]

    def entries(self, status: str | None = None, contact_id: str | None = None) -> list[OutboxEntry]:
        where, params = [], {}
        if status:
            where.append("status = :status")
            params["status"] = status
        if contact_id:
            where.append("contactId = :contact")
            params["contact"] = contact_id
        return self._select(("WHERE " + " AND ".join(where)) if where else "", params)

    def counts(self) -> dict[str, int]:
        with self._engine().connect() as conn:
            return dict(conn.execute(text("SELECT status, count(*) FROM offline_outbox GROUP BY status")).all())

    def _select(self, where: str, params: dict[str, Any]) -> list[OutboxEntry]:
        with self._engine().connect() as conn:
            rows = conn.execute(text(
                "SELECT id, contactId, type, subject, content, direction, relatedEnquiryId, seenVersion, actor,"
                f" createdAt, status, problem, appliedAt, interactionId, force FROM offline_outbox {where}"
                " ORDER BY createdAt, rowid"), params).all()
        return [OutboxEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], _actor_from(r[8]), r[9], r[10],
                            r[11], r[12], r[13], bool(r[14])) for r in rows]

    # ---- conflicts: the user decides -------------------------------------------------------------

    def apply_anyway(self, entry_id: str) -> None:
        """The user has seen the conflict and wants the note kept: apply it next time, version or not."""
        self._update(entry_id, status=PENDING, force=1, problem=None)

    def discard(self, entry_id: str) -> None:
        """The user chose to drop it; kept in the table as discarded (nothing is deleted silently)."""
        self._update(entry_id, status=DISCARDED)

    def _update(self, entry_id: str, **values: Any) -> None:
        sets = ", ".join(f"{k} = :{k}" for k in values)
        with self._engine().begin() as conn:
            done = conn.execute(text(f"UPDATE offline_outbox SET {sets} WHERE id = :id AND status <> 'applied'"),
                                {**values, "id": entry_id}).rowcount
        if not done:
            raise NotFoundError(f"No pending or flagged offline entry with id {entry_id}.")

    # ---- back online: apply ----------------------------------------------------------------------

    def apply(self, live: Database) -> ApplyReport:
        """Apply every pending entry to the live database, each exactly once (see the module docstring)."""
        report = ApplyReport([], [], [], {})
        with self._apply_lock:
            for queued in self.entries(PENDING):
                entry = self.get(queued.id)  # re-read: an earlier apply may have moved its seen version
                if entry.status != PENDING:
                    continue
                try:
                    outcome, detail, version_after = live.write(lambda s, e=entry: _apply_one(s, e))
                except (IntegrityError, ValidationError) as exc:
                    # Another process applied this very entry at the same moment (the unique externalKey
                    # refused ours), or the row broke a rule: which one is decided by looking again.
                    existing = _applied_id(live, entry)
                    outcome, detail, version_after = ("already", existing, None) if existing else \
                        (CONFLICT, str(exc) if isinstance(exc, ValidationError) else "refused by the database",
                         None)
                except (OperationalError, DBAPIError) as exc:
                    # The connection went again: keep the entry pending and stop; the rest waits too.
                    report.failed[entry.id] = f"database unreachable ({type(exc).__name__})"
                    log.warning("offline outbox: apply stopped, database unreachable")
                    break
                except CrmError as exc:
                    outcome, detail, version_after = CONFLICT, str(exc), None
                self._record(entry, outcome, detail, version_after)
                {APPLIED: report.applied, "already": report.already, CONFLICT: report.conflicts}[outcome].append(
                    entry.id)
        return report

    def _record(self, entry: OutboxEntry, outcome: str, detail: str | None, version_after: int | None) -> None:
        with self._engine().begin() as conn:
            if outcome == CONFLICT:
                conn.execute(text("UPDATE offline_outbox SET status = 'conflict', problem = :p WHERE id = :id"),
                             {"p": detail, "id": entry.id})
                log.info("offline outbox: entry %s flagged as a conflict", entry.id)
                return
            conn.execute(text("UPDATE offline_outbox SET status = 'applied', appliedAt = :at, interactionId = :i,"
                              " problem = NULL WHERE id = :id"), {"at": now_iso(), "i": detail, "id": entry.id})
            if version_after is not None and entry.seen_version is not None and version_after != entry.seen_version:
                # Our own write moved the version: later entries that saw the old one follow it.
                conn.execute(text("UPDATE offline_outbox SET seenVersion = :new WHERE contactId = :c AND"
                                  " seenVersion = :old AND status = 'pending'"),
                             {"new": version_after, "c": entry.contact_id, "old": entry.seen_version})


def _applied_id(live: Database, entry: OutboxEntry) -> str | None:
    try:
        with live.read() as session:
            return session.scalar(select(Interaction.id).where(Interaction.externalKey == entry.key))
    except (OperationalError, DBAPIError):
        return None


def _apply_one(session: Any, entry: OutboxEntry) -> tuple[str, str | None, int | None]:
    """(outcome, interaction id or conflict reason, contact version after) for one entry."""
    existing = session.scalar(select(Interaction.id).where(Interaction.externalKey == entry.key))
    if existing:
        return "already", existing, None
    contact = session.scalar(select(Contact).where(Contact.id == entry.contact_id).with_for_update())
    if contact is None or contact.erasedAt:
        return CONFLICT, "The contact was removed while you were offline; the note was not added.", None
    if not entry.force and entry.seen_version is not None and contact.version != entry.seen_version:
        return CONFLICT, (f"The contact was changed while you were offline (you saw version {entry.seen_version},"
                          f" it is now version {contact.version}). Check it, then apply the note anyway or"
                          " discard it."), None
    row = log_interaction(session, entry.actor, entry.contact_id, entry.type, entry.content, subject=entry.subject,
                          direction=entry.direction, related_enquiry_id=entry.related_enquiry_id,
                          metadata={"loggedOfflineAt": entry.created_at}, external_key=entry.key)
    session.flush()
    return APPLIED, row.id, contact.version


def _actor_json(actor: Actor) -> str:
    return json.dumps({"id": actor.id, "role": actor.role, "name": actor.name})


def _actor_from(value: str) -> Actor:
    data = json.loads(value)
    return Actor(data["id"], data.get("role", "staff"), data.get("name", ""))
