"""End to end against localstripe (2017 API shapes): objects made through the real SDK, then
sync_stripe into a migrated CRM database (SQLite and PostgreSQL), checked row by row."""

from __future__ import annotations

import json
from decimal import Decimal

from crm_desktop.db.engine import Database
from crm_desktop.sync.progress import SyncSummary, no_progress
from crm_desktop.sync.stripe_source import sync_stripe
from tests.stripe.conftest import API_KEY, LocalStripe
from tests.stripe.helpers import (
    add_owner,
    at,
    audit_count,
    audit_for,
    contact_id,
    cursor,
    memberships,
    rejects,
)


def run(db: Database, ls: LocalStripe) -> SyncSummary:
    summary = SyncSummary()
    sync_stripe(db, API_KEY, ls.url, summary, no_progress, None)
    return summary


def test_first_sync_reconciles_every_subscription_row_by_row(db: Database, localstripe: LocalStripe) -> None:
    ls = localstripe
    ann = add_owner(db, "ann@example.com", "u-1")
    bob = add_owner(db, "bob@example.com", first="Bob")
    cus_ann = ls.customer(" Ann@Example.COM ", "u-1")
    cus_bob = ls.customer("BOB@example.com ")  # no userId anywhere: matched by email
    cus_cat = ls.customer("cat@example.com", "u-3")  # not in the CRM yet
    gold = ls.subscribe(cus_ann, ls.plan("gold", "year", 29900), {"planId": "Gold", "userId": "u-1"})
    silver = ls.subscribe(cus_bob, ls.plan("silver", "month", 2500), {"planId": "silver"})
    bronze = ls.subscribe(cus_cat, ls.plan("bronze", "year", 9900), {"planId": "BRONZE", "userId": "u-3"})
    leaving = ls.subscribe(cus_bob, ls.plan("gold", "year", 29900), {"planId": "gold"})
    ls.client.v1.subscriptions.update(leaving["id"], params={"cancel_at_period_end": True})
    gone = ls.subscribe(cus_ann, ls.plan("silver", "month", 2500), {"planId": "silver"})
    ls.client.v1.subscriptions.cancel(gone["id"])
    odd = ls.subscribe(cus_ann, ls.plan("silver", "month", 2500), {"planId": "platinum"})
    cus_dan = ls.customer("dan@example.com", "u-4", card="4000000000000341")  # attaches, then declines
    declined = ls.subscribe(cus_dan, ls.plan("bronze", "year", 9900), {"planId": "bronze"})

    summary = run(db, ls)

    rows = memberships(db)
    assert set(rows) == {gold["id"], silver["id"], bronze["id"], leaving["id"], gone["id"], declined["id"]}
    g = rows[gold["id"]]
    assert (g.contactId, g.planTier, g.planPrice, g.billingCycle, g.status, g.autoRenew) == (
        ann, "gold", Decimal("299.00"), "annual", "active", True)
    assert (g.startDate, g.endDate, g.renewalDate) == (
        at(gold["start_date"]), at(gold["current_period_end"]), at(gold["current_period_end"]))
    assert (g.stripeCustomerId, g.platformUserId, g.customerEmail) == (cus_ann, "u-1", "ann@example.com")
    assert g.lastPaymentAmount == Decimal("299.00") and g.lastPaymentDate is not None
    assert g.nextPaymentDate == at(gold["current_period_end"]) and g.paymentFailureCount == 0
    assert g.stripeSyncedAt is not None and g.cancelledDate is None
    s = rows[silver["id"]]
    assert (s.contactId, s.planTier, s.planPrice, s.billingCycle) == (bob, "silver", Decimal("25.00"), "monthly")
    b = rows[bronze["id"]]
    assert (b.contactId, b.platformUserId, b.customerEmail, b.planTier) == (None, "u-3", "cat@example.com", "bronze")
    left = rows[leaving["id"]]
    assert (left.status, left.autoRenew, left.renewalDate) == ("cancelled", False, None)
    assert left.cancelledDate is not None
    cancelled = rows[gone["id"]]
    assert (cancelled.status, cancelled.autoRenew) == ("cancelled", False)
    assert cancelled.cancelledDate is not None and cancelled.contactId == ann

    unpaid = rows[declined["id"]]  # first payment declined: Stripe says incomplete, the invoice open
    assert (unpaid.status, unpaid.paymentFailureCount, unpaid.lastPaymentDate) == ("suspended", 1, None)

    bad = rejects(db)[odd["id"]]
    assert "platinum" in bad.reason and bad.resolvedAt is None and json.loads(bad.payload)["id"] == odd["id"]
    assert (("stripe subscriptions", odd["id"], bad.reason)) in summary.rejects
    assert summary.tables["stripe subscriptions"].created == 6
    assert summary.tables["stripe subscriptions"].set_aside == 1
    trail = audit_for(db, g.id)
    assert trail[0].action == "created" and trail[0].performedBy == "system"
    assert json.loads(trail[0].changedFields)["planTier"] == {"before": None, "after": "gold"}
    assert json.loads(cursor(db) or "{}")["created"]


def test_second_run_changes_nothing(db: Database, localstripe: LocalStripe) -> None:
    ls = localstripe
    add_owner(db, "ann@example.com", "u-1")
    cus = ls.customer("ann@example.com", "u-1")
    ls.subscribe(cus, ls.plan("gold"), {"planId": "gold"})
    gone = ls.subscribe(cus, ls.plan("silver", "month", 2500), {"planId": "silver"})
    ls.client.v1.subscriptions.cancel(gone["id"])
    run(db, ls)
    before = {k: (m.version, m.updatedAt) for k, m in memberships(db).items()}
    audits = audit_count(db)

    second = run(db, ls)  # incremental now: the overlap re-reads every event, all already applied
    third = run(db, ls)

    assert {k: (m.version, m.updatedAt) for k, m in memberships(db).items()} == before
    assert audit_count(db) == audits
    assert second.changed == 0 and third.changed == 0


def test_incremental_events_create_and_cancel(db: Database, localstripe: LocalStripe) -> None:
    ls = localstripe
    ann = add_owner(db, "ann@example.com", "u-1")
    cus = ls.customer("ann@example.com", "u-1")
    first = ls.subscribe(cus, ls.plan("gold"), {"planId": "gold"})
    run(db, ls)  # full reconcile
    later = ls.subscribe(cus, ls.plan("silver", "month", 2500), {"planId": "Silver", "userId": "u-1"})
    ls.client.v1.subscriptions.cancel(first["id"])

    summary = run(db, ls)

    assert "reconcile" not in " ".join(summary.notes)
    rows = memberships(db)
    assert rows[later["id"]].planTier == "silver" and rows[later["id"]].contactId == ann
    assert rows[later["id"]].lastPaymentAmount == Decimal("25.00")
    assert rows[first["id"]].status == "cancelled" and rows[first["id"]].autoRenew is False
    actions = [a.action for a in audit_for(db, rows[first["id"]].id)]
    assert actions == ["created", "updated", "status_changed"]  # made, first payment, cancelled


def test_owner_arrives_later_is_linked(db: Database, localstripe: LocalStripe) -> None:
    ls = localstripe
    cus = ls.customer("  Dee@Example.com", None)
    sub = ls.subscribe(cus, ls.plan("gold"), {"planId": "gold"})
    run(db, ls)
    pending = memberships(db)[sub["id"]]
    assert pending.contactId is None and pending.customerEmail == "dee@example.com"

    dee = add_owner(db, "dee@example.com", "u-9", first="Dee")  # the platform sync brings the owner
    summary = run(db, ls)

    linked = memberships(db)[sub["id"]]
    assert linked.contactId == dee == contact_id(db, "dee@example.com")
    assert linked.version == pending.version + 1
    last = audit_for(db, linked.id)[-1]
    assert json.loads(last.changedFields) == {"contactId": {"before": None, "after": dee}}
    assert summary.tables["stripe subscriptions"].updated == 1
    assert run(db, ls).changed == 0
