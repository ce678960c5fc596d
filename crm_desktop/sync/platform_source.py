"""The platform pass: each platform table read incrementally and applied in batches.

Each table has a durable cursor (crm_sync_cursors, `platform:<table>`, see platform_cursor): the latest
`updated_at` applied, written in the same transaction as the batch it covers. A pass re-reads from
OVERLAP before the cursor, because the platform's rows can become visible a few minutes after rows
with a later `updated_at`; a re-read row whose content was already applied is skipped, and upserts write
only real changes, so the overlap costs reads, never duplicates.

`updated_at` is epoch seconds in `user` and ISO text (with 'Z', or naive meaning UTC) elsewhere. The
SQL filter is a text range that is exact for both text forms to the second; Python then normalises
every value with crm_desktop.timeutil and orders by real time.

Batches are serialised across desktops (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL),
and every lookup of existing CRM rows happens inside the locked transaction, so two desktops syncing
the same database at once cannot double anything."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, or_, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from crm_desktop.db.engine import Database, DatabaseUnavailable, redact_url
from crm_desktop.db.models import SyncReject
from crm_desktop.sync import (
    platform_bookings,
    platform_cursor,
    platform_enquiries,
    platform_listings,
    platform_memberships,
    platform_people,
)
from crm_desktop.sync.platform_tables import (
    BOOKINGS,
    ENQUIRIES,
    PAYMENTS,
    PROPERTIES,
    SUBSCRIPTIONS,
    USER,
    check_platform_tables,
)
from crm_desktop.sync.platform_writer import RowRejected, Writer, as_dict
from crm_desktop.sync.progress import CancelToken, ProgressFn, SyncSummary, TableCounts, no_progress
from crm_desktop.timeutil import now_iso, parse_ts, utcnow

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
PG_LOCK_KEY = 0x43524D53594E43  # "CRMSYNC": one platform batch at a time across desktops
# Test hook: crash (os._exit) in the middle of batch number N of a pass, before it commits.
CRASH_ENV = "CRM_SYNC_TEST_CRASH_IN_BATCH"
BATCH_ENV = "CRM_SYNC_BATCH_SIZE"  # smaller batches, for tests and very slow links


@dataclass(frozen=True)
class TableSpec:
    table: Table
    prefetch: Callable[[Writer, Sequence[Mapping[str, Any]]], None]
    apply: Callable[[Writer, Mapping[str, Any]], str]
    epoch: bool = False

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def source(self) -> str:
        return f"platform:{self.name}"


def table_specs(platform: Engine) -> list[TableSpec]:
    return [
        TableSpec(USER, platform_people.prefetch, platform_people.apply, epoch=True),
        TableSpec(PROPERTIES, platform_listings.prefetch, platform_listings.apply),
        TableSpec(ENQUIRIES, platform_enquiries.prefetch, platform_enquiries.apply),
        TableSpec(BOOKINGS, platform_bookings.prefetch, platform_bookings.apply),
        TableSpec(SUBSCRIPTIONS, lambda w, rows: platform_memberships.prefetch(w, rows, platform),
                  platform_memberships.apply),
        TableSpec(PAYMENTS, lambda w, rows: platform_memberships.prefetch_payments(w, rows, platform),
                  platform_memberships.apply_payment),
    ]


def since_clause(column, since: datetime, *, epoch: bool):
    """Rows whose updated_at is at or after `since` (to the second), for both text forms."""
    if epoch:
        return column >= int(since.timestamp())
    day, clock = since.strftime("%Y-%m-%d"), since.strftime("%H:%M:%S")
    return or_(column >= f"{day}T{clock}", and_(column >= f"{day} {clock}", column < f"{day}T"))


class _Pass:
    def __init__(self, db: Database, platform: Database, summary: SyncSummary, progress: ProgressFn,
                 cancel: CancelToken | None, batch_size: int) -> None:
        self.db, self.platform, self.summary = db, platform, summary
        self.progress, self.cancel, self.batch_size = progress, cancel, batch_size
        self.batches = 0
        crash = os.environ.get(CRASH_ENV, "")
        self.crash_in = int(crash) if crash.isdigit() else None

    @property
    def cancelled(self) -> bool:
        return bool(self.cancel and self.cancel.cancelled)

    # ---- reading the platform --------------------------------------------------------------------------

    def candidates(self, spec: TableSpec, since: datetime | None) -> list[tuple[datetime | None, Any]]:
        """(updated_at, id) of the rows to read, oldest first; rows with an unreadable updated_at first."""
        t = spec.table
        stmt = select(t.c.id, t.c.updated_at)
        if since is not None:
            stmt = stmt.where(since_clause(t.c.updated_at, since, epoch=spec.epoch))
        out: list[tuple[datetime | None, Any]] = []
        with self.read_platform() as conn:
            for row_id, updated in conn.execute(stmt):
                try:
                    ts = parse_ts(updated)
                except (ValueError, OverflowError, OSError):
                    ts = None
                if since is not None and ts is not None and ts < since:
                    continue
                out.append((ts, row_id))
        out.sort(key=lambda c: (c[0] is not None, c[0] or datetime.min, str(c[1])))
        return out

    def read_platform(self) -> Connection:
        """A connection to the platform database; read-only transactions on PostgreSQL."""
        conn = self.platform.engine.connect()
        if self.platform.dialect == "postgresql":
            conn = conn.execution_options(postgresql_readonly=True)
        return conn

    def fetch(self, spec: TableSpec, ids: Sequence[Any]) -> list[dict[str, Any]]:
        with self.read_platform() as conn:
            rows = {r.id: as_dict(r) for r in conn.execute(select(spec.table).where(spec.table.c.id.in_(list(ids))))}
        return [rows[i] for i in ids if i in rows]

    # ---- one table --------------------------------------------------------------------------------------

    def run_table(self, spec: TableSpec) -> None:
        counts = self.summary.table(f"platform {spec.name}")
        with self.db.read() as s:
            state = platform_cursor.load(s, spec.source)
        candidates = self.candidates(spec, state.since)
        label = f"platform {spec.name}"
        self.progress(label, 0, len(candidates))
        applied: set[str] = set()
        for start in range(0, len(candidates), self.batch_size):
            if self.cancelled:
                self.summary.cancelled = True
                return
            chunk = candidates[start:start + self.batch_size]
            rows = self.fetch(spec, [c[1] for c in chunk])
            stamp_of = {str(c[1]): c[0] for c in chunk}
            digests = {str(r["id"]): platform_cursor.digest(r) for r in rows}
            # Rows re-read in the overlap whose content is what was applied before are skipped.
            todo = [r for r in rows if not state.is_known(str(r["id"]), digests[str(r["id"])])]
            stamps = [c[0] for c in chunk if c[0] is not None]
            at = min(max(stamps), utcnow()) if stamps else None
            new_state = state.advanced(((i, d, stamp_of.get(i)) for i, d in digests.items()), at)
            if todo or new_state.to_text() != state.to_text():
                self.apply_batch(spec, todo, counts, new_state)
            counts.read += len(rows) - len(todo)
            counts.unchanged += len(rows) - len(todo)
            applied.update(str(r["id"]) for r in todo)
            state = new_state
            self.progress(label, start + len(chunk), len(candidates))
        if not self.cancelled:
            self.retry_rejects(spec, counts, applied)

    def retry_rejects(self, spec: TableSpec, counts: TableCounts, seen: set[str]) -> None:
        """Rows set aside earlier are tried again: what they were waiting for (a property, an owner) may
        have arrived without the row itself changing."""
        with self.db.read() as s:
            open_ids = [e for e in s.scalars(select(SyncReject.externalId).where(
                SyncReject.source == spec.source, SyncReject.resolvedAt.is_(None))).all() if e not in seen]
        if not open_ids:
            return
        ids: list[Any] = [int(e) if spec.name != "user" and e.isdigit() else e for e in open_ids]
        for start in range(0, len(ids), self.batch_size):
            rows = self.fetch(spec, ids[start:start + self.batch_size])
            if rows:
                self.apply_batch(spec, rows, counts, None)

    def apply_batch(self, spec: TableSpec, rows: list[dict[str, Any]], counts: TableCounts,
                    new_cursor: platform_cursor.CursorState | None) -> None:
        self.batches += 1
        crash_here = self.crash_in == self.batches

        def work(session: Session, careful: bool) -> Writer:
            _lock(session)
            w = Writer(session, spec.name, now_iso())
            spec.prefetch(w, rows)
            for i, row in enumerate(rows):
                if crash_here and i == len(rows) // 2:
                    w.flush()
                    session.flush()
                    os._exit(3)
                if careful:
                    _apply_carefully(w, spec, row, rows)
                else:
                    _apply_row(w, spec, row)
            w.recompute_counters()
            w.flush()
            w.save_rejects(spec.source)
            if new_cursor is not None:
                platform_cursor.save(session, spec.source, new_cursor)
            return w

        try:
            w = self.db.write(lambda s: work(s, careful=False))
        except (IntegrityError, DBAPIError) as exc:
            if isinstance(exc, OperationalError) and not isinstance(exc, IntegrityError):
                raise
            log.warning("batch of %s failed (%s); retrying row by row", spec.name, exc.__class__.__name__)
            w = self.db.write(lambda s: work(s, careful=True))
        for key in ("read", "created", "updated", "unchanged", "set_aside"):
            setattr(counts, key, getattr(counts, key) + getattr(w.counts, key))
        self.summary.rejects.extend((f"platform {spec.name}", ext, reason) for ext, reason in w.saved_rejects)


def _apply_row(w: Writer, spec: TableSpec, row: Mapping[str, Any]) -> None:
    ext = str(row["id"])
    w.counts.read += 1
    try:
        try:
            parse_ts(row["updated_at"])
        except (ValueError, OverflowError, OSError) as exc:
            raise RowRejected(f"updated_at {row['updated_at']!r} is not a date and time") from exc
        outcome = spec.apply(w, row)
    except RowRejected as exc:
        w.reject(ext, str(exc), row)
        return
    except (ValueError, TypeError, ArithmeticError, OverflowError) as exc:
        # Data no rule foresaw: set the row aside (with the reason) rather than stop the pass.
        log.warning("platform %s row %s could not be read", spec.name, ext, exc_info=True)
        w.reject(ext, f"could not be read: {exc}", row)
        return
    setattr(w.counts, outcome, getattr(w.counts, outcome) + 1)
    w.succeeded.add(ext)


def _apply_carefully(w: Writer, spec: TableSpec, row: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """One row in its own savepoint: a row the database refuses is set aside, the others go through."""
    before = (w.counts.read, w.counts.created, w.counts.updated, w.counts.unchanged, w.counts.set_aside)
    try:
        with w.session.begin_nested():
            _apply_row(w, spec, row)
            w.flush()
    except (IntegrityError, DBAPIError) as exc:
        (w.counts.read, w.counts.created, w.counts.updated, w.counts.unchanged, w.counts.set_aside) = before
        w.succeeded.discard(str(row["id"]))
        w.reset_caches()
        spec.prefetch(w, rows)  # the caches may hold rows the savepoint rolled back
        w.counts.read += 1
        first_line = str(getattr(exc, "orig", exc)).strip().splitlines()
        w.reject(str(row["id"]), f"the CRM database refused it: {first_line[0] if first_line else exc}", row)


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def sync_platform(db: Database, platform: Database, summary: SyncSummary, progress: ProgressFn = no_progress,
                  cancel: CancelToken | None = None, *, batch_size: int | None = None) -> SyncSummary:
    """One pass over every platform table, in dependency order."""
    if batch_size is None:
        env = os.environ.get(BATCH_ENV, "")
        batch_size = int(env) if env.isdigit() and int(env) > 0 else BATCH_SIZE
    try:
        check_platform_tables(platform.engine, platform.url)
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines() if exc.orig else [str(exc)]
        raise DatabaseUnavailable(f"Cannot reach the platform database {redact_url(platform.url)}: {first[0]}") from exc
    run = _Pass(db, platform, summary, progress, cancel, batch_size)
    for spec in table_specs(platform.engine):
        if run.cancelled:
            summary.cancelled = True
            break
        run.run_table(spec)
    return summary
