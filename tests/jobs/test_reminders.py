"""Renewal reminders: written to the outbox and the timeline, sent through SMTP once, never twice."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, update

from crm_desktop.db.models import Interaction, Membership, OutboxEmail
from crm_desktop.jobs import templates
from crm_desktop.jobs.daily import run_daily_jobs
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.errors import ValidationError
from tests.jobs.smtp_server import SmtpTestServer
from tests.reports.conftest import TODAY, build_dataset

REMINDERS = ("membership_status", "renewal_reminders")


def _outbox(db) -> list[OutboxEmail]:
    with db.read() as s:
        return s.scalars(select(OutboxEmail).order_by(OutboxEmail.createdAt)).all()


def test_queued_without_smtp_then_sent_once_when_configured(db, make_ctx):
    ids = db.write(build_dataset)
    result = run_daily_jobs(make_ctx(), TODAY, only=REMINDERS).results[1]
    assert result.counts == {"queued": 1}
    assert "no mail server configured (CRM_SMTP_URL), so they wait in the outbox" in result.message
    [mail] = _outbox(db)
    assert (mail.status, mail.toAddress, mail.contactId) == ("queued", "bob@example.com", ids["o2"])
    assert mail.subject == "Your Silver membership ends on 1 April 2026"
    assert "Dear Bob," in mail.body and "(£25.50, billed monthly)" in mail.body and "in 17 days" in mail.body
    with db.read() as s:
        [logged] = s.scalars(select(Interaction).where(Interaction.type == "email")).all()
    assert (logged.contactId, logged.direction, logged.initiatedBy) == (ids["o2"], "outbound", "system")
    assert json.loads(logged.metadata_)["outboxId"] == mail.id

    with SmtpTestServer() as server:
        ctx = make_ctx(server.url)
        again = run_daily_jobs(ctx, TODAY, only=REMINDERS).results[1]
        assert not again.ran and server.received == []
        forced = run_daily_jobs(ctx, TODAY, force=True, only=REMINDERS).results[1]
        assert forced.counts == {"already_reminded": 1, "sent": 1, "send_failed": 0}
        assert len(server.received) == 1
        msg = server.received[0]
        assert msg["To"] == "bob@example.com" and msg["From"] == "crm@example.com"
        assert msg["Subject"] == "Your Silver membership ends on 1 April 2026"
        assert "Dear Bob," in msg.get_payload(decode=True).decode()
        # Next days: the same renewal is never reminded or sent again.
        for day in (date(2026, 3, 16), date(2026, 3, 31)):
            later = run_daily_jobs(ctx, day, only=REMINDERS).results[1]
            assert later.counts.get("queued", 0) == 0 and later.counts["sent"] == 0
        assert len(server.received) == 1
    [mail] = _outbox(db)
    assert mail.status == "sent" and mail.sentAt


def test_sent_straight_away_and_a_renewal_gets_its_own_reminder(db, make_ctx):
    ids = db.write(build_dataset)
    with SmtpTestServer() as server:
        ctx = make_ctx(server.url)
        run_daily_jobs(ctx, TODAY, only=REMINDERS)
        assert [m["To"] for m in server.received] == ["bob@example.com"]
        # Bob renews for a year: active again, and a year later one new reminder for the new end date.
        db.write(lambda s: s.execute(update(Membership).where(Membership.contactId == ids["o2"])
                                     .values(endDate="2027-04-01T00:00:00.000Z")))
        status = run_daily_jobs(ctx, date(2026, 3, 20), only=REMINDERS).results[0]
        assert status.counts == {"active": 1}
        run_daily_jobs(ctx, date(2027, 3, 10), only=REMINDERS)
        run_daily_jobs(ctx, date(2027, 3, 11), only=REMINDERS)
        assert len(server.received) == 2
        assert server.received[1]["Subject"] == "Your Silver membership ends on 1 April 2027"
    assert sorted(m.dedupeKey.rsplit(":", 1)[1] for m in _outbox(db)) == ["2026-04-01", "2027-04-01"]


def test_unreachable_server_leaves_the_email_failed_and_retries(db, make_ctx):
    db.write(build_dataset)
    with SmtpTestServer() as server:
        dead_port = server.port
    result = run_daily_jobs(make_ctx(f"smtp://127.0.0.1:{dead_port}"), TODAY, only=REMINDERS).results[1]
    assert "cannot reach the mail server 127.0.0.1" in result.message
    assert [m.status for m in _outbox(db)] == ["queued"]
    bad = run_daily_jobs(make_ctx("http://nope"), TODAY, force=True, only=REMINDERS).results[1]
    assert "the mail server setting is wrong" in bad.message
    with SmtpTestServer() as server:
        run_daily_jobs(make_ctx(server.url), TODAY, force=True, only=REMINDERS)
        assert len(server.received) == 1


def test_edited_template_is_used_and_checked(db, make_ctx):
    db.write(build_dataset)
    with pytest.raises(ValidationError) as err:
        db.write(lambda s: templates.set_template(s, SYSTEM, "Subject: Hi ${frist_name}\n\nBody"))
    assert "${frist_name}" in str(err.value)
    with pytest.raises(ValidationError):
        db.write(lambda s: templates.set_template(s, SYSTEM, "No subject line\n\nBody"))
    db.write(lambda s: templates.set_template(
        s, SYSTEM, "Subject: Renew ${tier} by ${end_date}\n\nHello ${name}, ${days_left} days left."))
    run_daily_jobs(make_ctx(), TODAY, only=REMINDERS)
    [mail] = _outbox(db)
    assert mail.subject == "Renew Silver by 1 April 2026"
    assert mail.body == "Hello Bob Baker, 17 days left."
    db.write(lambda s: templates.set_template(s, SYSTEM, None))
    with db.read() as s:
        assert templates.get_template(s) == templates.default_template()
