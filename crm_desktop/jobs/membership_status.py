"""Membership statuses from their end dates, as of a given day.

- ends today or within the next 30 days → `expiring_soon`;
- ended before today → `expired` (renewing moves `endDate`, so a past end date means no renewal);
- ends more than 30 days from today (renewed: the end date moved) → `active` again.
Only active, expiring_soon and expired memberships are touched: cancelled and suspended are decisions
made by people or Stripe. Each change is audited (performedBy system) with the status before and after.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact, Membership
from crm_desktop.jobs.runs import JobOutcome
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.audit import log_activity
from crm_desktop.timeutil import now_iso, parse_day

JOB = "membership_status"
EXPIRING_DAYS = 30


def target_status(end_date: str, today: date) -> str:
    end = parse_day(end_date)
    if end is None or end < today:
        return "expired"
    if end <= today + timedelta(days=EXPIRING_DAYS):
        return "expiring_soon"
    return "active"


def update_membership_statuses(session: Session, today: date) -> JobOutcome:
    outcome = JobOutcome()
    horizon = (today + timedelta(days=EXPIRING_DAYS + 1)).isoformat()  # first day that is not "soon"
    day = today.isoformat()
    stmt = (
        select(Membership, Contact.email)
        .outerjoin(Contact, Contact.id == Membership.contactId)
        .where(or_(
            and_(Membership.status == "active", Membership.endDate < horizon),
            and_(Membership.status == "expiring_soon",
                 or_(Membership.endDate < day, Membership.endDate >= horizon)),
            and_(Membership.status == "expired", Membership.endDate >= day),
        ))
        .order_by(Membership.endDate, Membership.id)
    )
    now = now_iso()
    for membership, email in session.execute(stmt).all():
        before, after = membership.status, target_status(membership.endDate, today)
        if before == after:
            continue
        membership.status = after
        membership.updatedAt = now
        end = membership.endDate[:10]
        log_activity(session, SYSTEM, "membership", membership.id, "status_changed",
                     {"status": {"before": before, "after": after}},
                     reason=f"daily job {day}: membership ends {end}")
        outcome.add(after, f"{membership.planTier} membership {membership.id} ({email or 'no owner yet'}): "
                           f"{before} → {after}, ends {end}")
    session.flush()
    total = sum(outcome.counts.values())
    outcome.message = f"{total} membership status change(s)" if total else "no membership status changes"
    return outcome
