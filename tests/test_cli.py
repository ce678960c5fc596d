"""The command line as a user runs it: one clear line and a non-zero exit on bad input, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from crm_desktop import __version__
from crm_desktop.config import Settings, default_database_url
from crm_desktop.db.engine import Database

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=full_env, capture_output=True,
                          text=True, timeout=120)


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"crm-desktop {__version__}"


def test_init_on_default_sqlite_twice(isolated_env):
    first = run("init")
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty" in first.stdout
    second = run("init")
    assert second.returncode == 0 and "up to date" in second.stdout
    db = Database(default_database_url())
    assert inspect(db.engine).has_table("crm_contacts")
    db.dispose()
    assert Path(isolated_env, "crm.sqlite3").exists()


def test_init_on_url(crm_url):
    out = run("init", env={"CRM_DATABASE_URL": crm_url})
    assert out.returncode == 0 and "up to date" in out.stdout


def test_bad_url_is_one_clear_line():
    out = run("init", env={"CRM_DATABASE_URL": "definitely not a url"})
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr
    assert "Not a database URL" in out.stderr


def test_unreachable_server_hides_password():
    out = run("init", env={"CRM_DATABASE_URL": "postgresql://crm:s3cretpw@127.0.0.1:1/crm"})
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "Cannot reach the CRM database" in out.stderr
    assert "s3cretpw" not in out.stderr + out.stdout


def test_settings_defaults_and_overrides(isolated_env):
    s = Settings.from_env({})
    assert s.database_url == default_database_url() == s.platform_database_url
    s = Settings.from_env({"CRM_DATABASE_URL": "sqlite:///a.db", "CRM_PLATFORM_DATABASE_URL": "sqlite:///p.db",
                           "CRM_STRIPE_API_KEY": "sk_test_x", "CRM_STRIPE_API_BASE": "http://127.0.0.1:9"})
    assert (s.database_url, s.platform_database_url, s.stripe_api_base) == (
        "sqlite:///a.db", "sqlite:///p.db", "http://127.0.0.1:9")
    assert "sk_test_x" not in repr(s)
