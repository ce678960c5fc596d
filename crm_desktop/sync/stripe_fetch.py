"""Turning Stripe events and list pages into units of work, with the look-ups each one needs done first
(the customer's email, the checkout session's metadata, the subscription behind a checkout or an
invoice). All network here; the database is only read (does a membership exist yet?)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Membership
from crm_desktop.integrations.stripe_gateway import EndpointMissing, StripeGateway
from crm_desktop.sync.progress import ProgressFn
from crm_desktop.sync.stripe_apply import SubscriptionInput
from crm_desktop.sync.stripe_shapes import (
    CheckoutFacts,
    CustomerFacts,
    InvoiceFacts,
    ShapeError,
    SubscriptionFacts,
    parse_checkout_session,
    parse_customer,
    parse_event,
    parse_invoice,
    parse_subscription,
)

T_EVENTS, T_SUBS, T_INVOICES = "stripe events", "stripe subscriptions", "stripe invoices"
T_CHECKOUT, T_CUSTOMERS = "stripe checkout sessions", "stripe customers"
SUBSCRIPTION_EVENTS = ("customer.subscription.created", "customer.subscription.updated",
                       "customer.subscription.deleted")
PAID_EVENTS = ("invoice.paid", "invoice.payment_succeeded")  # the second is the older API's name
FAILED_EVENTS = ("invoice.payment_failed",)


@dataclass
class Work:
    """One Stripe object (or event) ready to apply: subscriptions first, then the invoice, if any."""

    table: str
    external_id: str
    payload: Any = None
    reject: str | None = None
    subscriptions: list[tuple[SubscriptionInput, str]] = field(default_factory=list)
    invoice: InvoiceFacts | None = None
    failed: bool = False
    why: str = ""
    event_time: int | None = None
    event_id: str | None = None
    event_created: int = 0


class Fetcher:
    """The gateway plus per-pass caches, so each customer or checkout session is read once a pass."""

    def __init__(self, gateway: StripeGateway, db: Database) -> None:
        self.gateway = gateway
        self.db = db
        self.customers: dict[str, CustomerFacts | None] = {}
        self.checkouts: dict[str, CheckoutFacts | None] = {}
        self.subscriptions: dict[str, SubscriptionFacts | None] = {}
        self.checkout_api = True
        self.all_checkouts = False  # True once every session was listed: no per-subscription look-ups

    def customer(self, customer_id: str | None) -> CustomerFacts | None:
        if not customer_id:
            return None
        if customer_id not in self.customers:
            raw = self.gateway.retrieve_customer(customer_id)
            self.customers[customer_id] = parse_customer(raw) if raw else None
        return self.customers[customer_id]

    def checkout_for(self, subscription_id: str) -> CheckoutFacts | None:
        if not self.checkout_api:
            return None
        if subscription_id not in self.checkouts and not self.all_checkouts:
            try:
                raw = self.gateway.checkout_session_for(subscription_id)
            except EndpointMissing:
                self.checkout_api = False  # no Checkout on this server (localstripe): stop asking
                return None
            self.checkouts[subscription_id] = parse_checkout_session(raw) if raw else None
        return self.checkouts.get(subscription_id)

    def load_all_checkouts(self) -> list[Work]:
        """Read every Checkout Session once (a reconcile), instead of one look-up per subscription."""
        rejects: list[Work] = []
        try:
            sessions = list(self.gateway.list_checkout_sessions())
        except EndpointMissing:
            self.checkout_api = False
            return rejects
        for raw in sessions:
            try:
                co = parse_checkout_session(raw)
            except ShapeError as exc:
                rejects.append(Work(T_CHECKOUT, _raw_id(raw), payload=raw, reject=str(exc)))
                continue
            if co.subscription_id and co.status in (None, "complete"):
                self.checkouts[co.subscription_id] = co
        self.all_checkouts = True
        return rejects

    def subscription(self, subscription_id: str) -> SubscriptionFacts | None:
        """The subscription as it is now (read once a pass).

        Events carry a snapshot from when they happened; applying the current state instead makes the
        result independent of event order and of events re-read across the overlap window.
        """
        if subscription_id not in self.subscriptions:
            raw = self.gateway.retrieve_subscription(subscription_id)
            self.subscriptions[subscription_id] = parse_subscription(raw) if raw else None
        return self.subscriptions[subscription_id]

    def has_membership(self, subscription_id: str) -> bool:
        with self.db.read() as session:
            return session.scalar(
                select(Membership.id).where(Membership.stripeSubscriptionId == subscription_id)) is not None

    def sub_input(self, sub: SubscriptionFacts, checkout: CheckoutFacts | None = None) -> SubscriptionInput:
        """A subscription with its owner's customer record and, when its own metadata lacks the plan or
        the user, the checkout session's metadata (the platform may set it only there)."""
        customer = sub.customer or self.customer(sub.customer_id)
        if checkout is None and not {"planId", "userId"} <= set(sub.metadata):
            checkout = self.checkout_for(sub.id)
        return SubscriptionInput(sub, customer, checkout)


def _raw_id(raw: Any) -> str:
    return str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else "(no id)"


def event_work(fetch: Fetcher, raw: dict[str, Any]) -> Work:
    created = raw.get("created") if isinstance(raw.get("created"), int) else 0
    work = Work(T_EVENTS, _raw_id(raw), payload=raw, event_id=_raw_id(raw), event_created=created)
    try:
        ev = parse_event(raw)
        work.event_time, work.why = ev.created, f"Stripe {ev.type} ({ev.id})"
        if ev.type == "checkout.session.completed":
            work.table, work.external_id = T_CHECKOUT, _raw_id(ev.obj)
            co = parse_checkout_session(ev.obj)
            if co.mode not in (None, "subscription") or not co.subscription_id:
                return work  # a one-off payment: nothing for memberships
            sub = fetch.subscription(co.subscription_id)
            if sub is None:
                raise ShapeError(f"checkout {co.id}: subscription {co.subscription_id} is not in Stripe")
            work.subscriptions.append((fetch.sub_input(sub, co), work.why))
        elif ev.type in SUBSCRIPTION_EVENTS:
            work.table, work.external_id = T_SUBS, _raw_id(ev.obj)
            snapshot = parse_subscription(ev.obj)
            current = fetch.subscription(snapshot.id) or snapshot  # gone from Stripe: the snapshot
            work.subscriptions.append((fetch.sub_input(current), work.why))
        elif ev.type in PAID_EVENTS + FAILED_EVENTS:
            work.table, work.external_id = T_INVOICES, _raw_id(ev.obj)
            inv = parse_invoice(ev.obj)
            work.invoice, work.failed = inv, ev.type in FAILED_EVENTS
            if inv.subscription_id and not fetch.has_membership(inv.subscription_id):
                sub = fetch.subscription(inv.subscription_id)  # the invoice came before the subscription
                if sub is not None:
                    work.subscriptions.append((fetch.sub_input(sub), work.why))
    except ShapeError as exc:
        work.reject = str(exc)
    return work


def reconcile_work(fetch: Fetcher, progress: ProgressFn) -> list[Work]:
    """Everything from the list endpoints: customers (for emails), then subscriptions, then invoices
    oldest first (payments in order; a failed invoice counts its attempts)."""
    works: list[Work] = []
    for n, raw in enumerate(fetch.gateway.list_customers(), 1):
        try:
            facts = parse_customer(raw)
            fetch.customers[facts.id] = facts
        except ShapeError as exc:
            works.append(Work(T_CUSTOMERS, _raw_id(raw), payload=raw, reject=str(exc)))
        progress("Reading Stripe customers", n, 0)
    works.extend(fetch.load_all_checkouts())
    for n, raw in enumerate(fetch.gateway.list_subscriptions(), 1):
        # No event says when a cancellation without canceled_at was seen: the reconcile is when.
        work = Work(T_SUBS, _raw_id(raw), payload=raw, why="Stripe reconcile", event_time=int(time.time()))
        try:
            work.subscriptions.append((fetch.sub_input(parse_subscription(raw)), work.why))
        except ShapeError as exc:
            work.reject = str(exc)
        works.append(work)
        progress("Reading Stripe subscriptions", n, 0)
    invoices: list[tuple[int, Work]] = []
    for n, raw in enumerate(fetch.gateway.list_invoices(), 1):
        work = Work(T_INVOICES, _raw_id(raw), payload=raw, why="Stripe reconcile")
        try:
            inv = parse_invoice(raw)
        except ShapeError as exc:
            work.reject = str(exc)
            works.append(work)
            continue
        failing = inv.status in ("open", "uncollectible") and inv.attempt_count > 0
        if inv.subscription_id and (inv.status == "paid" or failing):
            work.invoice, work.failed = inv, inv.status != "paid"
            invoices.append((inv.paid_at or inv.created or 0, work))
        progress("Reading Stripe invoices", n, 0)
    works.extend(w for _, w in sorted(invoices, key=lambda p: p[0]))
    return works
