"""run_sync: the platform pass, then Stripe only with a key; a Stripe failure keeps the platform results,
is said in one line, and marks the run `partial`; every run is recorded in crm_sync_runs."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from crm_desktop.cli import main
from crm_desktop.db.models import Contact, SyncRun
from crm_desktop.integrations.stripe_gateway import StripeUnavailable
from crm_desktop.sync import stripe_source
from crm_desktop.sync.progress import CancelToken
from crm_desktop.sync.runner import STRIPE_SKIPPED, run_sync


def _runs(db):
    with db.read() as s:
        return s.scalars(select(SyncRun).order_by(SyncRun.startedAt)).all()


def test_stripe_runs_with_a_key_and_its_failure_is_reported(db, ctx, platform, monkeypatch, capsys,
                                                            platform_url):
    platform.user("Olive Owner", "olive@example.com")
    calls = []

    def failing_stripe(database, api_key, api_base, summary, progress, cancel):
        calls.append((database.url, api_key, api_base))
        raise StripeUnavailable("Stripe could not be reached after 5 attempts.")

    monkeypatch.setattr(stripe_source, "sync_stripe", failing_stripe)
    monkeypatch.setenv("CRM_DATABASE_URL", db.url)
    monkeypatch.setenv("CRM_PLATFORM_DATABASE_URL", platform_url)
    monkeypatch.setenv("CRM_STRIPE_API_KEY", "sk_test_123")
    monkeypatch.setenv("CRM_STRIPE_API_BASE", "http://127.0.0.1:9")
    assert main(["sync", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "Stripe failed: Stripe could not be reached after 5 attempts." in out
    assert "sk_test_123" not in out
    assert calls == [(db.url, "sk_test_123", "http://127.0.0.1:9")]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 1  # the platform pass was kept
    assert _runs(db)[-1].status == "partial"


def test_no_key_skips_stripe_and_records_the_run(db, ctx, platform):
    platform.user("Olive Owner", "olive@example.com")
    summary = run_sync(ctx)
    assert STRIPE_SKIPPED in summary.notes
    run = _runs(db)[-1]
    assert run.status == "ok" and run.host and run.finishedAt >= run.startedAt
    assert json.loads(run.summary)["tables"]["platform user"]["created"] == 1


def test_cancel_stops_between_batches_and_keeps_what_was_done(db, ctx, platform, monkeypatch):
    monkeypatch.setenv("CRM_SYNC_BATCH_SIZE", "2")
    for n in range(6):
        platform.user(f"Owner {n}", f"o{n}@example.com")
    token = CancelToken()

    def progress(stage, done, total):
        if done >= 2:
            token.cancel()

    summary = run_sync(ctx, progress, token)
    assert summary.cancelled
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 2
    assert _runs(db)[-1].status == "cancelled"
    again = run_sync(ctx)  # the next run carries on from the cursor
    assert not again.cancelled
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 6
