"""Every membership status transition of the daily job, with fixed dates, audited, once a day."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from crm_desktop.db.models import ActivityLog, Membership
from crm_desktop.jobs.daily import run_daily_jobs
from tests.reports import data

TODAY = date(2026, 3, 15)  # 30 days on is 2026-04-14

CASES = [
    # (status before, end date, status after)
    ("active", "2026-04-14", "expiring_soon"),               # ends in exactly 30 days
    ("active", "2026-04-15T00:00:00.000Z", "active"),        # 31 days: not yet
    ("active", "2026-03-15", "expiring_soon"),               # ends today: not past yet
    ("active", "2026-03-14T23:59:59.000Z", "expired"),       # ended yesterday, never reached expiring_soon
    ("expiring_soon", "2026-03-14", "expired"),              # not renewed
    ("expiring_soon", "2026-04-14", "expiring_soon"),        # unchanged
    ("expiring_soon", "2026-06-01T00:00:00.000Z", "active"), # renewed: end date moved on
    ("expired", "2026-04-01", "expiring_soon"),              # renewed, but ends soon again
    ("expired", "2027-03-01", "active"),                     # renewed
    ("expired", "2026-03-01", "expired"),                    # still expired
    ("cancelled", "2026-03-01", "cancelled"),                # people's decisions are left alone
    ("suspended", "2026-03-20", "suspended"),
]


def _build(s):
    owner = data.contact(s, "o@example.com", "Olive", "Owner")
    ids = []
    for before, end, _ in CASES:
        ids.append(data.membership(s, owner, "silver", "30.00", "monthly", "2025-01-01", end, before).id)
    return ids


def test_every_transition_once_and_audited(db, make_ctx):
    ids = db.write(_build)
    result = run_daily_jobs(make_ctx(), TODAY, only=("membership_status",)).results[0]
    assert result.ran
    with db.read() as s:
        after = {m.id: m for m in s.scalars(select(Membership))}
        logs = s.scalars(select(ActivityLog).where(ActivityLog.entityType == "membership")).all()
    assert [after[i].status for i in ids] == [c[2] for c in CASES]
    changed = {i: c for i, c in zip(ids, CASES, strict=True) if c[0] != c[2]}
    assert result.counts == {"expiring_soon": 3, "expired": 2, "active": 2}
    assert len(result.changes) == len(changed) == 7
    assert {entry.entityId for entry in logs} == set(changed)
    for entry in logs:
        assert entry.performedBy == "system" and entry.action == "status_changed"
        before, _, after_status = changed[entry.entityId]
        assert json.loads(entry.changedFields) == {"status": {"before": before, "after": after_status}}
    assert all(after[i].version == 2 for i in changed)  # staff with a stale copy get a conflict


def test_second_run_same_day_says_so_and_force_is_idempotent(db, make_ctx):
    db.write(_build)
    ctx = make_ctx()
    run_daily_jobs(ctx, TODAY, only=("membership_status",))
    again = run_daily_jobs(ctx, TODAY, only=("membership_status",)).results[0]
    assert not again.ran and "already ran for 2026-03-15" in again.message
    assert again.counts == {"expiring_soon": 3, "expired": 2, "active": 2}  # what the first run did
    forced = run_daily_jobs(ctx, TODAY, force=True, only=("membership_status",)).results[0]
    assert forced.ran and forced.changes == () and forced.message == "no membership status changes"
    next_day = run_daily_jobs(ctx, date(2026, 3, 16), only=("membership_status",)).results[0]
    # The one ending 2026-03-15 ended yesterday now; the one ending 2026-04-15 is 30 days away.
    assert next_day.ran and next_day.counts == {"expired": 1, "expiring_soon": 1}
