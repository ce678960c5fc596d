"""`python main.py sync` with a Stripe key, as a user runs it: the platform pass and the Stripe pass
(localstripe) into one CRM database, the same membership from both sources, and a second run that
changes nothing. A Stripe that never answers is one line and exit 1, with the platform results kept."""

from __future__ import annotations

import functools

import pytest
from sqlalchemy import create_engine

import crm_desktop.integrations.stripe_gateway as stripe_gateway
from crm_desktop.cli import main
from crm_desktop.db.engine import Database
from crm_desktop.sync.platform_tables import create_platform_schema
from tests.stripe.conftest import API_KEY, LocalStripe
from tests.stripe.helpers import audit_count, contact_id, memberships
from tests.sync.conftest import PlatformBuilder


@pytest.fixture
def platform(tmp_path, monkeypatch, db: Database):
    url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    engine = create_engine(url)
    create_platform_schema(engine)
    monkeypatch.setenv("CRM_DATABASE_URL", db.url)
    monkeypatch.setenv("CRM_PLATFORM_DATABASE_URL", url)
    yield PlatformBuilder(engine)
    engine.dispose()


def test_sync_command_runs_platform_then_stripe_and_twice_changes_nothing(
        platform: PlatformBuilder, db: Database, localstripe: LocalStripe, monkeypatch, capsys) -> None:
    ls = localstripe
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Heron Lodge", owner_id=owner)
    cus = ls.customer("Olive@Example.com", owner)
    sub = ls.subscribe(cus, ls.plan("gold"), {"planId": "gold", "userId": owner, "propertyId": str(pid)})
    ls.client.v1.subscriptions.update(sub["id"], params={"cancel_at_period_end": True})
    platform.subscription(pid, "gold", stripe_id=sub["id"])
    monkeypatch.setenv("CRM_STRIPE_API_KEY", API_KEY)
    monkeypatch.setenv("CRM_STRIPE_API_BASE", ls.url)

    assert main(["sync", "-q"]) == 0
    out, err = capsys.readouterr()
    assert "stripe subscriptions" in out and "Traceback" not in err
    m = memberships(db)[sub["id"]]
    assert m.contactId == contact_id(db, "olive@example.com") and m.platformSubscriptionId
    assert (m.status, m.autoRenew, m.planTier) == ("cancelled", False, "gold")  # status from Stripe
    assert m.startDate == "2026-01-01T00:00:00.000Z"  # the platform's dates stay
    audits = audit_count(db)

    assert main(["sync", "-q"]) == 0
    capsys.readouterr()
    assert audit_count(db) == audits and memberships(db)[sub["id"]].version == m.version


def test_stripe_that_never_answers_is_one_line_and_exit_1(platform: PlatformBuilder, db: Database,
                                                          monkeypatch, capsys) -> None:
    platform.user("Olive Owner", "olive@example.com")
    monkeypatch.setattr(stripe_gateway, "RetryPolicy",
                        functools.partial(stripe_gateway.RetryPolicy, sleep=lambda _s: None))
    monkeypatch.setenv("CRM_STRIPE_API_KEY", API_KEY)
    monkeypatch.setenv("CRM_STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there

    assert main(["sync", "-q"]) == 1
    out, err = capsys.readouterr()
    failed = [line for line in out.splitlines() if line.startswith("Stripe failed")]
    assert len(failed) == 1 and "did not answer" in failed[0] and "after 5 attempts" in failed[0]
    assert "Traceback" not in out + err
    assert contact_id(db, "olive@example.com")  # the platform pass is kept
