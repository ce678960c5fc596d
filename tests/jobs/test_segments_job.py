"""The segments job on the hand-checked data set: rows open and close as owners enter and leave."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from crm_desktop.db.models import ActivityLog, Membership, Segment
from crm_desktop.jobs.daily import run_daily_jobs
from tests.reports.conftest import TODAY, build_dataset


def _open(db) -> dict[tuple[str, str], Segment]:
    with db.read() as s:
        return {(r.contactId, r.segment): r for r in s.scalars(select(Segment).where(Segment.removedAt.is_(None)))}


def test_segments_scores_and_reasons(db, make_ctx):
    ids = db.write(build_dataset)
    result = run_daily_jobs(make_ctx(), TODAY, only=("segments",)).results[0]
    assert result.counts == {"added": 4, "owners_scored": 3}
    rows = _open(db)
    # Worked out in the module docstring's terms:
    # Alice: 3 of 4 replied (+23), 1 live (+5), gold in force, no failures (+25), never contacted (+0) = 53;
    #        LTV gold 850 × 1 + bronze monthly 10 × 12 = 970.00.
    # Bob:   3 of 4 (+23), 1 live (+5), in force with 2 failures (+5), never contacted = 33; LTV 25.50 × 9.
    # Cara:  0; LTV bronze 100 × 2 + silver 300 × 2 = 800.00; cancelled 2026-03-05 → churning; inactive.
    assert sorted((k[1], v.engagementScore, v.lifetimeValue) for k, v in rows.items()) == [
        ("at_risk", 33, Decimal("229.50")),
        ("churning", 0, Decimal("800.00")),
        ("inactive", 0, Decimal("800.00")),
        ("premium", 53, Decimal("970.00")),
    ]
    assert set(rows) == {(ids["o1"], "premium"), (ids["o2"], "at_risk"), (ids["o3"], "churning"),
                         (ids["o3"], "inactive")}
    reasons = json.loads(rows[(ids["o2"], "at_risk")].reasons)
    assert reasons[:2] == ["2 failed payment(s) on the membership in force", "engagement score 33 < 40"]
    assert "score: answered 3 of 4 enquiries from the last 90 days: +23" in reasons
    assert all(r.addedAt and r.removedAt is None for r in rows.values())


def test_owners_leave_and_rejoin_segments(db, make_ctx):
    ids = db.write(build_dataset)
    ctx = make_ctx()
    run_daily_jobs(ctx, TODAY, only=("segments",))
    first = _open(db)
    # Bob's card works again: no failed payments, so no longer at risk (score 33 → 53).
    db.write(lambda s: s.execute(update(Membership).where(Membership.contactId == ids["o2"])
                                 .values(paymentFailureCount=0)))
    again = run_daily_jobs(ctx, TODAY, force=True, only=("segments",)).results[0]
    assert again.counts.get("removed") == 1 and again.counts.get("added", 0) == 0
    assert any("left at_risk" in line for line in again.changes)
    with db.read() as s:
        closed = s.get(Segment, first[(ids["o2"], "at_risk")].id)
        audit = s.scalars(select(ActivityLog).where(ActivityLog.entityId == closed.id)
                          .order_by(ActivityLog.timestamp)).all()
    assert closed.removedAt is not None
    assert [a.action for a in audit] == ["created", "updated"] and audit[1].performedBy == "system"
    # A forced re-run with nothing new changes nothing.
    same = run_daily_jobs(ctx, TODAY, force=True, only=("segments",)).results[0]
    assert same.changes == () and same.counts == {"owners_scored": 3}
    # Later Cara's cancellation is more than 90 days old: she leaves churning, stays inactive.
    later = run_daily_jobs(ctx, date(2026, 6, 4), only=("segments",)).results[0]
    assert any("Cara Cole" in line and "left churning" in line for line in later.changes)
    assert (ids["o3"], "inactive") in _open(db) and (ids["o3"], "churning") not in _open(db)
    # Bob fails a payment again: a new at_risk row is opened; the old closed one stays as history.
    db.write(lambda s: s.execute(update(Membership).where(Membership.contactId == ids["o2"])
                                 .values(paymentFailureCount=1)))
    run_daily_jobs(ctx, TODAY, force=True, only=("segments",))
    with db.read() as s:
        bob = s.scalars(select(Segment).where(Segment.contactId == ids["o2"], Segment.segment == "at_risk")).all()
    assert sorted(r.removedAt is None for r in bob) == [False, True]


def test_segments_and_outbox_reports_show_what_the_jobs_did(db, make_ctx):
    from crm_desktop.reports.catalog import ReportOptions, run_report
    from crm_desktop.reports.render import to_table
    from crm_desktop.services.actor import Actor

    ids = db.write(build_dataset)
    run_daily_jobs(make_ctx(), TODAY)
    viewer = Actor("v", "viewer")
    with db.read() as s:
        segs = run_report(s, viewer, "segments", ReportOptions(TODAY))
        bob = run_report(s, viewer, "segments", ReportOptions(TODAY, owner_id=ids["o2"]))
        mail = run_report(s, viewer, "outbox", ReportOptions(TODAY))  # written now, whatever day it ran for
        none = run_report(s, viewer, "outbox", ReportOptions(TODAY, month="2020-02"))
    assert [(r["segment"], r["name"], r["engagement_score"]) for r in segs.rows] == [
        ("at_risk", "Bob Baker", 33), ("churning", "Cara Cole", 0), ("inactive", "Cara Cole", 0),
        ("premium", "Alice Able", 53)]
    assert segs.notes[0] == "Updated by the daily jobs; at_risk 1, churning 1, inactive 1, premium 1."
    assert bob.rows[0]["reasons"].startswith("2 failed payment(s) on the membership in force; engagement score")
    assert "score: 1 live listing(s): +5" in bob.rows[0]["reasons"]
    assert [(r["status"], r["to"]) for r in mail.rows] == [("queued", "bob@example.com")]
    assert none.rows == [] and "(no rows)" in to_table(none)


def test_scores_report_explains_every_owner(db):
    from crm_desktop.reports.catalog import ReportOptions, run_report
    from crm_desktop.services.actor import Actor
    from crm_desktop.services.errors import NotFoundError

    ids = db.write(build_dataset)
    with db.read() as s:
        report = run_report(s, Actor("v", "viewer"), "scores", ReportOptions(TODAY))
        one = run_report(s, Actor("v", "viewer"), "scores", ReportOptions(TODAY, owner_id=ids["o3"]))
        try:
            run_report(s, Actor("v", "viewer"), "scores", ReportOptions(TODAY, owner_id=ids["g"]))
            raise AssertionError("a guest has no score")
        except NotFoundError:
            pass
    assert [(r["name"], r["engagement_score"], r["lifetime_value"], r["segments"]) for r in report.rows] == [
        ("Alice Able <alice@example.com>", 53, Decimal("970.00"), "premium"),
        ("Bob Baker <bob@example.com>", 33, Decimal("229.50"), "at_risk"),
        ("Cara Cole <cara@example.com>", 0, Decimal("800.00"), "churning, inactive"),
    ]
    assert one.rows[0]["reasons"] == ("no enquiries in the last 90 days: +0; 0 live listing(s): +0; "
                                      "no membership in force: +0; never contacted: +0")
