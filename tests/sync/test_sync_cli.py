"""`sync` and `demo` as a user runs them: per-table counts, reasons for rows set aside, progress on
stderr, and one clear line with a non-zero exit when a database is missing or unreachable."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crm_desktop.cli import main
from crm_desktop.db.models import Contact, Enquiry, SyncRun


@pytest.fixture
def env(monkeypatch, db, platform_url):
    monkeypatch.setenv("CRM_DATABASE_URL", db.url)
    monkeypatch.setenv("CRM_PLATFORM_DATABASE_URL", platform_url)
    return monkeypatch


def test_sync_prints_counts_rejects_and_progress(env, db, platform, capsys):
    env.setenv("CRM_SYNC_BATCH_SIZE", "2")
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Heron Lodge", owner_id=owner)
    for n in range(5):
        platform.enquiry(f"guest{n}@example.com", property_id=pid)
    platform.enquiry("", property_id=pid)
    assert main(["sync"]) == 0
    out, err = capsys.readouterr()
    lines = {line.split()[1] if line.startswith("platform") else line: line for line in out.splitlines()}
    assert lines["enquiries"].split()[2:] == ["6", "5", "0", "0", "1"]
    assert lines["user"].split()[2:] == ["1", "1", "0", "0", "0"]
    assert "email is missing" in out and "Set aside (1;" in out
    assert "Stripe skipped: no API key configured" in out
    assert "platform enquiries: 6/6" in err and "Traceback" not in err
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Enquiry)) == 5
        run = s.scalars(select(SyncRun)).one()
        assert run.status == "ok" and run.finishedAt
        assert json.loads(run.summary)["tables"]["platform enquiries"]["set_aside"] == 1


def test_missing_platform_tables_is_one_clear_line(env, tmp_path, capsys):
    env.setenv("CRM_PLATFORM_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert main(["sync"]) == 2
    _out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1
    assert "has no 'user', 'properties'" in err and "CRM_PLATFORM_DATABASE_URL" in err


@pytest.mark.parametrize("url", ["postgresql://nobody@127.0.0.1:9/platform", "not a url at all"])
def test_unreachable_or_bad_platform_url_is_one_clear_line(env, url, capsys):
    env.setenv("CRM_PLATFORM_DATABASE_URL", url)
    assert main(["sync"]) == 2
    _out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in err


def test_demo_builds_and_syncs_then_if_empty_skips(env, db, platform_in_crm_db, capsys):
    env.delenv("CRM_PLATFORM_DATABASE_URL")  # the default: the platform tables live in the CRM database
    assert main(["demo", "--owners", "6", "--seed", "2"]) == 0
    out, _err = capsys.readouterr()
    assert "Demo platform built" in out and "platform enquiries" in out
    with db.read() as s:
        contacts = s.scalar(select(func.count()).select_from(Contact))
        enquiries = s.scalar(select(func.count()).select_from(Enquiry))
    assert contacts > 6 and enquiries > 20
    assert main(["demo", "--if-empty"]) == 0
    assert "already has contacts" in capsys.readouterr().out
    assert main(["demo"]) == 0
    assert "already has data; syncing it" in capsys.readouterr().out
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Enquiry)) == enquiries
