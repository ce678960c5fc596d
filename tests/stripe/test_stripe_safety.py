"""Crash mid-batch and two desktops syncing the same CRM database at once: nothing lost, nothing doubled."""

from __future__ import annotations

import threading

import pytest

import crm_desktop.sync.stripe_apply as stripe_apply
from crm_desktop.db.engine import Database
from crm_desktop.sync.progress import SyncSummary, no_progress
from crm_desktop.sync.stripe_cursor import CursorState
from crm_desktop.sync.stripe_source import sync_stripe, sync_stripe_with
from tests.stripe.conftest import API_KEY, LocalStripe, recorded
from tests.stripe.helpers import add_owner, audit_count, cursor, memberships
from tests.stripe.servers import FakeStripe
from tests.stripe.test_stripe_fake import NOW, SUB, event, seed_cursor, stock


def test_crash_mid_batch_loses_and_doubles_nothing(db: Database, fake_stripe: FakeStripe, gateway_for,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    stock(fake_stripe)
    position = seed_cursor(db, NOW - 200)
    failed = recorded("v2026/invoice_failed.json")
    fake_stripe.add("events",
                    event("evt_2", "invoice.payment_failed", NOW - 20, failed),
                    event("evt_1", "customer.subscription.created", NOW - 30, recorded("v2026/subscription.json")))
    real = stripe_apply.apply_invoice

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("the desktop was closed mid-batch")

    monkeypatch.setattr(stripe_apply, "apply_invoice", crash)
    with pytest.raises(KeyboardInterrupt):
        sync_stripe_with(db, gateway_for(fake_stripe.url), SyncSummary(), no_progress, None)
    assert memberships(db) == {} and cursor(db) == position and audit_count(db) == 0

    monkeypatch.setattr(stripe_apply, "apply_invoice", real)
    sync_stripe_with(db, gateway_for(fake_stripe.url), SyncSummary(), no_progress, None)
    sync_stripe_with(db, gateway_for(fake_stripe.url), SyncSummary(), no_progress, None)
    m = memberships(db)[SUB]
    assert m.paymentFailureCount == 2
    assert audit_count(db) == 2  # created, then the failures: once each
    assert set(CursorState.from_text(cursor(db)).seen) == {"evt_1", "evt_2"}


def test_two_desktops_at_once_do_not_double(crm_url: str, localstripe: LocalStripe,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import crm_desktop.sync.stripe_source as source

    ls = localstripe
    read_all = threading.Barrier(2)
    real_reconcile = source.reconcile_work

    def reconcile_together(*args, **kwargs):
        works = real_reconcile(*args, **kwargs)
        read_all.wait(10)  # both desktops have read Stripe: now both write at the same moment
        return works

    monkeypatch.setattr(source, "reconcile_work", reconcile_together)
    first, second = Database(crm_url), Database(crm_url)
    try:
        add_owner(first, "ann@example.com", "u-1")
        cus = ls.customer("ann@example.com", "u-1")
        subs = [ls.subscribe(cus, ls.plan(t), {"planId": t})["id"] for t in ("gold", "silver", "bronze")]
        errors: list[BaseException] = []
        summaries: list[SyncSummary] = []

        def desktop(db: Database) -> None:
            try:
                summaries.append(SyncSummary())
                sync_stripe(db, API_KEY, ls.url, summaries[-1], no_progress, None)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=desktop, args=(db,)) for db in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == [] and [s.rejects for s in summaries] == [[], []]
        assert sum(s.tables["stripe subscriptions"].created for s in summaries) == 3
        assert sorted(memberships(first)) == sorted(subs)
        audits = audit_count(first)
        assert audits == 6  # per subscription: created, then its first payment
    finally:
        first.dispose()
        second.dispose()
