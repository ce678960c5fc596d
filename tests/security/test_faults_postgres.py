"""Faults on PostgreSQL: the server going away mid-write and being down. Uses a throwaway server of its own
(initdb in a temp folder, another port), never the shared one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import DBAPIError

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database, DatabaseUnavailable
from crm_desktop.db.errors import classify, describe_db_error
from crm_desktop.db.migrate import upgrade
from crm_desktop.db.models import ActivityLog, Contact
from crm_desktop.services import contacts

BIN = Path(os.environ.get("CRM_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A private PostgreSQL cluster this test can stop and kill at will."""

    def __init__(self, root: Path) -> None:
        self.data = root / "pgdata"
        self.log = root / "pg.log"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0  # the server refuses to run as root
        if self.as_postgres:
            shutil.chown(root, "postgres")
        self._run(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def _run(self, *args) -> None:
        cmd = [str(a) for a in args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-o",
                  f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def running(self) -> bool:
        cmd = [str(BIN / "pg_ctl"), "-D", str(self.data), "status"]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0

    def ensure_up(self, timeout: float = 60) -> None:
        """Wait out a crash-recovery or shutdown in progress, then start the server if it is down."""
        import time

        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                                connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                pass
            if not self.running():
                try:
                    self.start()
                except subprocess.CalledProcessError:
                    pass
            time.sleep(0.3)
        raise AssertionError("the throwaway PostgreSQL did not come back")

    def kill(self) -> None:
        """Stop at once, as a crash or a pulled cable would: open transactions are lost."""
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="module")
def throwaway_pg():
    if not (BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL server binaries in {BIN}")
    # Directly under the temp folder: pytest's own folders are private to root, which the server is not.
    root = Path(tempfile.mkdtemp(prefix="crm-faults-pg-"))
    server = ThrowawayPostgres(root)
    db = Database(server.url)
    upgrade(db.engine)
    db.dispose()
    yield server
    try:
        server.kill()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(root, ignore_errors=True)


def counts(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Contact)),
                s.scalar(select(func.count()).select_from(ActivityLog)))


def test_server_killed_mid_write_loses_the_transaction_whole_and_says_so(throwaway_pg, admin):
    db = Database(throwaway_pg.url)
    before = counts(db)
    with pytest.raises(DBAPIError) as info:
        with db.write_session() as s:
            contacts.create_contact(s, admin, {"type": "guest", "email": "mid-write@example.com"})
            s.flush()  # the row and its audit entry are on the server, not yet committed
            throwaway_pg.kill()
            contacts.create_contact(s, admin, {"type": "guest", "email": "second@example.com"})
            s.flush()
    assert classify(info.value) == "lost"  # "server closed the connection unexpectedly"
    message = describe_db_error(info.value)
    assert "nothing half-written is kept" in message
    from crm_desktop.ui.errors import describe  # what the window's error dialog says

    assert describe(info.value).text == message

    with pytest.raises(DatabaseUnavailable, match="Cannot reach the CRM database"):  # while it is down
        AppContext(Settings(database_url=throwaway_pg.url, platform_database_url=throwaway_pg.url)) \
            .check_reachable()
    with pytest.raises(DBAPIError) as down:
        db.write(lambda s: contacts.create_contact(s, admin, {"type": "guest", "email": "down@example.com"}))
    assert classify(down.value) in ("unreachable", "lost")

    throwaway_pg.start()
    assert counts(db) == before  # nothing of the cut-off transaction survived
    db.write(lambda s: contacts.create_contact(s, admin, {"type": "guest", "email": "after@example.com"}))
    assert counts(db) == (before[0] + 1, before[1] + 1)  # and the same handle works again (pre-ping)
    db.dispose()


def test_cli_reports_an_unreachable_server_in_one_line(throwaway_pg, capsys, monkeypatch):
    from crm_desktop import cli

    throwaway_pg.kill()
    try:
        monkeypatch.setenv("CRM_DATABASE_URL", throwaway_pg.url)
        assert cli.main(["init"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
    finally:
        throwaway_pg.start()


@pytest.fixture
def pg_url(crm_url: str) -> str:
    if not crm_url.startswith("postgresql"):
        pytest.skip("PostgreSQL row and table locks")
    return crm_url


def test_a_locked_table_times_out_with_a_clear_message_then_retries_through(pg_url, admin, monkeypatch):
    import threading

    from crm_desktop.db import engine as engine_mod
    from crm_desktop.db.engine import normalise_url

    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 200)
    db = Database(pg_url)
    holder = create_engine(normalise_url(pg_url)).connect()
    holder.exec_driver_sql("BEGIN")
    holder.exec_driver_sql("LOCK TABLE crm_contacts IN EXCLUSIVE MODE")  # another desktop mid-write
    before = None
    try:
        with pytest.raises(DBAPIError) as info:
            db.write(lambda s: contacts.create_contact(s, admin, {"type": "guest", "email": "x@example.com"}),
                     attempts=2)
        assert classify(info.value) == "busy" and "Nothing was saved" in describe_db_error(info.value)
        release = threading.Timer(0.5, lambda: holder.exec_driver_sql("ROLLBACK"))
        release.start()
        db.write(lambda s: contacts.create_contact(s, admin, {"type": "guest", "email": "y@example.com"}))
        release.join()
        before = counts(db)
    finally:
        holder.close()
    assert before == (1, 1)  # the refused write left nothing; the retried one is whole
    db.dispose()


def test_disk_full_under_postgresql_keeps_every_committed_write(tmp_path_factory, admin):
    """PostgreSQL on a 60 MB tmpfs (root only): it fills, the server stops (WAL full), and after the disk
    is grown and the server restarted, every write that was confirmed is there and the failed one is not."""
    import os

    if os.geteuid() != 0 or not (BIN / "initdb").exists():
        pytest.skip("needs root (to mount a tmpfs) and the PostgreSQL server binaries")
    mount = Path(tempfile.mkdtemp(prefix="crm-pgfull-"))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=60m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    server = None
    try:
        server = ThrowawayPostgres(mount)
        db = Database(server.url)
        upgrade(db.engine)
        confirmed = 0
        with pytest.raises(DBAPIError) as info:
            for n in range(5000):
                db.write(lambda s, n=n: contacts.create_contact(
                    s, admin, {"type": "guest", "email": f"g{n}@example.com", "notes": os.urandom(9000).hex()}))
                confirmed += 1
        assert confirmed > 0 and classify(info.value) in ("full", "lost", "unreachable"), info.value
        if classify(info.value) == "full":
            assert describe_db_error(info.value).startswith("The disk holding the CRM database is full")
        db.dispose()
        subprocess.run(["mount", "-o", "remount,size=200m", str(mount)], check=True)
        server.ensure_up()  # it may have stayed up (a data file was full) or be stopping after a full WAL
        db = Database(server.url)
        assert counts(db) == (confirmed, confirmed)
        db.dispose()
    finally:
        if server is not None:
            try:
                server.kill()
            except subprocess.CalledProcessError:
                pass
        subprocess.run(["umount", "-l", str(mount)], check=False)
        shutil.rmtree(mount, ignore_errors=True)
