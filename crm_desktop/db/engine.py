"""Engines and sessions for the CRM database (SQLite by default, PostgreSQL when shared).

SQLite is set up for a desktop app shared by several processes: WAL (readers never block the writer),
foreign keys on, a busy timeout, and write transactions that start with BEGIN IMMEDIATE so two writers
queue for the lock instead of one failing at once with "database is locked" on a lock upgrade.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened or reached; the message is fit to show a user."""


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def redact_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" hook below emits BEGIN itself.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    # INSERT OR REPLACE then fires the DELETE triggers of the rows it replaces, so the dashboard's
    # running totals (crm_desktop.db.counters) stay exact whatever the writer does.
    cur.execute("PRAGMA recursive_triggers = ON")
    try:
        cur.execute("PRAGMA journal_mode = WAL")
    except Exception:  # read-only media or an in-memory database: keep the default journal
        log.debug("WAL not available", exc_info=True)
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; raises DatabaseUnavailable with a clear message for a bad URL."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"Not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            parent = Path(db).expanduser().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(f"Cannot create the folder {parent}: {exc.strerror}") from exc
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed, echo=echo, pool_pre_ping=True,
            # lock_timeout: a row or table held by another desktop fails (and is retried) instead of hanging.
            connect_args={"connect_timeout": 5, "options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"},
        )
    try:
        return create_engine(parsed, echo=echo)
    except Exception as exc:  # unknown dialect / missing driver
        raise DatabaseUnavailable(f"Unsupported database URL {redact_url(url)}: {exc}") from exc


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _is_retryable(exc: BaseException) -> bool:
    """Lock contention and serialisation failures are worth a retry; everything else is not."""
    if not isinstance(exc, OperationalError | DBAPIError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return any(s in text for s in ("database is locked", "database table is locked", "deadlock detected",
                                   "lock timeout",
                                   "could not serialize", "busy"))


class Database:
    """One CRM database: the engine, a read-session factory and retried write transactions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        write_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(self.engine) else self.engine
        )
        self._write = sessionmaker(write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A session for reading (deferred transaction)."""
        return self._read()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    def write(self, fn: Callable[[Session], T], *, attempts: int = 5) -> T:
        """Run fn in a write transaction, retrying lock contention with jittered backoff."""
        for attempt in range(1, attempts + 1):
            try:
                with self.write_session() as session:
                    return fn(session)
            except (OperationalError, DBAPIError) as exc:
                if attempt == attempts or not _is_retryable(exc):
                    raise
                delay = min(2.0, 0.05 * 2**attempt) * (0.5 + random.random())
                log.warning("write retry %d after %s", attempt, exc.__class__.__name__)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
