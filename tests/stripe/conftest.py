"""Fixtures for the Stripe sync tests: localstripe in-process (one server per run, a clear store per
test), the fake current-shape server, recorded JSON and a gateway whose backoff does not really sleep."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import stripe

from crm_desktop.integrations.stripe_gateway import RetryPolicy, StripeGateway
from tests.stripe.servers import BackgroundAiohttp, FakeStripe

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"
API_KEY = "sk_test_crm_desktop"


def recorded(name: str) -> Any:
    """A recorded Stripe object, e.g. recorded('v2026/subscription.json') (a fresh copy each time)."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


@dataclass
class LocalStripe:
    """localstripe plus helpers that create objects through the real SDK."""

    url: str
    client: stripe.StripeClient
    plans: dict[str, str] = field(default_factory=dict)

    def plan(self, tier: str, interval: str = "year", pence: int = 29900) -> str:
        key = f"{tier}-{interval}-{pence}"
        if key not in self.plans:
            product = self.client.v1.products.create(params={"name": f"{tier.title()} membership"})
            self.client.v1.plans.create(params={
                "id": key, "amount": pence, "currency": "gbp", "interval": interval,
                "product": product.id, "nickname": f"{tier.title()} {interval}ly"})
            self.plans[key] = key
        return key

    def customer(self, email: str, user_id: str | None = None, card: str = "4242424242424242") -> str:
        token = self.client.v1.tokens.create(params={"card": {
            "number": card, "exp_month": "12", "exp_year": "2035", "cvc": "123"}})
        params: dict[str, Any] = {"email": email, "source": token.id}
        if user_id:
            params["metadata"] = {"userId": user_id}
        return self.client.v1.customers.create(params=params).id

    def subscribe(self, customer: str, plan: str, metadata: dict[str, str] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"customer": customer, "items": [{"plan": plan}]}
        if metadata:
            params["metadata"] = metadata
        return self.client.v1.subscriptions.create(params=params).to_dict()


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    import localstripe.resources as resources

    # localstripe pickles its whole store to /tmp/localstripe.pickle on every change (shared by every
    # user of the machine); keep it in memory only.
    resources.store.dump_to_disk = lambda: None  # type: ignore[method-assign]
    resources.store.clear()
    from localstripe.server import app

    server = BackgroundAiohttp(app)
    yield server.start()
    server.stop()
    resources.store.clear()


@pytest.fixture
def localstripe(localstripe_url: str) -> Iterator[LocalStripe]:
    import localstripe.resources as resources

    resources.store.clear()
    stripe.enable_telemetry = False
    client = stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url}, max_network_retries=0)
    yield LocalStripe(localstripe_url, client)
    resources.store.clear()


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def gateway_for(sleeps: list[float]):
    """gateway_for(url): a real gateway whose backoff records its pauses instead of sleeping."""
    def make(url: str, attempts: int = 5) -> StripeGateway:
        return StripeGateway(API_KEY, url, retry=RetryPolicy(attempts=attempts, sleep=sleeps.append), timeout=5)
    return make
