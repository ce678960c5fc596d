"""The offline replica: a local SQLite copy of what the window shows, for when the shared database is gone.

Why a full CRM schema: the replica is created by the same Alembic migrations as any CRM database, so a
`Database` on the replica URL serves the same list tables, details and search (FTS index included)
without a second set of queries. What it holds: staff (names and roles only), contacts, properties,
enquiries, memberships, segments, interactions and the last AUDIT_DAYS of the audit log. What it never
holds: Contact.taxId and Contact.bankDetails (not even encrypted), staff password hashes or lock-outs,
settings, sync state, or any secret. Those columns are simply not selected from the source.

Refreshing:
- `refresh(source)` (quick): rows whose change timestamp is at or after the newest one copied before.
  Cheap; run on start and on the window's refresh.
- `refresh(source, full=True)` (after every sync): compares (id, version) pairs, so rows changed without
  a newer timestamp (counters, another desktop's clock) are fetched and rows deleted at the source are
  removed here too.

The replica file also holds the offline outbox (see crm_desktop.offline.outbox) and a small
`offline_meta` table: when it was last refreshed and from which database (URL without password).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Table, event, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crm_desktop.config import data_dir
from crm_desktop.db.engine import Database, make_engine, redact_url
from crm_desktop.db.models import (
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Membership,
    Property,
    Segment,
    Staff,
)
from crm_desktop.services.actor import Actor
from crm_desktop.timeutil import iso, now_iso, utcnow

log = logging.getLogger(__name__)

REPLICA_FILE = "replica.sqlite3"
AUDIT_DAYS = 90
BATCH = 500

META_DDL = "CREATE TABLE IF NOT EXISTS offline_meta (key TEXT PRIMARY KEY, value TEXT)"


@dataclass(frozen=True)
class TableCopy:
    """How one table is copied: which columns never leave the source, and what says "changed"."""

    table: Table
    never_copied: frozenset[str] = frozenset()
    changed_at: str | None = None  # column holding the row's last-change time (ISO text)
    changed_fallback: str | None = None  # used where changed_at is NULL
    window_column: str | None = None  # only rows newer than AUDIT_DAYS by this column

    @property
    def name(self) -> str:
        return self.table.name

    def columns(self) -> list[Column]:
        return [c for c in self.table.columns if c.name not in self.never_copied]

    @property
    def versioned(self) -> bool:
        return "version" in self.table.columns

    def changed_expr(self) -> Any:
        col = self.table.c[self.changed_at] if self.changed_at else None
        if col is not None and self.changed_fallback:
            return func.coalesce(col, self.table.c[self.changed_fallback])
        return col


# In foreign-key order. Sensitive columns are listed here and nowhere else: a test checks them.
NEVER_COPIED = {
    "crm_contacts": frozenset({"taxId", "bankDetails"}),
    "crm_staff": frozenset({"passwordHash", "failedLogins", "lockedUntil"}),
}
COPIES: tuple[TableCopy, ...] = (
    TableCopy(Staff.__table__, NEVER_COPIED["crm_staff"], "updatedAt"),  # type: ignore[arg-type]
    TableCopy(Contact.__table__, NEVER_COPIED["crm_contacts"], "updatedAt"),  # type: ignore[arg-type]
    TableCopy(Property.__table__, changed_at="updatedAt"),  # type: ignore[arg-type]
    TableCopy(Enquiry.__table__, changed_at="lastUpdatedAt", changed_fallback="createdAt"),  # type: ignore[arg-type]
    TableCopy(Membership.__table__, changed_at="updatedAt"),  # type: ignore[arg-type]
    TableCopy(Segment.__table__, changed_at="addedAt"),  # type: ignore[arg-type]
    TableCopy(Interaction.__table__, changed_at="createdAt"),  # type: ignore[arg-type]
    TableCopy(ActivityLog.__table__, changed_at="timestamp", window_column="timestamp"),  # type: ignore[arg-type]
)


@dataclass
class RefreshReport:
    full: bool
    copied: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    refreshed_at: str = ""

    @property
    def total_copied(self) -> int:
        return sum(self.copied.values())


def default_replica_path() -> Path:
    return data_dir() / REPLICA_FILE


def _replica_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # A cache, not a source of truth: rows arrive in batches, so foreign keys are not enforced on
    # writes here, and REPLACE fires the delete triggers that keep the contact search index right.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = OFF")
    cur.execute("PRAGMA recursive_triggers = ON")
    cur.execute("PRAGMA cache_size = -65536")  # 64 MB: bulk copies update many indexes at once
    cur.close()


def _query_only(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only = ON")
    cur.close()


class Replica:
    """The replica file: create/upgrade it, refresh it from the live database, open it read-only."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_replica_path()
        self.url = f"sqlite:///{self.path}"
        self._engine: Engine | None = None
        self._lock = threading.RLock()

    # ---- the file ---------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    @property
    def engine(self) -> Engine:
        """The writer engine (migrated on first use)."""
        with self._lock:  # the window's thread and a refresh task may both ask first
            if self._engine is None:
                self._engine = self._open()
                if self._stale_tables():
                    self._rebuild()
                _private(self.path)
            return self._engine

    def _open(self) -> Engine:
        engine = make_engine(self.url)
        event.listen(engine, "connect", _replica_pragmas)
        # Alembic is a heavy import (~140 ms): load it when the copy is first opened, off the paint path.
        from crm_desktop.db.migrate import upgrade

        upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(META_DDL)
        return engine

    def _stale_tables(self) -> list[str]:
        """Copied tables whose columns differ from this version's (a copy made by an older build)."""
        assert self._engine is not None
        stale = []
        with self._engine.connect() as conn:
            for copy in COPIES:
                have = {r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{copy.name}")')}
                if have != {c.name for c in copy.table.columns}:
                    stale.append(copy.name)
        return stale

    def _rebuild(self) -> None:
        """Start the copy again with this version's schema, keeping the outbox (notes not yet sent)."""
        from crm_desktop.offline.outbox import OUTBOX_DDL

        assert self._engine is not None
        log.warning("replica: made by another version of the app; starting it again (outbox kept)")
        with self._engine.connect() as conn:
            has_outbox = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'offline_outbox'").first()
            kept = [dict(r._mapping) for r in conn.exec_driver_sql("SELECT * FROM offline_outbox")] \
                if has_outbox else []
        self._engine.dispose()
        for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            p.unlink(missing_ok=True)
        self._engine = self._open()
        with self._engine.begin() as conn:
            conn.exec_driver_sql(OUTBOX_DDL)
            for row in kept:
                cols = ", ".join(row)
                conn.execute(text(f"INSERT INTO offline_outbox ({cols}) VALUES ({', '.join(':' + c for c in row)})"),
                             row)

    def reader(self) -> Database:
        """A Database on the replica that refuses every write (PRAGMA query_only): for offline views."""
        if not self.exists:
            raise FileNotFoundError(self.path)
        self.engine  # noqa: B018 - make sure it is migrated to this version's schema first
        db = Database(self.url)
        event.listen(db.engine, "connect", _query_only)
        return db

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # ---- metadata ---------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        if not self.exists:
            return None
        with self.engine.connect() as conn:
            return self._get_meta(conn, key)

    @staticmethod
    def _get_meta(conn: Any, key: str) -> str | None:
        return conn.execute(text("SELECT value FROM offline_meta WHERE key = :k"), {"k": key}).scalar()

    def _set_meta(self, conn: Any, key: str, value: str | None) -> None:
        conn.execute(text("INSERT INTO offline_meta(key, value) VALUES (:k, :v) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value"), {"k": key, "v": value})

    @property
    def refreshed_at(self) -> str | None:
        """When the replica was last brought up to date (ISO UTC), or None if never."""
        return self.meta("refreshedAt")

    @property
    def signed_in(self) -> Actor | None:
        """Who last used the app online on this computer (None if nobody yet)."""
        value = self.meta("signedIn")
        if not value:
            return None
        data = json.loads(value)
        return Actor(data["id"], data.get("role", "staff"), data.get("name", ""))

    def has_staff(self) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(Staff.__table__)).scalar())

    @property
    def source(self) -> str | None:
        """The database it copies (URL with the password hidden)."""
        return self.meta("source")

    # ---- refreshing -------------------------------------------------------------------------------

    def refresh(self, source: Database, *, full: bool = False, signed_in: Actor | None = None) -> RefreshReport:
        """Bring the replica up to date from `source` (the live CRM database).

        `signed_in` is who is using the app on this computer: offline, notes are logged as them.
        """
        source_name = redact_url(source.url)
        report = RefreshReport(full=full)
        started = now_iso()
        with self.engine.begin() as dst:
            if self._get_meta(dst, "source") not in (None, source_name):
                log.info("replica: source changed, starting again")
                for copy in reversed(COPIES):
                    dst.execute(copy.table.delete())
                for copy in COPIES:
                    self._set_meta(dst, f"cursor:{copy.name}", None)
                full = report.full = True
            with source.engine.connect() as src:
                for copy in COPIES:
                    copied, deleted = self._refresh_table(src, dst, copy, full)
                    report.copied[copy.name] = copied
                    if deleted:
                        report.deleted[copy.name] = deleted
            self._set_meta(dst, "source", source_name)
            self._set_meta(dst, "refreshedAt", started)
            if signed_in is not None and signed_in.role != "system":
                self._set_meta(dst, "signedIn", json.dumps(
                    {"id": signed_in.id, "role": signed_in.role, "name": signed_in.name}))
        report.refreshed_at = started
        log.debug("replica refreshed (full=%s): %s copied", full, report.total_copied)
        return report

    def _refresh_table(self, src: Any, dst: Any, copy: TableCopy, full: bool) -> tuple[int, int]:
        table = copy.table
        cursor_key = f"cursor:{copy.name}"
        cursor = None if full else self._get_meta(dst, cursor_key)
        changed = copy.changed_expr()
        since = iso(utcnow() - timedelta(days=AUDIT_DAYS)) if copy.window_column else None
        deleted = 0
        if full or cursor is None:
            ids = self._ids_to_fetch(src, dst, copy, since)
            deleted = self._delete_missing(src, dst, copy, since)
            copied = self._copy_ids(src, dst, copy, ids)
        else:
            stmt = select(*copy.columns()).where(changed >= cursor)
            if since:
                stmt = stmt.where(table.c[copy.window_column] >= since)
            copied = self._copy_rows(dst, copy, src.execute(stmt))
            if since:
                deleted = dst.execute(table.delete().where(table.c[copy.window_column] < since)).rowcount
        if changed is not None:
            newest = src.execute(select(func.max(changed))).scalar()
            if newest:
                self._set_meta(dst, cursor_key, newest)
        return copied, deleted

    def _ids_to_fetch(self, src: Any, dst: Any, copy: TableCopy, since: str | None) -> list[str]:
        """Ids whose (id, version) differs from the replica's: new rows and changed rows."""
        table = copy.table
        cols = [table.c.id] + ([table.c.version] if copy.versioned else [])
        stmt = select(*cols)
        if since:
            stmt = stmt.where(table.c[copy.window_column] >= since)
        have = dict(dst.execute(select(*cols)).all()) if copy.versioned else {
            r[0]: None for r in dst.execute(select(table.c.id))}
        wanted = []
        for row in src.execute(stmt):
            if row[0] not in have or (copy.versioned and have[row[0]] != row[1]):
                wanted.append(row[0])
        return wanted

    def _delete_missing(self, src: Any, dst: Any, copy: TableCopy, since: str | None) -> int:
        table = copy.table
        stmt = select(table.c.id)
        if since:
            stmt = stmt.where(table.c[copy.window_column] >= since)
        present = {r[0] for r in src.execute(stmt)}
        gone = [r[0] for r in dst.execute(select(table.c.id)) if r[0] not in present]
        for chunk in _chunks(gone, BATCH):
            dst.execute(table.delete().where(table.c.id.in_(chunk)))
        return len(gone)

    def _copy_ids(self, src: Any, dst: Any, copy: TableCopy, ids: list[str]) -> int:
        total = 0
        for chunk in _chunks(ids, BATCH):
            rows = src.execute(select(*copy.columns()).where(copy.table.c.id.in_(chunk)))
            total += self._copy_rows(dst, copy, rows)
        return total

    def _copy_rows(self, dst: Any, copy: TableCopy, rows: Any) -> int:
        total = 0
        stmt = sqlite_insert(copy.table).prefix_with("OR REPLACE")
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(row._mapping))
            if len(batch) >= BATCH:
                dst.execute(stmt, batch)
                total += len(batch)
                batch = []
        if batch:
            dst.execute(stmt, batch)
            total += len(batch)
        return total


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _private(path: Path) -> None:
    """Only the user may read the replica (it holds personal data)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.exists():
                os.chmod(p, 0o600)
        except OSError:  # e.g. a file system without permissions
            log.debug("cannot restrict %s", p, exc_info=True)
