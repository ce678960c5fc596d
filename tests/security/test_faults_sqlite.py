"""Faults on SQLite: a file locked by another program, a full disk. The user is told, nothing is half-written."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from crm_desktop.db import engine as engine_mod
from crm_desktop.db.engine import Database
from crm_desktop.db.errors import classify, describe_db_error, translated
from crm_desktop.db.migrate import upgrade
from crm_desktop.db.models import ActivityLog, Contact
from crm_desktop.services import contacts


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "crm.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


def counts(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Contact)),
                s.scalar(select(func.count()).select_from(ActivityLog)))


def add(db: Database, admin, n: int, *, notes: str | None = None, attempts: int = 5) -> None:
    data = {"type": "guest", "email": f"g{n}@example.com", **({"notes": notes} if notes else {})}
    db.write(lambda s: contacts.create_contact(s, admin, data), attempts=attempts)


def test_locked_file_fails_with_a_clear_message_after_waiting(sqlite_url, admin, monkeypatch):
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 150)
    db = Database(sqlite_url)
    holder = sqlite3.connect(sqlite_path(sqlite_url), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as info:
            add(db, admin, 1, attempts=3)
        assert time.monotonic() - started >= 0.3  # it waited (busy timeout, then retries)
        assert classify(info.value) == "busy"
        assert "busy" in describe_db_error(info.value) and "Nothing was saved" in describe_db_error(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert counts(db) == (0, 0)
    add(db, admin, 2)  # and it works again once the other program lets go
    assert counts(db) == (1, 1)
    db.dispose()


def test_write_retries_until_the_lock_is_released(sqlite_url, admin, monkeypatch):
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 100)
    db = Database(sqlite_url)
    holder = sqlite3.connect(sqlite_path(sqlite_url), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.4, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        add(db, admin, 1)  # first attempts hit the lock; a later one gets through
    finally:
        release.join()
        holder.close()
    assert counts(db) == (1, 1)
    db.dispose()


def test_full_database_keeps_every_committed_row_and_no_partial_one(sqlite_url, admin):
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_conn, _record):  # simulate a disk with room for only a few more pages
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 12}")

    db.engine.dispose()
    notes = "long note " * 1500
    written = 0
    with pytest.raises(OperationalError) as info:
        for n in range(200):
            add(db, admin, n, notes=notes)
            written += 1
    assert 0 < written < 200
    assert classify(info.value) == "full"
    assert describe_db_error(info.value).startswith("The disk holding the CRM database is full")
    assert counts(db) == (written, written)  # every contact has its audit entry, the failed one has neither
    with pytest.raises(engine_mod.DatabaseUnavailable, match="full"):
        with translated():
            add(db, admin, 999, notes=notes)
    db.dispose()


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 600 KiB tmpfs (needs root); skipped where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_real_disk_full_on_tmpfs(tiny_disk: Path, sqlite_template: Path, admin):
    path = tiny_disk / "crm.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    written = 0
    with pytest.raises(OperationalError) as info:
        for n in range(500):
            add(db, admin, n, notes=f"note {n} " * 2000)
            written += 1
    assert written > 0 and classify(info.value) == "full", (written, info.value)
    assert counts(db) == (written, written)
    db.dispose()


def test_the_window_names_a_full_disk_not_an_unreachable_database(sqlite_url, admin):
    from crm_desktop.ui.errors import describe

    db = Database(sqlite_url)

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA max_page_count = 1")  # smaller than the database: every write fails

    db.engine.dispose()
    with pytest.raises(OperationalError) as info:
        add(db, admin, 1, notes="x" * 5000)
    described = describe(info.value)
    assert described.text.startswith("The disk holding the CRM database is full") and "could not be reached" \
        not in described.text
    db.dispose()
