"""The dashboard's numbers, computed by SQL aggregates only (no rows are loaded into Python).

Every figure is one GROUP BY or COUNT over an indexed column, so the dashboard stays fast with a
million contacts and two million enquiries: contacts by type, properties by listing status, enquiries
by status (funnel, totals, conversions), enquiries per day over the recent weeks (bucketed into weeks
here, so the SQL is the same on SQLite and PostgreSQL) and memberships by tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.base import CENT
from crm_desktop.db.models import (
    CLOSED_ENQUIRY_STATUSES,
    ENQUIRY_STATUSES,
    TIERS,
    Contact,
    Enquiry,
    Membership,
    Property,
)

WEEKS = 26
EXPIRING_DAYS = 30
# Memberships that still earn money and count as members.
LIVE_MEMBERSHIP_STATUSES = ("active", "expiring_soon")
NO_TIER = "none"


@dataclass(frozen=True)
class DashboardNumbers:
    """Plain, immutable data: safe to hand from a worker thread to the window."""

    today: date
    contacts: int
    owners: int
    guests: int
    properties: int
    live_properties: int
    enquiries: int
    open_enquiries: int
    conversions: int  # enquiries booked
    conversion_rate: Decimal  # booked / all enquiries, in per cent (1 decimal); 0 when there are none
    funnel: tuple[tuple[str, int], ...]  # every pipeline status, in pipeline order
    weekly_enquiries: tuple[tuple[date, int], ...]  # (Monday, enquiries created that week), oldest first
    members_by_tier: tuple[tuple[str, int], ...]  # live memberships per tier
    expiring_by_tier: tuple[tuple[str, int], ...]  # live memberships ending within 30 days, per tier
    expiring_soon: int
    membership_revenue_by_tier: tuple[tuple[str, Decimal], ...]  # annualised plan price of live memberships
    booking_revenue_by_tier: tuple[tuple[str, Decimal], ...]  # properties' totalRevenue by their tier


def _pence(value: object) -> Decimal:
    """A sum of whole pence from SQL (exact on both databases) as pounds."""
    return (Decimal(str(value or 0)) / 100).quantize(CENT)


def _grouped(session: Session, column, *where) -> dict[str | None, int]:
    stmt = select(column, func.count()).group_by(column)
    if where:
        stmt = stmt.where(*where)
    return {key: count for key, count in session.execute(stmt)}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(session: Session, today: date, weeks: int) -> tuple[tuple[date, int], ...]:
    first = monday(today) - timedelta(weeks=weeks - 1)
    end = monday(today) + timedelta(weeks=1)
    # Timestamps are fixed-width ISO text, so the first 10 characters are the UTC day and the range
    # condition is an index range scan on idx_crm_enquiries_createdAt.
    day_col = func.substr(Enquiry.createdAt, 1, 10)
    stmt = (select(day_col, func.count())
            .where(Enquiry.createdAt >= first.isoformat(), Enquiry.createdAt < end.isoformat())
            .group_by(day_col))
    buckets = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for day_text, count in session.execute(stmt):
        try:
            day = date.fromisoformat(day_text)
        except (TypeError, ValueError):
            continue  # a malformed timestamp is not counted rather than crashing the dashboard
        week = monday(day)
        if week in buckets:
            buckets[week] += count
    return tuple(sorted(buckets.items()))


def _memberships(session: Session, today: date) -> tuple[dict[str, int], dict[str, int], dict[str, Decimal]]:
    live = Membership.status.in_(LIVE_MEMBERSHIP_STATUSES)
    horizon = today + timedelta(days=EXPIRING_DAYS + 1)
    members = {tier: 0 for tier in TIERS}
    revenue = {tier: Decimal("0.00") for tier in TIERS}
    # Monthly plans are annualised (x12) so tiers with different billing cycles compare fairly.
    stmt = (select(Membership.planTier, Membership.billingCycle, func.count(),
                   func.sum(func.round(Membership.planPrice * 100)))
            .where(live).group_by(Membership.planTier, Membership.billingCycle))
    for tier, cycle, count, pence in session.execute(stmt):
        if tier not in members:
            continue
        members[tier] += count
        revenue[tier] += _pence(pence) * (12 if cycle == "monthly" else 1)
    expiring = {tier: 0 for tier in TIERS}
    expiring.update({k: v for k, v in _grouped(
        session, Membership.planTier, live, Membership.endDate >= today.isoformat(),
        Membership.endDate < horizon.isoformat()).items() if k in expiring})
    return members, expiring, revenue


def _booking_revenue(session: Session) -> dict[str, Decimal]:
    revenue: dict[str, Decimal] = {tier: Decimal("0.00") for tier in TIERS}
    stmt = (select(Property.membershipTier, func.sum(func.round(Property.totalRevenue * 100)))
            .group_by(Property.membershipTier))
    for tier, pence in session.execute(stmt):
        key = tier if tier in revenue else NO_TIER
        revenue[key] = revenue.get(key, Decimal("0.00")) + _pence(pence)
    return revenue


def dashboard_numbers(session: Session, today: date, weeks: int = WEEKS) -> DashboardNumbers:
    """All the dashboard's figures as of `today` (a UTC calendar day)."""
    by_type = _grouped(session, Contact.type)
    by_listing = _grouped(session, Property.listingStatus)
    by_status = _grouped(session, Enquiry.status)
    enquiries = sum(by_status.values())
    booked = by_status.get("booked", 0)
    rate = (Decimal(booked * 100) / enquiries).quantize(Decimal("0.1")) if enquiries else Decimal("0.0")
    members, expiring, membership_revenue = _memberships(session, today)
    return DashboardNumbers(
        today=today,
        contacts=sum(by_type.values()),
        owners=by_type.get("owner", 0),
        guests=by_type.get("guest", 0),
        properties=sum(by_listing.values()),
        live_properties=by_listing.get("live", 0),
        enquiries=enquiries,
        open_enquiries=sum(v for k, v in by_status.items() if k not in CLOSED_ENQUIRY_STATUSES),
        conversions=booked,
        conversion_rate=rate,
        funnel=tuple((status, by_status.get(status, 0)) for status in ENQUIRY_STATUSES),
        weekly_enquiries=_weekly(session, today, weeks),
        members_by_tier=tuple(members.items()),
        expiring_by_tier=tuple(expiring.items()),
        expiring_soon=sum(expiring.values()),
        membership_revenue_by_tier=tuple(membership_revenue.items()),
        booking_revenue_by_tier=tuple(_booking_revenue(session).items()),
    )
