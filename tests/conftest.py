"""Shared fixtures: a migrated CRM database on SQLite and, when CRM_TEST_POSTGRES_URL is set, on
PostgreSQL too (each DB test runs on both). The schema comes from `alembic upgrade head`, once per run;
each test gets clean tables."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from crm_desktop.db.engine import Database, normalise_url
from crm_desktop.db.migrate import upgrade
from crm_desktop.services.actor import SYSTEM, Actor

PG_URL = os.environ.get("CRM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class MemoryKeyring(KeyringBackend):
    """An in-memory keychain for tests (never a plain-text file)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real user data folder or inherits a real key."""
    data = tmp_path / "appdata"
    monkeypatch.setenv("CRM_DATA_DIR", str(data))
    for var in ("CRM_DATABASE_URL", "CRM_PLATFORM_DATABASE_URL", "CRM_STRIPE_API_KEY", "CRM_STRIPE_API_BASE",
                "CRM_SMTP_URL"):
        monkeypatch.delenv(var, raising=False)
    return data


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "crm.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str | None]:
    """A private PostgreSQL database for this test run, migrated once, dropped at the end."""
    if not PG_URL:
        yield None
        return
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"crm_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalise_url(PG_URL).rsplit("/", 1)[0] + f"/{name}"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(db: Database) -> None:
    """Empty every table. A previous test's background thread may still hold a connection (a late
    refresh, a pool not yet disposed), which can deadlock TRUNCATE: end those sessions first and retry."""
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                tables = [r[0] for r in conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"))]
                if tables:
                    conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture(params=BACKENDS)
def crm_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path,
            pg_database_url: str | None) -> str:
    """The URL of a freshly migrated, empty CRM database (SQLite file or PostgreSQL)."""
    if request.param == "sqlite":
        path = tmp_path / "crm.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    assert pg_database_url
    db = Database(pg_database_url)
    _truncate_pg(db)
    db.dispose()
    return pg_database_url


@pytest.fixture
def db(crm_url: str) -> Iterator[Database]:
    database = Database(crm_url)
    yield database
    database.dispose()


@pytest.fixture
def admin() -> Actor:
    return Actor("staff-admin", "admin", "Ada Admin")


@pytest.fixture
def system() -> Actor:
    return SYSTEM
