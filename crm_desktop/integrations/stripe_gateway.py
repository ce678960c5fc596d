"""A thin, read-only gateway over the real `stripe` SDK: one method per call, plain dicts out.

Why our own retry loop: the SDK's retries cannot be bounded per page with a visible message, and a
list walked with `starting_after` must retry the page that failed, not restart. The SDK's own retries
and telemetry are switched off; 429, 5xx and network errors are retried here with jittered exponential
backoff that honours Retry-After, then turned into one `StripeUnavailable` sentence for the user.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import stripe

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_SIZE = 100


class StripeUnavailable(RuntimeError):
    """Stripe could not be read (after retries, or refused the key); the message is fit for a user."""


class EndpointMissing(LookupError):
    """The server has no such API at all (localstripe has no Checkout), as opposed to no such object."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff; a server's Retry-After is a floor (capped at max_delay)."""
        backoff = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_delay))
        return backoff


def _retry_after(exc: stripe.StripeError) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _is_transient(exc: stripe.StripeError) -> bool:
    if isinstance(exc, stripe.RateLimitError | stripe.APIConnectionError):
        return True
    status = exc.http_status or 0
    return status == 429 or status >= 500 or (isinstance(exc, stripe.APIError) and status == 0)


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class StripeGateway:
    """Reads the Stripe objects the CRM needs. Built by the composition root or the sync, never at import."""

    def __init__(self, api_key: str, api_base: str | None = None, *, retry: RetryPolicy | None = None,
                 timeout: float = 30.0) -> None:
        if not api_key or not api_key.strip():
            raise StripeUnavailable("No Stripe API key is configured.")
        stripe.enable_telemetry = False  # no request metrics sent back to Stripe from staff desktops
        self.retry = retry or RetryPolicy()
        self.api_base = (api_base or "").rstrip("/") or None
        addresses = {"api": self.api_base} if self.api_base else None
        self._client = stripe.StripeClient(
            api_key.strip(),
            base_addresses=addresses,  # type: ignore[arg-type]
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    @property
    def where(self) -> str:
        return self.api_base or "api.stripe.com"

    # ---- retries -------------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return fn()
            except stripe.AuthenticationError as exc:
                raise StripeUnavailable(f"Stripe refused the API key while reading {what}: "
                                        f"{exc.user_message or exc}") from exc
            except stripe.PermissionError as exc:
                raise StripeUnavailable(f"The Stripe API key may not read {what}. Use a key with read "
                                        "access to customers, subscriptions, invoices and events.") from exc
            except stripe.StripeError as exc:
                if not _is_transient(exc):
                    raise
                if attempt == self.retry.attempts:
                    kind = (f"HTTP {exc.http_status}" if exc.http_status else "a network error")
                    raise StripeUnavailable(
                        f"Stripe ({self.where}) did not answer while reading {what}: {kind} after "
                        f"{attempt} attempts. Nothing was lost; the next sync continues from the same point."
                    ) from exc
                pause = self.retry.delay(attempt, _retry_after(exc))
                log.info("stripe %s: %s (attempt %d), retrying in %.2fs", what,
                            exc.__class__.__name__, attempt, pause)
                self.retry.sleep(pause)
        raise AssertionError("unreachable")

    def _pages(self, what: str, lister: Callable[[dict[str, Any]], Any],
               params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Walk a list endpoint 100 at a time by `starting_after`, retrying each page on its own."""
        query = {**(params or {}), "limit": PAGE_SIZE}
        while True:
            page = self._call(what, lambda q=dict(query): lister(q))
            items = [_plain(o) for o in page.data]
            yield from items
            if not page.has_more or not items:
                return
            query["starting_after"] = items[-1]["id"]

    # ---- one method per call -------------------------------------------------------------------

    def list_events(self, created_gte: int | None = None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {}
        if created_gte is not None:
            params["created"] = {"gte": int(created_gte)}
        return self._pages("events", lambda q: self._client.v1.events.list(params=q), params)  # type: ignore[arg-type]

    def list_customers(self) -> Iterator[dict[str, Any]]:
        return self._pages("customers", lambda q: self._client.v1.customers.list(params=q))  # type: ignore[arg-type]

    def list_subscriptions(self) -> Iterator[dict[str, Any]]:
        return self._pages("subscriptions",
                           lambda q: self._client.v1.subscriptions.list(params=q),  # type: ignore[arg-type]
                           {"status": "all"})

    def list_invoices(self) -> Iterator[dict[str, Any]]:
        return self._pages("invoices", lambda q: self._client.v1.invoices.list(params=q))  # type: ignore[arg-type]

    def list_checkout_sessions(self) -> Iterator[dict[str, Any]]:
        """Every Checkout Session (for a reconcile). Raises EndpointMissing without a Checkout API."""
        try:
            first = self._call("checkout sessions", lambda: self._client.v1.checkout.sessions.list(
                params={"limit": 1}))
        except stripe.StripeError as exc:
            if exc.http_status == 404:
                raise EndpointMissing("checkout sessions") from exc
            raise
        if not first.data:
            return iter(())
        return self._pages("checkout sessions",
                           lambda q: self._client.v1.checkout.sessions.list(params=q))  # type: ignore[arg-type]

    def retrieve_customer(self, customer_id: str) -> dict[str, Any] | None:
        return self._retrieve("customer", lambda: self._client.v1.customers.retrieve(customer_id))

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any] | None:
        return self._retrieve("subscription", lambda: self._client.v1.subscriptions.retrieve(subscription_id))

    def checkout_session_for(self, subscription_id: str) -> dict[str, Any] | None:
        """The completed Checkout Session that created a subscription (None if none).

        Raises EndpointMissing when the server has no Checkout API (a list never answers 404 otherwise).
        """
        try:
            page = self._call("checkout sessions", lambda: self._client.v1.checkout.sessions.list(
                params={"subscription": subscription_id, "limit": 10}))
        except stripe.StripeError as exc:  # localstripe answers an unknown route with a plain-text 404
            if exc.http_status == 404:
                raise EndpointMissing("checkout sessions") from exc
            raise
        sessions = [_plain(s) for s in page.data]
        complete = [s for s in sessions if s.get("status") in (None, "complete")]
        return (complete or sessions or [None])[0]

    def _retrieve(self, what: str, fn: Callable[[], Any]) -> dict[str, Any] | None:
        try:
            return _plain(self._call(what, fn))
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return None
            raise
