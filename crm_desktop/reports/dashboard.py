"""The dashboard's numbers, read from running totals so they stay fast at any size.

Counts by contact type, listing status, enquiry status and creation day, live memberships by tier
and billing cycle, and revenue sums come from crm_counters, which database triggers keep in the same
transaction as every write (see crm_desktop.db.counters): the dashboard reads a few hundred small
rows instead of scanning millions. Only "expiring within 30 days" depends on today's date, so it is an
index range query on crm_memberships.endDate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db import counters
from crm_desktop.db.base import CENT
from crm_desktop.db.models import CLOSED_ENQUIRY_STATUSES, ENQUIRY_STATUSES, TIERS, Membership

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


def _pence(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(CENT)


def _counts(conn, name: str) -> dict[str, int]:  # noqa: ANN001
    return {key: n for key, (n, _pence) in counters.read(conn, name).items()}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(conn, today: date, weeks: int) -> tuple[tuple[date, int], ...]:  # noqa: ANN001
    first = monday(today) - timedelta(weeks=weeks - 1)
    end = monday(today) + timedelta(weeks=1)
    buckets = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for key, (count, _pence) in counters.read(conn, "enquiries.day", first.isoformat(), end.isoformat()).items():
        try:
            week = monday(date.fromisoformat(key))
        except ValueError:
            continue  # a malformed timestamp is not counted rather than breaking the dashboard
        if week in buckets:
            buckets[week] += count
    return tuple(sorted(buckets.items()))


def _memberships(session: Session, today: date) -> tuple[dict[str, int], dict[str, int], dict[str, Decimal]]:
    members = {tier: 0 for tier in TIERS}
    revenue = {tier: Decimal("0.00") for tier in TIERS}
    for key, (count, pence) in counters.read(session.connection(), "memberships.live").items():
        tier, _, cycle = key.partition("|")
        if tier in members:
            members[tier] += count
            # Monthly plans are annualised (x12) so tiers with different billing cycles compare fairly.
            revenue[tier] += _pence(pence) * (12 if cycle == "monthly" else 1)
    horizon = today + timedelta(days=EXPIRING_DAYS + 1)
    expiring = {tier: 0 for tier in TIERS}
    stmt = (select(Membership.planTier, func.count())
            .where(Membership.endDate >= today.isoformat(), Membership.endDate < horizon.isoformat(),
                   Membership.status.in_(LIVE_MEMBERSHIP_STATUSES))
            .group_by(Membership.planTier))
    for tier, count in session.execute(stmt):
        if tier in expiring:
            expiring[tier] = count
    return members, expiring, revenue


def _booking_revenue(conn) -> dict[str, Decimal]:  # noqa: ANN001
    revenue: dict[str, Decimal] = {tier: Decimal("0.00") for tier in TIERS}
    for tier, (_count, pence) in counters.read(conn, "properties.tier").items():
        key = tier if tier in revenue else NO_TIER
        revenue[key] = revenue.get(key, Decimal("0.00")) + _pence(pence)
    return revenue


def dashboard_numbers(session: Session, today: date, weeks: int = WEEKS) -> DashboardNumbers:
    """All the dashboard's figures as of `today` (a UTC calendar day)."""
    conn = session.connection()
    by_type = _counts(conn, "contacts.type")
    by_listing = _counts(conn, "properties.status")
    by_status = _counts(conn, "enquiries.status")
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
        weekly_enquiries=_weekly(conn, today, weeks),
        members_by_tier=tuple(members.items()),
        expiring_by_tier=tuple(expiring.items()),
        expiring_soon=sum(expiring.values()),
        membership_revenue_by_tier=tuple(membership_revenue.items()),
        booking_revenue_by_tier=tuple(_booking_revenue(conn).items()),
    )
