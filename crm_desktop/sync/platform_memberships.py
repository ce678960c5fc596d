"""Platform `property_subscriptions` and `payments` → crm_memberships for the property's owner, keyed
by the Stripe subscription id where there is one, else the platform subscription id.

Stripe is the fresher source: once the Stripe sync has touched a membership (stripeSyncedAt set), its
status and payment fields (STRIPE_OWNED_FIELDS) are left to Stripe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, or_, select

from crm_desktop.db.models import BILLING_CYCLES, TIERS, Membership
from crm_desktop.services.validation import amount, choice, clean_text, timestamp
from crm_desktop.sync.platform_listings import load_properties
from crm_desktop.sync.platform_tables import PAYMENTS
from crm_desktop.sync.platform_writer import RowRejected, Writer, as_dict, field
from crm_desktop.timeutil import parse_ts

STRIPE_OWNED_FIELDS = ("status", "cancelledDate", "renewalDate", "autoRenew", "lastPaymentDate",
                       "lastPaymentAmount", "nextPaymentDate", "paymentFailureCount", "stripeCustomerId")
# The platform's subscription statuses in the CRM's words ('upgraded': replaced by another plan).
STATUS_MAP = {"active": "active", "expired": "expired", "cancelled": "cancelled", "canceled": "cancelled",
              "upgraded": "cancelled"}
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "refunded")


def _existing(w: Writer, stripe_ids: list[str], platform_ids: list[str]) -> None:
    tbl = Membership.__table__
    by_stripe: dict[str, dict[str, Any]] = {}
    by_platform: dict[str, dict[str, Any]] = {}
    for i in range(0, max(len(stripe_ids), len(platform_ids)), 500):
        cond = or_(tbl.c.stripeSubscriptionId.in_(stripe_ids[i:i + 500]),
                   tbl.c.platformSubscriptionId.in_(platform_ids[i:i + 500]))
        for row in w.session.execute(select(tbl).where(cond)):
            d = as_dict(row)
            if d["stripeSubscriptionId"]:
                by_stripe[d["stripeSubscriptionId"]] = d
            if d["platformSubscriptionId"]:
                by_platform[d["platformSubscriptionId"]] = d
    w.extra["by_stripe"], w.extra["by_platform"] = by_stripe, by_platform


def payments_for(platform: Engine, sub_ids: Sequence[str], stripe_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The platform payments of these subscriptions (read-only, from the platform database)."""
    rows: list[dict[str, Any]] = []
    with platform.connect() as conn:
        for i in range(0, max(len(sub_ids), len(stripe_ids), 1), 500):
            cond = or_(PAYMENTS.c.property_subscription_id.in_([int(s) for s in sub_ids[i:i + 500] if s.isdigit()]),
                       PAYMENTS.c.stripe_subscription_id.in_(list(stripe_ids[i:i + 500])))
            rows.extend(as_dict(r) for r in conn.execute(select(PAYMENTS).where(cond)))
    return rows


def payment_fields(payments: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Last successful payment, failures since it, and the Stripe customer, from the platform payments.
    Payments with unreadable amounts or dates are ignored here (the payments pass sets them aside)."""
    good = []
    for p in payments:
        try:
            when = parse_ts(p["processed_at"] or p["created_at"])
            value = amount(p["amount"])
        except (ValueError, OverflowError, OSError):
            continue
        good.append((when, str(p["id"]), (p["payment_status"] or "").strip().lower(), value, p))
    good.sort(key=lambda g: (g[0], g[1]))
    last = next((g for g in reversed(good) if g[2] == "succeeded"), None)
    failures = sum(1 for g in good if g[2] == "failed" and (last is None or g[0] > last[0]))
    customer = next((g[4]["stripe_customer_id"] for g in reversed(good) if g[4]["stripe_customer_id"]), None)
    fields: dict[str, Any] = {
        "lastPaymentDate": timestamp(last[0]) if last else None,
        "lastPaymentAmount": last[3] if last else None,
        "paymentFailureCount": failures,
    }
    if customer:
        fields["stripeCustomerId"] = str(customer)
    return fields


def prefetch(w: Writer, rows: Sequence[Mapping[str, Any]], platform: Engine) -> None:
    sub_ids = [str(r["id"]) for r in rows]
    stripe_ids = [str(r["stripe_subscription_id"]).strip() for r in rows if r["stripe_subscription_id"]]
    _existing(w, stripe_ids, sub_ids)
    w.extra["properties"] = load_properties(w, [str(r["property_id"]) for r in rows if r["property_id"] is not None])
    owners = [p["ownerId"] for p in w.extra["properties"].values() if p["ownerId"]]
    w.extra["owners"] = _contacts_by_id(w, owners)
    payments: dict[str, list[dict[str, Any]]] = {}
    for p in payments_for(platform, sub_ids, stripe_ids):
        for key in (str(p["property_subscription_id"] or ""), str(p["stripe_subscription_id"] or "")):
            if key:
                payments.setdefault(key, []).append(p)
    w.extra["payments"] = payments


def _contacts_by_id(w: Writer, ids: list[str]) -> dict[str, dict[str, Any]]:
    from crm_desktop.db.models import Contact

    found: dict[str, dict[str, Any]] = {}
    ids = sorted(set(ids))
    for i in range(0, len(ids), 500):
        for row in w.session.execute(select(Contact.__table__).where(Contact.id.in_(ids[i:i + 500]))):
            found[row.id] = as_dict(row)
    return found


def apply(w: Writer, row: Mapping[str, Any]) -> str:
    psid = str(row["id"])
    prop = w.extra["properties"].get(str(row["property_id"]))
    if prop is None:
        raise RowRejected(f"property {row['property_id']} is not in the CRM (set aside, or not synced yet)")
    raw_status = (clean_text(row["status"]) or "").lower()
    if raw_status not in STATUS_MAP:
        raise RowRejected(f"status '{row['status']}' is not active, expired, cancelled or upgraded")
    start = field("start_date", timestamp, row["start_date"])
    end = field("end_date", timestamp, row["end_date"])
    if not start or not end:
        raise RowRejected("start_date and end_date are required")
    if end < start:
        raise RowRejected(f"end_date {row['end_date']} is before start_date {row['start_date']}")
    stripe_id = field("stripe_subscription_id", clean_text, row["stripe_subscription_id"])
    status = STATUS_MAP[raw_status]
    auto_renew = bool(row["auto_renew"]) if row["auto_renew"] is not None else True
    renewal = end if status == "active" and auto_renew else None
    owner = w.extra["owners"].get(prop["ownerId"]) if prop["ownerId"] else None
    desired: dict[str, Any] = {
        "contactId": prop["ownerId"], "propertyId": prop["id"],
        "planTier": field("membership_pack_id", choice, row["membership_pack_id"], TIERS, required=True),
        "billingCycle": field("payment_frequency", choice, row["payment_frequency"], BILLING_CYCLES),
        "planPrice": field("base_price", amount, row["base_price"]),
        "startDate": start, "endDate": end, "status": status, "autoRenew": auto_renew,
        "cancelledDate": field("cancelled_at", timestamp, row["cancelled_at"]),
        "renewalDate": renewal, "nextPaymentDate": renewal,
        "platformSubscriptionId": psid, "platformUserId": prop["platformOwnerId"],
        "customerEmail": owner["email"] if owner else None,
    }
    if stripe_id:
        desired["stripeSubscriptionId"] = stripe_id
    payments = w.extra["payments"].get(psid, []) + (w.extra["payments"].get(stripe_id, []) if stripe_id else [])
    seen: set[str] = set()
    desired.update(payment_fields([p for p in payments if not (str(p["id"]) in seen or seen.add(str(p["id"])))]))
    by_stripe = w.extra["by_stripe"].get(stripe_id) if stripe_id else None
    by_platform = w.extra["by_platform"].get(psid)
    if by_stripe and by_platform and by_stripe["id"] != by_platform["id"]:
        raise RowRejected(f"Stripe subscription {stripe_id} is already a different CRM membership")
    current = by_stripe or by_platform
    reason = f"platform sync: property subscription {psid}"
    if current is None:
        row_values = {**desired, "createdAt": w.now, "updatedAt": w.now, "version": 1}
        created = w.insert(Membership, row_values, entity="membership", reason=reason)
        w.extra["by_platform"][psid] = created
        if stripe_id:
            w.extra["by_stripe"][stripe_id] = created
        return "created"
    if current.get("stripeSyncedAt"):
        for key in STRIPE_OWNED_FIELDS:
            desired.pop(key, None)
    elif desired["status"] == "active" and current.get("status") == "expiring_soon":
        desired.pop("status")  # the daily job's finer status; the platform only knows 'active'
    if current.get("contactId") and not desired.get("contactId"):
        desired.pop("contactId")  # linked by Stripe or staff; an unknown platform owner does not unlink it
    for key in ("platformUserId", "customerEmail"):
        if desired.get(key) is None:
            desired.pop(key, None)  # what Stripe knows about the owner is kept when the platform has nothing
    return "updated" if w.update(Membership, current, desired, entity="membership", reason=reason) else "unchanged"


# ---- payments ------------------------------------------------------------------------------------------


def prefetch_payments(w: Writer, rows: Sequence[Mapping[str, Any]], platform: Engine) -> None:
    sub_ids = sorted({str(r["property_subscription_id"]) for r in rows if r["property_subscription_id"] is not None})
    stripe_ids = sorted({str(r["stripe_subscription_id"]).strip() for r in rows if r["stripe_subscription_id"]})
    _existing(w, stripe_ids, sub_ids)
    payments: dict[str, list[dict[str, Any]]] = {}
    for p in payments_for(platform, sub_ids, stripe_ids):
        for key in {str(p["property_subscription_id"] or ""), str(p["stripe_subscription_id"] or "")}:
            if key:
                payments.setdefault(key, []).append(p)
    w.extra["payments"] = payments
    w.extra["done"] = set()


def apply_payment(w: Writer, row: Mapping[str, Any]) -> str:
    """A payment changed: recompute its membership's payment fields from all that subscription's payments."""
    field("amount", amount, row["amount"])
    status = (clean_text(row["payment_status"]) or "").lower()
    if status not in PAYMENT_STATUSES:
        raise RowRejected(f"payment_status '{row['payment_status']}' is not one of: {', '.join(PAYMENT_STATUSES)}")
    if field("processed_at", timestamp, row["processed_at"]) is None:
        if field("created_at", timestamp, row["created_at"]) is None:
            raise RowRejected("created_at is missing")
    psid = str(row["property_subscription_id"]) if row["property_subscription_id"] is not None else None
    stripe_id = str(row["stripe_subscription_id"]).strip() if row["stripe_subscription_id"] else None
    current = (w.extra["by_platform"].get(psid) if psid else None) or \
        (w.extra["by_stripe"].get(stripe_id) if stripe_id else None)
    if current is None or current["id"] in w.extra["done"]:
        return "unchanged"  # not a membership payment, or its subscription is not synced yet (it will be)
    w.extra["done"].add(current["id"])
    if current.get("stripeSyncedAt"):
        return "unchanged"
    payments: dict[str, dict[str, Any]] = {}
    for key in (current.get("platformSubscriptionId"), current.get("stripeSubscriptionId")):
        for p in w.extra["payments"].get(key or "", []):
            payments[str(p["id"])] = p
    desired = payment_fields(list(payments.values()))
    reason = f"platform sync: payment {row['id']}"
    return "updated" if w.update(Membership, current, desired, entity="membership", reason=reason) else "unchanged"
