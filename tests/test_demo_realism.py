"""`demo` as a new user gets it: a pipeline staff have been working (every status, assignments, calls,
emails and notes by staff at plausible times), clean guest names and dates, the daily jobs run, nobody
able to sign in until the first admin is created, and `demo --if-empty` a second time changing nothing."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_desktop.cli import main
from crm_desktop.db.models import (
    ENQUIRY_STATUSES,
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    JobRun,
    Segment,
    Staff,
    SyncRun,
)
from crm_desktop.demo.staff_activity import DEMO_STAFF
from crm_desktop.services.staff import needs_first_admin, sign_in_required
from crm_desktop.sync.platform_people import PLACEHOLDER_NAMES
from crm_desktop.timeutil import parse_ts


@pytest.fixture
def demo_db(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """The CRM database after `demo --owners 40` (platform in its own SQLite file); also the output."""
    monkeypatch.setenv("CRM_DATABASE_URL", db.url)
    monkeypatch.setenv("CRM_PLATFORM_DATABASE_URL", f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    assert main(["demo", "--owners", "40", "--seed", "3"]) == 0
    return db, capsys.readouterr().out


def _snapshot(db) -> dict[str, object]:
    with db.read() as s:
        counts = {m.__name__: s.scalar(select(func.count()).select_from(m))
                  for m in (Contact, Enquiry, Interaction, ActivityLog, Staff, Segment, JobRun, SyncRun)}
        counts["versions"] = s.scalar(select(func.sum(Enquiry.version)))
        counts["statuses"] = sorted(s.execute(select(Enquiry.status, func.count()).group_by(Enquiry.status)).all())
    return counts


def test_demo_pipeline_is_worked_by_staff_and_repeats_change_nothing(demo_db, capsys):
    """One demo per backend (it is the slow part), checked from every side."""
    db, out = demo_db
    assert "Demo staff at work:" in out and "Daily job segments:" in out
    assert "create the first admin" in out
    with db.read() as s:
        statuses = dict(s.execute(select(Enquiry.status, func.count()).group_by(Enquiry.status)).all())
        total = sum(statuses.values())
        staff = {row.id: row for row in s.scalars(select(Staff))}
        enquiries = s.scalars(select(Enquiry)).all()
        by_staff = s.execute(select(Interaction.type, func.count()).where(Interaction.performedBy.in_(staff))
                             .group_by(Interaction.type)).all()
        contacts = s.scalars(select(Contact)).all()
        sync_started = s.scalar(select(func.min(SyncRun.startedAt)))
        segments = s.scalar(select(func.count()).select_from(Segment))
        created_entries = dict(s.execute(select(ActivityLog.entityId, ActivityLog.timestamp).where(
            ActivityLog.entityType == "enquiry", ActivityLog.action == "created")).all())
        first_admin, sign_in = needs_first_admin(s), sign_in_required(s)

    # Every status, in plausible proportions: most old enquiries closed, a few recent ones still new.
    assert set(statuses) == set(ENQUIRY_STATUSES), statuses
    assert statuses["new"] < total * 0.15
    assert statuses["spam"] < statuses["lost"]
    assert statuses["contacted"] + statuses["negotiating"] < total * 0.3
    # Staff: the demo office plus the platform's admins, none of whom can sign in (no demo password).
    assert {email for _name, email in DEMO_STAFF} <= {row.email for row in staff.values()}
    assert all(row.passwordHash is None for row in staff.values())
    assert first_admin and not sign_in
    assigned = [e for e in enquiries if e.assignedToAdminId]
    assert len(assigned) > total * 0.3 and {e.assignedToAdminId for e in assigned} <= set(staff)
    kinds = dict(by_staff)
    assert kinds.get("phone", 0) > 0 and kinds.get("email", 0) > 0 and kinds.get("note", 0) > 0
    assert kinds.get("status_change", 0) > total * 0.5

    # Times: a first response after the enquiry and in the past, closing after it; replies take hours.
    now = parse_ts(sync_started)
    delays = []
    for e in enquiries:
        if e.status == "new":
            assert e.firstResponseAt is None and e.closedAt is None
            continue
        created, first = parse_ts(e.createdAt), parse_ts(e.firstResponseAt)
        assert created <= first, (e.status, e.createdAt, e.firstResponseAt)
        assert first <= parse_ts(e.lastUpdatedAt)
        if e.status != "booked":
            delays.append((first - created).total_seconds() / 3600)
            assert first < now
        if e.status in ("lost", "spam"):
            assert first <= parse_ts(e.closedAt)
    assert 0.5 < statistics.median(delays) < 48
    # A timeline starts when the enquiry arrived, not when the demo was built.
    assert {e.id: e.createdAt for e in enquiries} == created_entries

    # Guests: no placeholder names, and "Added" is when they first enquired or booked, before the sync.
    guests = [c for c in contacts if c.type == "guest"]
    assert guests
    for c in contacts:
        assert (c.lastName or "").casefold() not in PLACEHOLDER_NAMES or c.lastName is None
        assert (c.firstName or "").casefold() not in PLACEHOLDER_NAMES or c.firstName is None
    assert all(c.createdAt < sync_started for c in guests)
    assert segments > 0

    # `demo --if-empty` a second time (every ./run.sh does it) changes nothing.
    before = _snapshot(db)
    assert main(["demo", "--if-empty"]) == 0
    assert "already has contacts" in capsys.readouterr().out
    assert _snapshot(db) == before
    # A plain `demo` re-syncs the platform: the staff's work is neither repeated nor undone.
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Demo staff at work" not in out
    after = _snapshot(db)
    assert after["statuses"] == before["statuses"] and after["versions"] == before["versions"]
    assert after["Staff"] == before["Staff"] and after["Interaction"] == before["Interaction"]
