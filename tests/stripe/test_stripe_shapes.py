"""The pure shape parsers on recorded JSON of both API generations (2017 from localstripe, 2026 current)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.sync.stripe_shapes import (
    ShapeError,
    parse_checkout_session,
    parse_customer,
    parse_event,
    parse_invoice,
    parse_subscription,
    tier_from_hints,
    tier_of,
)
from tests.stripe.conftest import recorded


def test_subscription_2017_shape_from_localstripe() -> None:
    raw = recorded("v2017/subscription.json")
    sub = parse_subscription(raw)
    assert sub.id == raw["id"] and sub.customer_id == raw["customer"]
    assert sub.status == "active"
    assert sub.period_start == raw["current_period_start"] and sub.period_end == raw["current_period_end"]
    assert sub.unit_amount == Decimal("299.00") and sub.interval == "year"
    assert sub.metadata == {"planId": "Gold", "userId": "u-101", "propertyId": "42"}
    assert tier_from_hints(sub.tier_hints) == "gold"  # plan nickname / product name


def test_subscription_2026_shape_period_on_items_and_price() -> None:
    sub = parse_subscription(recorded("v2026/subscription.json"))
    assert sub.period_start == 1793872800 and sub.period_end == 1825408800  # from the item
    assert sub.unit_amount == Decimal("299.00") and sub.interval == "year"
    assert sub.metadata == {}
    assert tier_from_hints(sub.tier_hints) == "gold"  # lookup_key membership_gold_annual
    assert sub.start_date == 1793872800 and not sub.cancel_at_period_end


def test_invoice_2017_shape_paid_and_failed() -> None:
    paid = parse_invoice(recorded("v2017/invoice_paid.json"))
    assert paid.status == "paid" and paid.amount_paid == Decimal("299.00")
    assert paid.subscription_id and paid.subscription_id.startswith("sub_")
    assert paid.paid_at is not None and paid.period_end is not None
    failed = parse_invoice(recorded("v2017/invoice_open_failed.json"))
    assert failed.status == "open" and failed.attempt_count == 1 and failed.paid_at is None
    assert failed.amount_due == Decimal("25.00")


def test_invoice_2026_shape_subscription_under_parent() -> None:
    raw = recorded("v2026/invoice_paid.json")
    assert "subscription" not in raw
    inv = parse_invoice(raw)
    assert inv.subscription_id == "sub_1QcurrentGold01"
    assert inv.paid_at == 1793872803 and inv.period_end == 1825408800
    assert inv.amount_paid == Decimal("299.00") and inv.customer_email == "owner.one@example.com"
    # Only the line names the subscription: still found.
    del raw["parent"]
    assert parse_invoice(raw).subscription_id == "sub_1QcurrentGold01"
    failed = parse_invoice(recorded("v2026/invoice_failed.json"))
    assert failed.attempt_count == 2 and failed.next_payment_attempt == 1825668000


def test_checkout_session_metadata_any_case_and_email_from_details() -> None:
    co = parse_checkout_session(recorded("v2026/checkout_session.json"))
    assert co.subscription_id == "sub_1QcurrentGold01" and co.mode == "subscription"
    assert co.metadata["planId"] == "Gold" and tier_of(co.metadata["planId"]) == "gold"
    assert co.customer_email == "owner.one@example.com"
    assert co.amount_total == Decimal("299.00")


def test_customers_and_events_of_both_shapes() -> None:
    old = parse_customer(recorded("v2017/customer.json"))
    assert old.email == "ann.owner@example.com" and old.user_id == "u-101"
    new = parse_customer(recorded("v2026/customer.json"))
    assert new.email == "owner.one@example.com" and new.user_id is None
    events = [parse_event(e) for e in recorded("v2017/events.json")["data"]]
    assert {e.type for e in events} == {"invoice.payment_succeeded", "customer.subscription.created"}
    event = recorded("v2026/event.json")
    assert parse_event(event).obj["id"] == "in_1QcurrentPaid01"


@pytest.mark.parametrize("mutate, reason", [
    (lambda s: s.pop("id"), "has no id"),
    (lambda s: s.pop("status"), "has no status"),
    (lambda s: s["items"]["data"][0]["price"].update(unit_amount="lots"), "not an amount in pence"),
    (lambda s: s["items"]["data"][0]["price"].update(unit_amount=-5), "negative"),
    (lambda s: s["items"]["data"][0].update(current_period_end="soon"), "not a Unix time"),
    (lambda s: s.update(metadata=["planId", "gold"]), "metadata"),
    (lambda s: s["items"]["data"][0].pop("price"), "neither a price nor a plan"),
])
def test_malformed_subscriptions_say_why(mutate, reason: str) -> None:
    raw = recorded("v2026/subscription.json")
    mutate(raw)
    with pytest.raises(ShapeError, match=reason):
        parse_subscription(raw)


def test_malformed_event_and_invoice() -> None:
    with pytest.raises(ShapeError, match="lacks"):
        parse_event({"id": "evt_x", "type": "invoice.paid", "created": 1, "data": {}})
    raw = recorded("v2026/invoice_failed.json")
    raw["attempt_count"] = "two"
    with pytest.raises(ShapeError, match="attempt_count"):
        parse_invoice(raw)


def test_tiers() -> None:
    assert tier_of(" GOLD ") == "gold" and tier_of("platinum") is None and tier_of(None) is None
    assert tier_from_hints(("price_123", "Silver monthly")) == "silver"
    assert tier_from_hints(("gold-or-silver",)) is None  # ambiguous names decide nothing
