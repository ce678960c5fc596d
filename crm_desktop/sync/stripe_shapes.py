"""Stripe objects as plain facts, whatever API version shaped them. Pure: no database, no network.

The SDK pins a 2025+ API version, where a subscription's period lives on its items, prices replace
plans and an invoice names its subscription under `parent.subscription_details`; older versions (and
localstripe, which answers in 2017 shapes) put `current_period_*` and `subscription` at the top level
and `plan` on items. Each parser accepts both and raises ShapeError with a reason a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crm_desktop.db.base import money

TIERS = ("bronze", "silver", "gold")
CYCLES = {"year": "annual", "month": "monthly"}


class ShapeError(ValueError):
    """A Stripe object the CRM cannot use, with the reason."""


@dataclass(frozen=True)
class CustomerFacts:
    id: str
    email: str | None
    user_id: str | None
    deleted: bool = False


@dataclass(frozen=True)
class SubscriptionFacts:
    id: str
    customer_id: str | None
    customer: CustomerFacts | None  # when the customer came expanded
    status: str
    metadata: dict[str, str]
    created: int | None
    start_date: int | None
    period_start: int | None
    period_end: int | None
    cancel_at_period_end: bool
    canceled_at: int | None
    ended_at: int | None
    unit_amount: Decimal | None  # pounds
    interval: str | None  # 'year' | 'month' | ...
    tier_hints: tuple[str, ...] = field(default=())  # price/plan/product names that may name the tier


@dataclass(frozen=True)
class InvoiceFacts:
    id: str
    customer_id: str | None
    customer_email: str | None
    subscription_id: str | None
    status: str | None
    amount_paid: Decimal | None
    amount_due: Decimal | None
    paid_at: int | None
    attempt_count: int
    next_payment_attempt: int | None
    period_end: int | None
    created: int | None


@dataclass(frozen=True)
class CheckoutFacts:
    id: str
    mode: str | None
    status: str | None
    subscription_id: str | None
    customer_id: str | None
    customer_email: str | None
    amount_total: Decimal | None
    metadata: dict[str, str]
    created: int | None


@dataclass(frozen=True)
class EventFacts:
    id: str
    type: str
    created: int
    obj: dict[str, Any]


# ---- small readers ---------------------------------------------------------------------------------


def _id_of(value: Any) -> str | None:
    """A reference may be an id string or the expanded object."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    raise ShapeError(f"expected an id, got {type(value).__name__}")


def _epoch(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ShapeError(f"{key} is not a Unix time: {value!r}")
    return int(value)


def _pence(obj: dict[str, Any], key: str) -> Decimal | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():  # unit_amount_decimal
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(f"{key} is not an amount in pence: {value!r}")
    if value < 0:
        raise ShapeError(f"{key} is negative: {value}")
    return money(Decimal(value) / 100)


def _flag(value: Any) -> bool:
    """A boolean that a form-encoding server may echo back as the text 'true'/'false'."""
    return value.strip().lower() == "true" if isinstance(value, str) else bool(value)


def _metadata(obj: dict[str, Any]) -> dict[str, str]:
    meta = obj.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ShapeError("metadata is not a set of keys and values")
    return {str(k): str(v).strip() for k, v in meta.items() if v is not None and str(v).strip()}


def _require_id(obj: Any, prefix_kind: str) -> str:
    if not isinstance(obj, dict):
        raise ShapeError(f"a {prefix_kind} is not an object")
    oid = obj.get("id")
    if not isinstance(oid, str) or not oid.strip():
        raise ShapeError(f"a {prefix_kind} has no id")
    return oid


def _list_data(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = value.get("data") or []
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise ShapeError("a list field is not a list of objects")
    return value


def normalise_email(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def tier_of(value: Any) -> str | None:
    """'Gold', ' gold ', 'GOLD' -> 'gold'; anything else -> None."""
    text = str(value or "").strip().lower()
    return text if text in TIERS else None


def tier_from_hints(hints: tuple[str, ...]) -> str | None:
    """A tier named in a price's lookup key, nickname or product name ('gold-annual', 'Gold membership')."""
    for hint in hints:
        words = {w for w in "".join(c if c.isalnum() else " " for c in hint.lower()).split()}
        found = [t for t in TIERS if t in words]
        if len(found) == 1:
            return found[0]
    return None


# ---- parsers ---------------------------------------------------------------------------------------


def parse_customer(obj: Any) -> CustomerFacts:
    cid = _require_id(obj, "customer")
    meta = _metadata(obj)
    return CustomerFacts(cid, normalise_email(obj.get("email")), meta.get("userId"), _flag(obj.get("deleted")))


def _price_of(item: dict[str, Any]) -> tuple[Decimal | None, str | None, list[str]]:
    """(pounds, interval, hints) from a 2025+ `price` or a 2017 `plan` on a subscription item."""
    price, plan = item.get("price"), item.get("plan")
    hints: list[str] = []
    if isinstance(price, dict):
        recurring = price.get("recurring") or {}
        amount = _pence(price, "unit_amount")
        if amount is None:
            amount = _pence(price, "unit_amount_decimal")
        interval = recurring.get("interval") if isinstance(recurring, dict) else None
        src = price
    elif isinstance(plan, dict):
        amount, interval, src = _pence(plan, "amount"), plan.get("interval"), plan
    else:
        raise ShapeError("a subscription item has neither a price nor a plan")
    meta = _metadata(src)
    for key in ("planId", "tier"):
        if meta.get(key):
            hints.append(meta[key])
    for key in ("lookup_key", "nickname", "name", "id"):
        if isinstance(src.get(key), str):
            hints.append(src[key])
    product = src.get("product")
    if isinstance(product, dict) and isinstance(product.get("name"), str):
        hints.append(product["name"])
    return amount, interval, hints


def parse_subscription(obj: Any) -> SubscriptionFacts:
    sid = _require_id(obj, "subscription")
    status = obj.get("status")
    if not isinstance(status, str) or not status:
        raise ShapeError(f"subscription {sid} has no status")
    items = _list_data(obj.get("items"))
    amount = interval = None
    hints: list[str] = []
    if items:
        amount, interval, hints = _price_of(items[0])
    # 2017-2025: on the subscription. 2025+: on each item (take the span of the items).
    start, end = _epoch(obj, "current_period_start"), _epoch(obj, "current_period_end")
    if end is None:
        starts = [s for s in (_epoch(i, "current_period_start") for i in items) if s is not None]
        ends = [e for e in (_epoch(i, "current_period_end") for i in items) if e is not None]
        start, end = (min(starts) if starts else None), (max(ends) if ends else None)
    customer = obj.get("customer")
    return SubscriptionFacts(
        id=sid,
        customer_id=_id_of(customer),
        customer=parse_customer(customer) if isinstance(customer, dict) else None,
        status=status,
        metadata=_metadata(obj),
        created=_epoch(obj, "created"),
        start_date=_epoch(obj, "start_date"),
        period_start=start,
        period_end=end,
        cancel_at_period_end=_flag(obj.get("cancel_at_period_end")),
        canceled_at=_epoch(obj, "canceled_at"),
        ended_at=_epoch(obj, "ended_at"),
        unit_amount=amount,
        interval=interval if isinstance(interval, str) else None,
        tier_hints=tuple(hints),
    )


def _invoice_subscription(obj: dict[str, Any], lines: list[dict[str, Any]]) -> str | None:
    if obj.get("subscription"):  # up to 2025
        return _id_of(obj["subscription"])
    parent = obj.get("parent") or {}
    details = parent.get("subscription_details") if isinstance(parent, dict) else None
    if isinstance(details, dict) and details.get("subscription"):
        return _id_of(details["subscription"])
    for line in lines:
        if line.get("subscription"):
            return _id_of(line["subscription"])
        lparent = line.get("parent") or {}
        item = lparent.get("subscription_item_details") if isinstance(lparent, dict) else None
        if isinstance(item, dict) and item.get("subscription"):
            return _id_of(item["subscription"])
    return None


def parse_invoice(obj: Any) -> InvoiceFacts:
    iid = _require_id(obj, "invoice")
    lines = _list_data(obj.get("lines"))
    ends = [p.get("end") for p in (line.get("period") for line in lines) if isinstance(p, dict)]
    ends = [e for e in ends if isinstance(e, int)]
    transitions = obj.get("status_transitions") or {}
    if not isinstance(transitions, dict):
        raise ShapeError(f"invoice {iid}: status_transitions is not an object")
    attempts = obj.get("attempt_count") or 0
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
        raise ShapeError(f"invoice {iid}: attempt_count is not a count: {attempts!r}")
    customer = obj.get("customer")
    return InvoiceFacts(
        id=iid,
        customer_id=_id_of(customer),
        customer_email=normalise_email(obj.get("customer_email")),
        subscription_id=_invoice_subscription(obj, lines),
        status=obj.get("status") if isinstance(obj.get("status"), str) else None,
        amount_paid=_pence(obj, "amount_paid"),
        amount_due=_pence(obj, "amount_due"),
        paid_at=_epoch(transitions, "paid_at"),
        attempt_count=attempts,
        next_payment_attempt=_epoch(obj, "next_payment_attempt"),
        period_end=max(ends) if ends else _epoch(obj, "period_end"),
        created=_epoch(obj, "created"),
    )


def parse_checkout_session(obj: Any) -> CheckoutFacts:
    cid = _require_id(obj, "checkout session")
    details = obj.get("customer_details") or {}
    email = obj.get("customer_email") or (details.get("email") if isinstance(details, dict) else None)
    return CheckoutFacts(
        id=cid,
        mode=obj.get("mode"),
        status=obj.get("status"),
        subscription_id=_id_of(obj.get("subscription")),
        customer_id=_id_of(obj.get("customer")),
        customer_email=normalise_email(email),
        amount_total=_pence(obj, "amount_total"),
        metadata=_metadata(obj),
        created=_epoch(obj, "created"),
    )


def parse_event(obj: Any) -> EventFacts:
    eid = _require_id(obj, "event")
    etype, created = obj.get("type"), _epoch(obj, "created")
    data = obj.get("data") or {}
    inner = data.get("object") if isinstance(data, dict) else None
    if not isinstance(etype, str) or created is None or not isinstance(inner, dict):
        raise ShapeError(f"event {eid} lacks a type, a created time or a data object")
    return EventFacts(eid, etype, created, inner)
