"""Against the fake Stripe serving recorded current-shape (2026) JSON: Checkout metadata, events out of
order and duplicated across the overlap, failed payments counted once per attempt, backoff on 429/500/
dropped connections, clean failure without moving the cursor, malformed objects set aside."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Property, SyncCursor
from crm_desktop.integrations.stripe_gateway import StripeUnavailable
from crm_desktop.sync.progress import CancelToken, SyncSummary, no_progress
from crm_desktop.sync.stripe_cursor import CursorState
from crm_desktop.sync.stripe_source import sync_stripe_with
from crm_desktop.timeutil import now_iso
from tests.stripe.conftest import recorded
from tests.stripe.helpers import add_owner, at, audit_count, audit_for, cursor, memberships, rejects
from tests.stripe.servers import FakeStripe

SUB, CUS, CS = "sub_1QcurrentGold01", "cus_Tcurrent0001", "cs_test_a1currentGold01"
NOW = int(time.time())


def event(eid: str, etype: str, created: int, obj: dict[str, Any]) -> dict[str, Any]:
    raw = recorded("v2026/event.json")
    raw.update(id=eid, type=etype, created=created, data={"object": obj})
    return raw


def seed_cursor(db: Database, created: int, listed_at: int | None = None) -> str:
    state = CursorState(created=created, seen={}, listed_at=listed_at or created)
    with db.write_session() as s:
        s.add(SyncCursor(source="stripe:events", position=state.to_text(), updatedAt=now_iso()))
    return state.to_text()


def stock(fake: FakeStripe) -> None:
    """The recorded owner: customer, subscription (metadata only on the checkout session), checkout."""
    fake.add("customers", recorded("v2026/customer.json"))
    fake.add("subscriptions", recorded("v2026/subscription.json"))
    fake.add("checkout/sessions", recorded("v2026/checkout_session.json"))


def run(db: Database, gateway, summary: SyncSummary | None = None, cancel: CancelToken | None = None) -> SyncSummary:
    summary = summary or SyncSummary()
    sync_stripe_with(db, gateway, summary, no_progress, cancel)
    return summary


def add_property(db: Database, platform_id: str) -> str:
    with db.write_session() as s:
        prop = Property(propertyId=platform_id, title="The Old Rectory", createdAt=now_iso(), updatedAt=now_iso())
        s.add(prop)
        s.flush()
        return prop.id


def test_current_shapes_checkout_metadata_and_events_out_of_order(db: Database, fake_stripe: FakeStripe,
                                                                   gateway_for) -> None:
    owner = add_owner(db, "someone.else@example.com", "user_owner_1")  # matched by userId, not email
    prop = add_property(db, "17")
    stock(fake_stripe)
    seed_cursor(db, NOW - 120)
    sub_snapshot = recorded("v2026/subscription.json")
    fake_stripe.add("events",  # newest first, like Stripe, but shuffled in the middle
                    event("evt_3", "invoice.paid", NOW - 10, recorded("v2026/invoice_paid.json")),
                    event("evt_1", "customer.subscription.created", NOW - 30, sub_snapshot),
                    event("evt_2", "checkout.session.completed", NOW - 20, recorded("v2026/checkout_session.json")))

    summary = run(db, gateway_for(fake_stripe.url))

    m = memberships(db)[SUB]
    assert (m.contactId, m.propertyId, m.platformUserId, m.customerEmail) == (
        owner, prop, "user_owner_1", "owner.one@example.com")
    assert (m.planTier, m.planPrice, m.billingCycle, m.status, m.autoRenew) == (
        "gold", Decimal("299.00"), "annual", "active", True)
    assert (m.startDate, m.endDate) == (at(1793872800), at(1825408800))
    assert (m.lastPaymentDate, m.lastPaymentAmount, m.nextPaymentDate) == (
        at(1793872803), Decimal("299.00"), at(1825408800))
    assert summary.tables["stripe events"].read == 3 and not summary.rejects
    assert any(r.startswith("/v1/checkout/sessions?") for r in fake_stripe.requests)
    state = CursorState.from_text(cursor(db))
    assert state.created == NOW - 10 and set(state.seen) == {"evt_1", "evt_2", "evt_3"}


def test_failures_count_once_per_attempt_across_the_overlap(db: Database, fake_stripe: FakeStripe,
                                                            gateway_for) -> None:
    stock(fake_stripe)
    seed_cursor(db, NOW - 200)
    failed = recorded("v2026/invoice_failed.json")
    first_try = {**failed, "attempt_count": 1}
    fake_stripe.add("events",
                    event("evt_s", "customer.subscription.created", NOW - 100, recorded("v2026/subscription.json")),
                    event("evt_f1", "invoice.payment_failed", NOW - 90, first_try),
                    event("evt_f2", "invoice.payment_failed", NOW - 80, failed))
    gateway = gateway_for(fake_stripe.url)
    run(db, gateway)
    m = memberships(db)[SUB]
    assert m.paymentFailureCount == 2 and m.nextPaymentDate == at(1825668000) and m.status == "active"
    audits = audit_count(db)

    # The same events again (the overlap window) and a duplicate of one under a new page: nothing moves.
    fake_stripe.add("events", event("evt_f1", "invoice.payment_failed", NOW - 90, first_try))
    again = run(db, gateway)
    assert again.changed == 0 and audit_count(db) == audits
    assert memberships(db)[SUB].paymentFailureCount == 2

    # Stripe gives up on the card: past_due -> suspended; then the invoice is paid: count back to 0.
    past_due = {**recorded("v2026/subscription.json"), "status": "past_due"}
    fake_stripe.add("subscriptions", past_due)
    fake_stripe.add("events", event("evt_u", "customer.subscription.updated", NOW - 70, past_due))
    run(db, gateway)
    assert memberships(db)[SUB].status == "suspended"
    paid = {**failed, "status": "paid", "amount_paid": 29900, "attempt_count": 3,
            "status_transitions": {"paid_at": NOW - 60}}
    fake_stripe.add("subscriptions", recorded("v2026/subscription.json"))
    fake_stripe.add("events", event("evt_p", "invoice.paid", NOW - 60, paid),
                    event("evt_a", "customer.subscription.updated", NOW - 59, recorded("v2026/subscription.json")))
    run(db, gateway)
    m = memberships(db)[SUB]
    assert (m.paymentFailureCount, m.lastPaymentDate, m.status) == (0, at(NOW - 60), "active")
    assert [a.action for a in audit_for(db, m.id)].count("status_changed") == 2


def test_older_failure_read_after_a_payment_does_not_count(db: Database, fake_stripe: FakeStripe,
                                                           gateway_for) -> None:
    stock(fake_stripe)
    seed_cursor(db, NOW - 200)
    paid = {**recorded("v2026/invoice_failed.json"), "status": "paid", "amount_paid": 29900,
            "status_transitions": {"paid_at": NOW - 50}}
    # The server answers the newer payment first and the older failure last: applied oldest first.
    fake_stripe.add("events", event("evt_p", "invoice.paid", NOW - 50, paid),
                    event("evt_f", "invoice.payment_failed", NOW - 90, recorded("v2026/invoice_failed.json")),
                    event("evt_s", "customer.subscription.created", NOW - 100, recorded("v2026/subscription.json")))
    run(db, gateway_for(fake_stripe.url))
    m = memberships(db)[SUB]
    assert (m.paymentFailureCount, m.lastPaymentDate) == (0, at(NOW - 50))


def test_backoff_recovers_from_429_500_and_dropped_connections(db: Database, fake_stripe: FakeStripe,
                                                               gateway_for, sleeps: list[float]) -> None:
    stock(fake_stripe)
    seed_cursor(db, NOW - 200)
    fake_stripe.add("events", event("evt_s", "customer.subscription.created", NOW - 100,
                                    recorded("v2026/subscription.json")))
    fake_stripe.fail("/v1/events", (429, {"Retry-After": "3"}), (500, {}), "drop")
    fake_stripe.fail("/v1/subscriptions/", (503, {}))

    run(db, gateway_for(fake_stripe.url))

    assert SUB in memberships(db)
    assert len(sleeps) == 4 and sleeps[0] >= 3  # Retry-After honoured
    assert sum(1 for r in fake_stripe.requests if r.startswith("/v1/events")) == 4


def test_persistent_failure_fails_cleanly_and_keeps_the_cursor(db: Database, fake_stripe: FakeStripe,
                                                               gateway_for, sleeps: list[float]) -> None:
    stock(fake_stripe)
    position = seed_cursor(db, NOW - 200)
    fake_stripe.add("events", event("evt_s", "customer.subscription.created", NOW - 100,
                                    recorded("v2026/subscription.json")))
    fake_stripe.fail("/v1/subscriptions/", *[(500, {})] * 5)  # events read fine; the look-up never works

    with pytest.raises(StripeUnavailable, match=r"did not answer while reading subscription: HTTP 500 after 5"):
        run(db, gateway_for(fake_stripe.url))
    assert cursor(db) == position and memberships(db) == {}
    assert len(sleeps) == 4

    fake_stripe.fail("/v1/events", *[(429, {"Retry-After": "1"})] * 5)
    with pytest.raises(StripeUnavailable, match="HTTP 429"):
        run(db, gateway_for(fake_stripe.url))
    assert cursor(db) == position

    run(db, gateway_for(fake_stripe.url))  # Stripe is back: nothing was lost
    assert SUB in memberships(db)


def test_malformed_objects_are_set_aside_and_the_pass_goes_on(db: Database, fake_stripe: FakeStripe,
                                                             gateway_for) -> None:
    stock(fake_stripe)
    seed_cursor(db, NOW - 200)
    bad_invoice = {**recorded("v2026/invoice_failed.json"), "id": "in_bad", "attempt_count": "two"}
    weekly = recorded("v2026/subscription.json")
    weekly["id"] = "sub_weekly"
    weekly["items"]["data"][0]["price"]["recurring"]["interval"] = "week"
    fake_stripe.add("subscriptions", weekly)
    fake_stripe.add("events",
                    event("evt_bad", "invoice.payment_failed", NOW - 120, bad_invoice),
                    event("evt_w", "customer.subscription.created", NOW - 110, weekly),
                    {"id": "evt_junk", "object": "event", "type": "invoice.paid", "created": NOW - 105},
                    event("evt_s", "customer.subscription.created", NOW - 100, recorded("v2026/subscription.json")))

    summary = run(db, gateway_for(fake_stripe.url))

    assert set(memberships(db)) == {SUB}
    found = rejects(db)
    assert "attempt_count" in found["in_bad"].reason
    assert "week" in found["sub_weekly"].reason
    assert "lacks" in found["evt_junk"].reason
    assert {r[1] for r in summary.rejects} == {"in_bad", "sub_weekly", "evt_junk"}
    assert json.loads(found["sub_weekly"].payload)["id"] == "evt_w"
    assert run(db, gateway_for(fake_stripe.url)).rejects == []  # set aside once, not on every pass


def test_reconcile_on_current_shapes_then_owner_arrives(db: Database, fake_stripe: FakeStripe,
                                                        gateway_for) -> None:
    stock(fake_stripe)
    ghost = {**recorded("v2026/invoice_paid.json"), "id": "in_ghost",
             "parent": {"subscription_details": {"subscription": "sub_ghost"}}, "lines": {"data": []}}
    fake_stripe.add("invoices", recorded("v2026/invoice_paid.json"), recorded("v2026/invoice_failed.json"), ghost)
    old_event = event("evt_old", "customer.subscription.created", NOW - 40 * 86400,
                      recorded("v2026/subscription.json"))
    fake_stripe.add("events", old_event)
    seed_cursor(db, NOW - 40 * 86400)  # older than Stripe keeps events: full reconcile

    summary = run(db, gateway_for(fake_stripe.url))

    assert any("reconcile" in n for n in summary.notes)
    m = memberships(db)[SUB]
    assert (m.contactId, m.platformUserId, m.planTier) == (None, "user_owner_1", "gold")  # kept, pending
    assert m.lastPaymentDate == at(1793872803) and m.paymentFailureCount == 2  # the open invoice's attempts
    assert not any(r.startswith("/v1/events") for r in fake_stripe.requests)
    assert "sub_ghost is not in the CRM" in rejects(db)["in_ghost"].reason
    checkout_reads = [r for r in fake_stripe.requests if r.startswith("/v1/checkout/sessions")]
    assert checkout_reads and not any("subscription=" in r for r in checkout_reads)  # listed once, not per sub

    owner = add_owner(db, "owner.one@example.com")  # arrives by email, no events for it any more
    linked = run(db, gateway_for(fake_stripe.url))
    assert memberships(db)[SUB].contactId == owner
    assert any("linked" in n for n in linked.notes)
    assert run(db, gateway_for(fake_stripe.url)).changed == 0


def test_localstripe_like_server_without_checkout_is_asked_once(db: Database, fake_stripe: FakeStripe,
                                                                gateway_for) -> None:
    fake_stripe.checkout_api = False
    fake_stripe.add("customers", recorded("v2026/customer.json"))
    for n in range(3):
        sub = recorded("v2026/subscription.json")
        sub["id"] = f"sub_{n}"
        fake_stripe.add("subscriptions", sub)
    run(db, gateway_for(fake_stripe.url))
    assert set(memberships(db)) == {"sub_0", "sub_1", "sub_2"}  # tier from the price's lookup key
    assert sum(1 for r in fake_stripe.requests if r.startswith("/v1/checkout")) == 1


def test_cancel_before_a_batch_applies_nothing(db: Database, fake_stripe: FakeStripe, gateway_for) -> None:
    stock(fake_stripe)
    position = seed_cursor(db, NOW - 200)
    fake_stripe.add("events", event("evt_s", "customer.subscription.created", NOW - 100,
                                    recorded("v2026/subscription.json")))
    token = CancelToken()
    token.cancel()
    summary = run(db, gateway_for(fake_stripe.url), cancel=token)
    assert summary.cancelled and memberships(db) == {} and cursor(db) == position


def test_cancel_between_batches_keeps_what_was_applied_oldest_first(db: Database, fake_stripe: FakeStripe,
                                                                   gateway_for, monkeypatch) -> None:
    """One event a batch, served newest first, cancelled after the first batch: the cursor covers
    exactly the oldest event, so the next pass applies the rest and skips nothing."""
    import crm_desktop.sync.stripe_source as source

    monkeypatch.setattr(source, "BATCH", 1)
    stock(fake_stripe)
    seed_cursor(db, NOW - 200)
    failed = recorded("v2026/invoice_failed.json")
    fake_stripe.add("events",
                    event("evt_3", "invoice.payment_failed", NOW - 10, failed),
                    event("evt_2", "invoice.payment_failed", NOW - 20, {**failed, "attempt_count": 1}),
                    event("evt_1", "customer.subscription.created", NOW - 30, recorded("v2026/subscription.json")))
    token = CancelToken()

    def progress(_stage: str, done: int, _total: int) -> None:
        if done >= 1:
            token.cancel()

    summary = SyncSummary()
    sync_stripe_with(db, gateway_for(fake_stripe.url), summary, progress, token)

    assert summary.cancelled
    state = CursorState.from_text(cursor(db))
    assert (set(state.seen), state.created) == ({"evt_1"}, NOW - 30)
    assert memberships(db)[SUB].paymentFailureCount == 0
    run(db, gateway_for(fake_stripe.url))
    assert memberships(db)[SUB].paymentFailureCount == 2
    assert set(CursorState.from_text(cursor(db)).seen) == {"evt_1", "evt_2", "evt_3"}


def test_row_the_platform_also_keeps_gets_status_and_payments_only(db: Database, fake_stripe: FakeStripe,
                                                                   gateway_for) -> None:
    """A membership made by the platform sync (platformSubscriptionId) with the same Stripe id: Stripe
    owns status and payments; the platform's plan, dates and owner stay, so neither pass undoes the other."""
    from crm_desktop.db.models import Membership

    owner = add_owner(db, "olive@example.com", "user_owner_1")
    with db.write_session() as s:
        s.add(Membership(contactId=owner, planTier="silver", planPrice=Decimal("150.00"), billingCycle="annual",
                         startDate="2026-11-01T00:00:00.000Z", endDate="2027-11-01T00:00:00.000Z",
                         status="active", stripeSubscriptionId=SUB, platformSubscriptionId="7",
                         platformUserId="user_owner_1", customerEmail="olive@example.com",
                         createdAt=now_iso(), updatedAt=now_iso()))
    stock(fake_stripe)
    seed_cursor(db, NOW - 200)
    leaving = {**recorded("v2026/subscription.json"), "cancel_at_period_end": True, "canceled_at": NOW - 50}
    fake_stripe.add("subscriptions", leaving)
    fake_stripe.add("events", event("evt_u", "customer.subscription.updated", NOW - 50, leaving),
                    event("evt_p", "invoice.paid", NOW - 40, recorded("v2026/invoice_paid.json")))
    run(db, gateway_for(fake_stripe.url))
    m = memberships(db)[SUB]
    assert (m.planTier, m.planPrice, m.startDate, m.customerEmail) == (
        "silver", Decimal("150.00"), "2026-11-01T00:00:00.000Z", "olive@example.com")
    assert (m.status, m.autoRenew, m.cancelledDate, m.stripeCustomerId) == ("cancelled", False, at(NOW - 50), CUS)
    assert m.lastPaymentAmount == Decimal("299.00") and m.stripeSyncedAt
    assert run(db, gateway_for(fake_stripe.url)).changed == 0
