"""Memberships (bronze, silver, gold; annual or monthly), mostly from Stripe and the platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import BILLING_CYCLES, MEMBERSHIP_STATUSES, TIERS, Contact, Membership
from crm_desktop.services import crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListQuery, Page, apply_filters, apply_sort, paginate
from crm_desktop.services.validation import (
    FieldError,
    amount,
    check_order,
    choice,
    clean_text,
    timestamp,
    whole_number,
)
from crm_desktop.timeutil import now_iso, utcnow

LABEL = "membership"
SORTABLE = ("endDate", "startDate", "planTier", "planPrice", "status", "billingCycle", "lastPaymentDate",
            "nextPaymentDate", "paymentFailureCount", "createdAt", "updatedAt")
FILTERABLE = ("contactId", "status", "planTier", "billingCycle", "propertyId")

CLEANERS: dict[str, crud.Cleaner] = {
    "contactId": clean_text,
    "propertyId": clean_text,
    "planTier": lambda v: choice(v, TIERS, required=True),
    "planPrice": amount,
    "billingCycle": lambda v: choice(v, BILLING_CYCLES),
    "startDate": timestamp,
    "endDate": timestamp,
    "renewalDate": timestamp,
    "cancelledDate": timestamp,
    "status": lambda v: choice(v, MEMBERSHIP_STATUSES, required=True),
    "stripeCustomerId": clean_text,
    "stripeSubscriptionId": clean_text,
    "lastPaymentDate": timestamp,
    "lastPaymentAmount": amount,
    "nextPaymentDate": timestamp,
    "autoRenew": lambda v: bool(v),
    "paymentFailureCount": whole_number,
    "notes": lambda v: clean_text(v, long=True),
}


@dataclass(frozen=True)
class MembershipFilter:
    contact_id: str | None = None
    status: str | None = None
    tier: str | None = None
    expiring_within_days: int | None = None
    today: date | None = None


def _validate_dates(start: str | None, end: str | None) -> None:
    try:
        check_order(start, end)
    except FieldError as exc:
        raise ValidationError({"endDate": str(exc)}) from exc


def create_membership(session: Session, actor: Actor, data: dict[str, Any], reason: str | None = None) -> Membership:
    actor.require("write")
    missing = {f: "is required" for f in ("planTier", "startDate", "endDate") if not data.get(f)}
    if missing:
        raise ValidationError(missing)
    clean = crud.clean_fields({"status": "active", **data}, CLEANERS)
    _validate_dates(clean["startDate"], clean["endDate"])
    if clean.get("contactId") and session.get(Contact, clean["contactId"]) is None:
        raise ValidationError({"contactId": f"no contact with id {clean['contactId']}"})
    sub = clean.get("stripeSubscriptionId")
    if sub and session.scalar(select(Membership.id).where(Membership.stripeSubscriptionId == sub)):
        raise ValidationError({"stripeSubscriptionId": f"subscription {sub} already has a membership"})
    now = now_iso()
    membership = Membership(**clean, createdAt=now, updatedAt=now)
    session.add(membership)
    crud.flush(session, LABEL)
    crud.record(session, actor, LABEL, membership, "created",
                {k: {"before": None, "after": str(v)} for k, v in clean.items() if v is not None}, reason)
    return membership


def get_membership(session: Session, actor: Actor, membership_id: str) -> Membership:
    actor.require("read")
    return crud.get_or_404(session, Membership, membership_id, LABEL)


def update_membership(session: Session, actor: Actor, membership_id: str, changes: dict[str, Any],
                      expected_version: int | None = None, reason: str | None = None) -> Membership:
    def validate(row: Membership, clean: dict[str, Any]) -> None:
        _validate_dates(clean.get("startDate", row.startDate), clean.get("endDate", row.endDate))

    return crud.update_entity(session, actor, Membership, LABEL, membership_id, changes, CLEANERS,
                              expected_version=expected_version, reason=reason, status_field="status",
                              validate=validate)


def list_memberships(session: Session, actor: Actor, query: ListQuery | None = None,
                     filt: MembershipFilter | None = None) -> Page[Membership]:
    """Memberships by contact, status and tier; `expiring_within_days` keeps live ones ending soon."""
    actor.require("read")
    query = query or ListQuery(sort="endDate")
    filt = filt or MembershipFilter()
    stmt = select(Membership)
    stmt, _ = apply_filters(stmt, Membership, "memberships", FILTERABLE, query.filters,
                            {"contactId": filt.contact_id, "status": filt.status, "planTier": filt.tier})
    if filt.expiring_within_days is not None:
        if filt.expiring_within_days < 0:
            raise ValidationError({"expiring within": "must be zero or more days"})
        today = filt.today or utcnow().date()
        horizon = today + timedelta(days=filt.expiring_within_days + 1)
        stmt = stmt.where(Membership.endDate >= today.isoformat(), Membership.endDate < horizon.isoformat(),
                          Membership.status.in_(("active", "expiring_soon")))
    stmt = apply_sort(stmt, Membership, SORTABLE, query.sort, query.descending, "endDate")
    return paginate(session, stmt, query.offset, query.limit)
