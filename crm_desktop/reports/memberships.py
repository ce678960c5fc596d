"""Memberships: members by tier, recurring revenue, renewals coming up, failed payments and churn.

- in force: status active or expiring_soon;
- MRR / ARR from the plan price of memberships in force: an annual plan brings price / 12 a month, a
  monthly plan price × 12 a year (a plan with no billing cycle is counted as annual);
- expiring in 30 days: in force and ending from today to today + 30 days;
- failed payments: memberships in force or suspended with `paymentFailureCount` > 0;
- churn for a month (the month of `--today` unless `--month` is given): of the memberships in force on
  the month's first day (started by then, ending on or after it, not cancelled before it), those
  cancelled (on `cancelledDate`, else `endDate`) or expired (on `endDate`) during the month, divided by
  how many were in force on the first day.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.base import CENT
from crm_desktop.db.models import TIERS, Membership
from crm_desktop.reports.model import Chart, Column, Report, percent
from crm_desktop.reports.sql import count_where, month_range, on_days, pence_sum

LIVE = ("active", "expiring_soon")
EXPIRING_DAYS = 30
ALL = "all"

COLUMNS = [
    Column("tier", "Tier"),
    Column("active", "In force", "int"),
    Column("mrr", "MRR £", "money"),
    Column("arr", "ARR £", "money"),
    Column("expiring_30d", "Expiring ≤30d", "int"),
    Column("failed_payments", "Failed payments", "int"),
    Column("active_at_start", "In force at month start", "int"),
    Column("churned", "Churned", "int"),
    Column("churn_rate", "Churn %", "percent"),
]


def membership_report(session: Session, today: date, month: str | None = None) -> Report:
    period = month or today.strftime("%Y-%m")
    first, nxt = month_range(period)
    tiers = {t: _empty() for t in (*TIERS, ALL)}

    for tier, cycle, n, pence in session.execute(
            select(Membership.planTier, Membership.billingCycle, func.count(), pence_sum(Membership.planPrice))
            .where(Membership.status.in_(LIVE)).group_by(Membership.planTier, Membership.billingCycle)):
        for key in (tier, ALL):
            acc = tiers[key]
            acc["active"] += n
            acc["monthly_pence" if cycle == "monthly" else "annual_pence"] += int(pence or 0)

    for tier, n in session.execute(
            select(Membership.planTier, func.count())
            .where(Membership.status.in_(LIVE),
                   on_days(Membership.endDate, today, today + timedelta(days=EXPIRING_DAYS)))
            .group_by(Membership.planTier)):
        _add(tiers, tier, "expiring_30d", n)

    for tier, n in session.execute(
            select(Membership.planTier, func.count())
            .where(Membership.status.in_((*LIVE, "suspended")), Membership.paymentFailureCount > 0)
            .group_by(Membership.planTier)):
        _add(tiers, tier, "failed_payments", n)

    at_start = and_(
        Membership.startDate < (first + timedelta(days=1)).isoformat(),
        Membership.endDate >= first.isoformat(),
        or_(Membership.cancelledDate.is_(None), Membership.cancelledDate >= first.isoformat()),
    )
    last = nxt - timedelta(days=1)
    left = or_(
        and_(Membership.status == "cancelled",
             on_days(func.coalesce(Membership.cancelledDate, Membership.endDate), first, last)),
        and_(Membership.status == "expired", on_days(Membership.endDate, first, last)),
    )
    for tier, start_n, churned in session.execute(
            select(Membership.planTier, count_where(at_start), count_where(and_(at_start, left)))
            .group_by(Membership.planTier)):
        _add(tiers, tier, "active_at_start", int(start_n))
        _add(tiers, tier, "churned", int(churned))

    rows = [_finish(tier, acc) for tier, acc in tiers.items()]
    return Report(
        name="memberships", title="Memberships", columns=COLUMNS, rows=rows,
        params={"today": today.isoformat(), "month": period},
        notes=[f"In force = active or expiring_soon; churn for {period} = cancelled or expired during the "
               "month / in force on its first day; MRR = monthly price + annual price / 12."],
        chart=Chart("tier", "mrr", "MRR by tier (£)"),
    )


def _empty() -> dict[str, int]:
    return dict.fromkeys(("active", "annual_pence", "monthly_pence", "expiring_30d", "failed_payments",
                          "active_at_start", "churned"), 0)


def _add(tiers: dict[str, dict[str, int]], tier: str, key: str, n: int) -> None:
    tiers[tier][key] += n
    tiers[ALL][key] += n


def _finish(tier: str, acc: dict[str, int]) -> dict:
    arr_pence = acc["annual_pence"] + 12 * acc["monthly_pence"]
    arr = Decimal(arr_pence) / 100
    return {
        "tier": tier, "active": acc["active"],
        "mrr": (arr / 12).quantize(CENT, rounding=ROUND_HALF_UP), "arr": arr.quantize(CENT),
        "expiring_30d": acc["expiring_30d"], "failed_payments": acc["failed_payments"],
        "active_at_start": acc["active_at_start"], "churned": acc["churned"],
        "churn_rate": percent(acc["churned"], acc["active_at_start"]),
    }
