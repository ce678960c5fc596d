"""The gateway on its own: paging by starting_after, clear messages, no telemetry, jittered backoff."""

from __future__ import annotations

import pytest
import stripe

from crm_desktop.integrations.stripe_gateway import RetryPolicy, StripeGateway, StripeUnavailable
from tests.stripe.servers import FakeStripe


def test_lists_page_by_starting_after_100_at_a_time(fake_stripe: FakeStripe, gateway_for) -> None:
    fake_stripe.add("customers", *({"id": f"cus_{n:03d}", "object": "customer", "email": f"c{n}@example.com"}
                                   for n in range(250)))
    ids = [c["id"] for c in gateway_for(fake_stripe.url).list_customers()]
    assert ids == [f"cus_{n:03d}" for n in range(250)]
    pages = [r for r in fake_stripe.requests if r.startswith("/v1/customers")]
    assert len(pages) == 3 and all("limit=100" in r for r in pages)
    assert "starting_after=cus_099" in pages[1] and "starting_after=cus_199" in pages[2]


def test_subscriptions_are_listed_in_every_status(fake_stripe: FakeStripe, gateway_for) -> None:
    list(gateway_for(fake_stripe.url).list_subscriptions())
    assert "status=all" in fake_stripe.requests[0]  # Stripe hides cancelled ones otherwise


def test_refused_key_and_missing_key_say_so(fake_stripe: FakeStripe, gateway_for, sleeps) -> None:
    fake_stripe.fail("/v1/events", (401, {}))
    with pytest.raises(StripeUnavailable, match="refused the API key"):
        list(gateway_for(fake_stripe.url).list_events())
    assert sleeps == []  # not retried
    with pytest.raises(StripeUnavailable, match="No Stripe API key"):
        StripeGateway("  ", fake_stripe.url)


def test_missing_objects_are_none_and_telemetry_is_off(fake_stripe: FakeStripe, gateway_for) -> None:
    gateway = gateway_for(fake_stripe.url)
    assert gateway.retrieve_subscription("sub_nope") is None
    assert gateway.retrieve_customer("cus_nope") is None
    assert stripe.enable_telemetry is False


def test_backoff_is_bounded_jittered_and_honours_retry_after() -> None:
    policy = RetryPolicy(attempts=5, base_delay=0.5, max_delay=20.0)
    for attempt in range(1, 6):
        assert 0 <= policy.delay(attempt, None) <= min(20.0, 0.5 * 2 ** (attempt - 1))
    assert policy.delay(1, 7.0) >= 7.0
    assert policy.delay(1, 3600.0) == 20.0  # a silly Retry-After does not freeze the sync
