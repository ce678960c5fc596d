"""How a Stripe subscription or invoice changes one crm_memberships row (see shared/platform/stripe.md).

Every function here compares before it writes, so applying the same object twice changes nothing and
writes no audit entry; that is what makes the overlap window and re-runs safe. Nothing here talks to
Stripe: the caller fetches, this module only maps and writes (inside the caller's transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact, Membership, Property, SyncReject
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.audit import diff, log_activity
from crm_desktop.services.tombstones import is_erased
from crm_desktop.sync.platform_memberships import STRIPE_OWNED_FIELDS
from crm_desktop.sync.progress import SyncSummary
from crm_desktop.sync.stripe_shapes import (
    CYCLES,
    CheckoutFacts,
    CustomerFacts,
    InvoiceFacts,
    ShapeError,
    SubscriptionFacts,
    tier_from_hints,
    tier_of,
)
from crm_desktop.timeutil import iso, now_iso

Outcome = Literal["created", "updated", "unchanged", "missing"]
SOURCE = "stripe"
LIVE = ("active", "expiring_soon")  # expiring_soon is the daily job's refinement of active: keep it


def ts(epoch: int | None) -> str | None:
    return iso(datetime.fromtimestamp(epoch, UTC)) if epoch is not None else None


@dataclass(frozen=True)
class SubscriptionInput:
    """A subscription and what the caller could find about its owner and its checkout."""

    sub: SubscriptionFacts
    customer: CustomerFacts | None = None
    checkout: CheckoutFacts | None = None


def find_membership(session: Session, subscription_id: str) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.stripeSubscriptionId == subscription_id))


def find_contact(session: Session, user_id: str | None, email: str | None) -> str | None:
    """The owner's contact: by platform user id first, else by (already normalised) email."""
    if user_id:
        found = session.scalar(select(Contact.id).where(Contact.userId == user_id))
        if found:
            return found
    if email:
        return session.scalar(select(Contact.id).where(Contact.email == email))
    return None


def _status(sub: SubscriptionFacts, current: str | None) -> tuple[str, bool]:
    """(CRM status, autoRenew) for a Stripe subscription status."""
    if sub.status in ("canceled", "incomplete_expired") or sub.cancel_at_period_end:
        return "cancelled", False
    if sub.status in ("past_due", "unpaid", "incomplete", "paused"):
        return "suspended", True
    if sub.status in ("active", "trialing"):
        return (current if current in LIVE else "active"), True
    raise ShapeError(f"subscription {sub.id} has an unknown status {sub.status!r}")


def subscription_values(session: Session, inp: SubscriptionInput, row: Membership | None,
                        event_time: int | None) -> dict[str, Any]:
    """The membership fields this subscription implies; raises ShapeError when it cannot be mapped."""
    sub, checkout, customer = inp.sub, inp.checkout, inp.customer or inp.sub.customer
    meta = {**(checkout.metadata if checkout else {}), **sub.metadata}
    raw_tier = meta.get("planId")
    tier = tier_of(raw_tier) if raw_tier else (row.planTier if row else None) or tier_from_hints(sub.tier_hints)
    if tier is None:
        why = f"planId {raw_tier!r} is not bronze, silver or gold" if raw_tier else "no metadata.planId"
        raise ShapeError(f"subscription {sub.id}: cannot tell the plan ({why}, on the subscription or "
                         "its checkout session)")
    if sub.interval is not None and sub.interval not in CYCLES:
        raise ShapeError(f"subscription {sub.id}: billing interval {sub.interval!r} is not year or month")
    cycle = CYCLES.get(sub.interval or "") or (row.billingCycle if row else None)
    price = sub.unit_amount if sub.unit_amount is not None else (checkout.amount_total if checkout else None)
    end = sub.period_end
    if end is None:
        raise ShapeError(f"subscription {sub.id} has no current period end")
    start = sub.start_date or sub.created or sub.period_start or end
    if start > end:
        start = sub.period_start or end
    status, auto_renew = _status(sub, row.status if row else None)
    cancelled = None
    if status == "cancelled":
        cancelled = ts(sub.canceled_at or sub.ended_at) or (row.cancelledDate if row else None) or ts(event_time)
    user_id = meta.get("userId") or (customer.user_id if customer else None)
    email = (customer.email if customer and not customer.deleted else None) or (
        checkout.customer_email if checkout else None)
    if is_erased(session, email=email, user_id=user_id):
        user_id = email = None  # an erased person is not brought back through their Stripe record
    values: dict[str, Any] = {
        "planTier": tier, "planPrice": price, "billingCycle": cycle,
        "startDate": ts(start), "endDate": ts(end),
        "renewalDate": ts(end) if auto_renew else None,
        "cancelledDate": cancelled, "status": status, "autoRenew": auto_renew,
        "stripeCustomerId": sub.customer_id or (checkout.customer_id if checkout else None),
        "platformUserId": user_id or (row.platformUserId if row else None),
        "customerEmail": email or (row.customerEmail if row else None),
    }
    contact_id = find_contact(session, values["platformUserId"], values["customerEmail"])
    if contact_id:  # never unlink a contact staff or an earlier sync linked
        values["contactId"] = contact_id
    prop = meta.get("propertyId")
    if prop:
        prop_id = session.scalar(select(Property.id).where(Property.propertyId == prop))
        if prop_id:
            values["propertyId"] = prop_id
    return values


def _write(session: Session, row: Membership | None, values: dict[str, Any], subscription_id: str,
           why: str) -> Outcome:
    now = now_iso()
    if row is None:
        row = Membership(stripeSubscriptionId=subscription_id, paymentFailureCount=0, **values,
                         createdAt=now, updatedAt=now, stripeSyncedAt=now)
        session.add(row)
        session.flush()
        created = {k: {"before": None, "after": v} for k, v in values.items() if v is not None}
        log_activity(session, SYSTEM, "membership", row.id, "created",
                     {"stripeSubscriptionId": {"before": None, "after": subscription_id}, **created},
                     reason=why)
        return "created"
    before = {k: getattr(row, k) for k in values}
    changes = diff(before, values)
    if not changes:
        return "unchanged"
    old_status = row.status
    for key in changes:
        setattr(row, key, values[key])
    row.updatedAt = row.stripeSyncedAt = now
    session.flush()
    action = "status_changed" if row.status != old_status else "updated"
    log_activity(session, SYSTEM, "membership", row.id, action, changes, reason=why)
    return "updated"


def apply_subscription(session: Session, inp: SubscriptionInput, event_time: int | None, why: str) -> Outcome:
    row = find_membership(session, inp.sub.id)
    values = subscription_values(session, inp, row, event_time)
    if row is not None and row.platformSubscriptionId:
        # The platform sync keeps this row too: Stripe owns status and payments, the platform the plan,
        # dates and owner (else the two passes would undo each other on every run); gaps are filled.
        values = {k: v for k, v in values.items() if k in STRIPE_OWNED_FIELDS or getattr(row, k) is None}
    return _write(session, row, values, inp.sub.id, why)


def apply_invoice(session: Session, inv: InvoiceFacts, failed: bool, event_time: int | None,
                  why: str) -> Outcome:
    """invoice.paid: last payment, next payment, failures back to 0. invoice.payment_failed: one more
    failure per attempt (the invoice's attempt_count makes a re-read count the same attempt once)."""
    if inv.subscription_id is None:
        return "unchanged"  # a one-off invoice: not a membership payment
    row = find_membership(session, inv.subscription_id)
    if row is None:
        return "missing"
    values: dict[str, Any] = {}
    if not failed:
        paid_at = ts(inv.paid_at or event_time or inv.created)
        last = row.lastPaymentDate
        if last and paid_at and paid_at < last:
            return "unchanged"  # an older payment than the one already recorded
        values = {"lastPaymentDate": paid_at, "lastPaymentAmount": inv.amount_paid,
                  "nextPaymentDate": ts(inv.period_end) if row.autoRenew else None}
        if not (last and paid_at == last):  # the same payment again must not undo a later failure
            values["paymentFailureCount"] = 0
    else:
        failed_at = ts(event_time or inv.created)
        if row.lastPaymentDate and failed_at and failed_at <= row.lastPaymentDate:
            return "unchanged"  # paid since
        count = max(row.paymentFailureCount, inv.attempt_count) if inv.attempt_count else \
            row.paymentFailureCount + 1
        values = {"paymentFailureCount": count}
        if inv.next_payment_attempt:
            values["nextPaymentDate"] = ts(inv.next_payment_attempt)
    return _write(session, row, values, inv.subscription_id, why)


def link_pending(session: Session) -> int:
    """Link Stripe memberships kept without an owner to contacts that have arrived since."""
    linked = 0
    pending = session.scalars(select(Membership).where(
        Membership.contactId.is_(None), Membership.stripeSubscriptionId.is_not(None))).all()
    for row in pending:
        contact_id = find_contact(session, row.platformUserId, row.customerEmail)
        if contact_id and _write(session, row, {"contactId": contact_id}, row.stripeSubscriptionId or "",
                                 "owner linked: the contact arrived after the Stripe subscription") != "unchanged":
            linked += 1
    return linked


def set_aside(session: Session, summary: SyncSummary, table: str, external_id: str, reason: str,
              payload: Any = None) -> None:
    """Keep a Stripe object the CRM could not use, with the reason, for staff (and count it)."""
    now = now_iso()
    text = json.dumps(payload, default=str)[:20_000] if payload is not None else None
    row = session.scalar(select(SyncReject).where(SyncReject.source == SOURCE,
                                                  SyncReject.externalId == external_id))
    if row is None:
        session.add(SyncReject(source=SOURCE, externalId=external_id, reason=reason, payload=text,
                               firstSeenAt=now, lastSeenAt=now))
    else:
        row.reason, row.payload, row.lastSeenAt, row.resolvedAt = reason, text, now, None
    summary.table(table).set_aside += 1
    summary.rejects.append((table, external_id, reason))


def resolve_reject(session: Session, external_id: str) -> None:
    """An object set aside earlier that now applies cleanly is marked resolved."""
    row = session.scalar(select(SyncReject).where(SyncReject.source == SOURCE,
                                                  SyncReject.externalId == external_id,
                                                  SyncReject.resolvedAt.is_(None)))
    if row is not None:
        row.resolvedAt = now_iso()
