"""Database failures in words a member of staff can act on.

Drivers report a locked file, a full disk or a dropped connection as OperationalError with text that
differs between SQLite and PostgreSQL; `describe_db_error` maps them to one sentence saying what
happened, what became of the change (a failed transaction is rolled back whole, so nothing half-written
is kept) and what to do next. `user_error` wraps that in DatabaseUnavailable for the window and CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError, ProgrammingError, SQLAlchemyError

from crm_desktop.db.engine import DatabaseUnavailable

# (kind, needles in the lower-cased driver message, what to tell the user)
_KINDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("busy", ("database is locked", "database table is locked", "database is busy", "sqlite_busy",
              "lock timeout", "deadlock detected", "could not serialize"),
     "The CRM database is busy: another program or computer is holding it locked. Nothing was saved; "
     "try again in a moment."),
    ("full", ("database or disk is full", "no space left on device", "disk full", "could not extend file",
              "sqlite_full"),
     "The disk holding the CRM database is full. Nothing was saved; free some space and try again."),
    ("readonly", ("attempt to write a readonly database", "read-only", "readonly"),
     "The CRM database can only be read here (a read-only file or server). Nothing was saved."),
    ("damaged", ("database disk image is malformed", "file is not a database", "file is encrypted"),
     "The CRM database file is damaged or is not a CRM database. Restore it from a backup."),
    ("unreachable", ("connection refused", "could not connect", "unable to open database file",
                     "could not translate host name", "timeout expired", "no route to host",
                     "name or service not known", "password authentication failed",
                     "the database system is in recovery mode", "the database system is starting up",
                     "the database system is shutting down", "the database system is not accepting"),
     "The CRM database cannot be reached. Nothing was saved; check the network and that the database "
     "server is running, then try again."),
    ("lost", ("server closed the connection", "terminating connection", "connection is lost",
              "connection was lost", "connection already closed", "consuming input failed",
              "ssl connection has been closed", "server conn crashed", "the connection is closed",
              "connection reset by peer", "broken pipe", "admin shutdown"),
     "The connection to the CRM database was lost. The database undoes a transaction cut off like this, "
     "so nothing half-written is kept; reload to see whether your last change was saved, then try again."),
)


def classify(exc: BaseException) -> str:
    """'busy', 'full', 'readonly', 'damaged', 'unreachable', 'lost', 'schema' or 'other'."""
    if isinstance(exc, NoSuchTableError | ProgrammingError):
        return "schema"
    text = first_line(exc).lower()
    for kind, needles, _message in _KINDS:
        if any(n in text for n in needles):
            return kind
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "lost"
    return "other"


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def describe_db_error(exc: BaseException) -> str:
    """One or two sentences for the user; the driver's own words are added only when nothing matched."""
    kind = classify(exc)
    for name, _needles, message in _KINDS:
        if name == kind:
            return message
    if kind == "schema":
        return (f"The database is missing a table or column ({first_line(exc)}); run `python main.py init`, "
                "and check the platform database URL.")
    return f"Database problem: {first_line(exc)}. Nothing was saved."


def user_error(exc: BaseException) -> DatabaseUnavailable:
    error = DatabaseUnavailable(describe_db_error(exc))
    error.kind = classify(exc)  # type: ignore[attr-defined]
    return error


def is_db_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | DBAPIError | SQLAlchemyError)


@contextmanager
def translated() -> Iterator[None]:
    """Run a block, turning driver errors into DatabaseUnavailable with a plain message."""
    try:
        yield
    except (OperationalError, DBAPIError, NoSuchTableError) as exc:
        raise user_error(exc) from exc
