"""Engagement score (0-100), lifetime value and segments for owners, from activity staff can check.

Engagement score, four parts, each with the reason shown to staff:
- replies (up to 30): 30 × the share of the owner's enquiries from the last 90 days (spam excluded)
  that have a first response, rounded; no recent enquiries scores 0;
- live listings (up to 25): 5 per live listing, at most 5 listings;
- payments (up to 25): 25 with a membership in force, minus 10 per failed payment on it (not below 0);
  0 without one;
- recent contact (up to 20): days since the last contact (the contact's `lastContactedAt` or the latest
  email, call or message that was not sent by the system): ≤30 → 20, ≤90 → 10, ≤180 → 5, else 0.

Lifetime value: what the owner has paid in memberships: for each membership, its plan price once per
billing cycle started (at startDate, then every month or year) up to the earliest of today, the day
before endDate and cancelledDate; the latest cycle is not counted while a payment on it has failed. A
membership with no billing cycle counts one payment.

Segments (an owner can be in several):
- premium: a gold membership in force;
- high_value: lifetime value of at least £1,000.00;
- at_risk: a membership in force with a failed payment, or a score under 40 while in force;
- churning: no membership in force and the latest one ended (expired, or cancelled) within 90 days;
  or the membership in force ends within 30 days and will not auto-renew;
- inactive: no live listing, no enquiry and no contact in the last 180 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact, Enquiry, Interaction, Membership, Property
from crm_desktop.reports.sql import count_where, scan_key
from crm_desktop.timeutil import parse_day

IN_FORCE = ("active", "expiring_soon")
RECENT_DAYS = 90
INACTIVE_DAYS = 180
CHURN_DAYS = 90
EXPIRING_DAYS = 30
HIGH_VALUE_LTV = Decimal("1000.00")
AT_RISK_SCORE = 40
REPLY_POINTS, LISTING_POINTS, LISTING_CAP, PAYMENT_POINTS, FAILURE_PENALTY = 30, 5, 5, 25, 10
RECENCY_STEPS = ((30, 20), (90, 10), (180, 5))


@dataclass(frozen=True)
class MembershipFacts:
    id: str
    tier: str
    price: Decimal | None
    cycle: str | None
    start: date
    end: date
    status: str
    failures: int
    auto_renew: bool
    cancelled: date | None


@dataclass
class OwnerFacts:
    contact_id: str
    label: str
    recent_enquiries: int = 0
    recent_answered: int = 0
    live_listings: int = 0
    last_enquiry: date | None = None
    last_contact: date | None = None
    memberships: list[MembershipFacts] = field(default_factory=list)


@dataclass(frozen=True)
class OwnerScore:
    contact_id: str
    label: str
    score: int
    lifetime_value: Decimal
    score_reasons: tuple[str, ...]
    segments: dict[str, tuple[str, ...]]  # segment -> why


def _day(value: str | None) -> date | None:
    try:
        return parse_day(value)
    except ValueError:
        return None


def _latest(a: date | None, b: date | None) -> date | None:
    return max((d for d in (a, b) if d is not None), default=None)


def load_facts(session: Session, today: date, owner_id: str | None = None) -> dict[str, OwnerFacts]:
    """Everything the score needs, in a handful of grouped queries (one pass over each table)."""
    def only(col):
        return [col == owner_id] if owner_id else []

    facts: dict[str, OwnerFacts] = {}
    for cid, first, last, business, email, last_contacted in session.execute(
            select(Contact.id, Contact.firstName, Contact.lastName, Contact.businessName, Contact.email,
                   Contact.lastContactedAt)
            .where(Contact.type == "owner", Contact.erasedAt.is_(None), *only(Contact.id))):
        name = " ".join(x for x in (first, last) if x) or business or email
        facts[cid] = OwnerFacts(cid, f"{name} <{email}>", last_contact=_day(last_contacted))

    def key(col):
        return col if owner_id else scan_key(session, col)

    since = (today - timedelta(days=RECENT_DAYS)).isoformat()
    recent = Enquiry.createdAt >= since
    for oid, n, answered, latest in session.execute(
            select(key(Enquiry.ownerId), count_where(recent), count_where(recent & Enquiry.firstResponseAt.is_not(None)),
                   func.max(Enquiry.createdAt))
            .where(Enquiry.ownerId.is_not(None), Enquiry.status != "spam", *only(Enquiry.ownerId))
            .group_by(key(Enquiry.ownerId))):
        if oid in facts:
            f = facts[oid]
            f.recent_enquiries, f.recent_answered, f.last_enquiry = int(n), int(answered), _day(latest)

    for oid, n in session.execute(
            select(Property.ownerId, func.count())
            .where(Property.listingStatus == "live", Property.ownerId.is_not(None), *only(Property.ownerId))
            .group_by(Property.ownerId)):
        if oid in facts:
            facts[oid].live_listings = n

    for cid, latest in session.execute(
            select(key(Interaction.contactId), func.max(Interaction.createdAt))
            .where(Interaction.type.in_(("email", "phone", "message")),
                   func.coalesce(Interaction.initiatedBy, "") != "system", *only(Interaction.contactId))
            .group_by(key(Interaction.contactId))):
        if cid in facts:
            facts[cid].last_contact = _latest(facts[cid].last_contact, _day(latest))

    for m in session.execute(
            select(Membership.id, Membership.contactId, Membership.planTier, Membership.planPrice,
                   Membership.billingCycle, Membership.startDate, Membership.endDate, Membership.status,
                   Membership.paymentFailureCount, Membership.autoRenew, Membership.cancelledDate)
            .where(Membership.contactId.is_not(None), *only(Membership.contactId))):
        f = facts.get(m.contactId)
        start, end = _day(m.startDate), _day(m.endDate)
        if f is None or start is None or end is None:
            continue
        f.memberships.append(MembershipFacts(m.id, m.planTier, m.planPrice, m.billingCycle, start, end,
                                             m.status, m.paymentFailureCount or 0, bool(m.autoRenew),
                                             _day(m.cancelledDate)))
    return facts


def _months_between(a: date, b: date) -> int:
    """Whole months from a to b (b >= a)."""
    return (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)


def payments_made(m: MembershipFacts, today: date) -> int:
    last = min([today, m.end - timedelta(days=1)] + ([m.cancelled] if m.cancelled else []))
    if last < m.start:
        return 0
    if m.cycle == "monthly":
        n = _months_between(m.start, last) + 1
    elif m.cycle == "annual":
        n = _months_between(m.start, last) // 12 + 1
    else:
        n = 1
    if m.failures and m.status in (*IN_FORCE, "suspended"):
        n -= 1
    return max(n, 0)


def lifetime_value(facts: OwnerFacts, today: date) -> Decimal:
    return sum((m.price * payments_made(m, today) for m in facts.memberships if m.price),
               Decimal("0.00")).quantize(Decimal("0.01"))


def _score(f: OwnerFacts, today: date, in_force: list[MembershipFacts]) -> tuple[int, list[str]]:
    reasons = []
    if f.recent_enquiries:
        pts = (2 * REPLY_POINTS * f.recent_answered + f.recent_enquiries) // (2 * f.recent_enquiries)
        reasons.append(f"answered {f.recent_answered} of {f.recent_enquiries} enquiries from the last "
                       f"{RECENT_DAYS} days: +{pts}")
    else:
        pts = 0
        reasons.append(f"no enquiries in the last {RECENT_DAYS} days: +0")
    total = pts
    pts = LISTING_POINTS * min(f.live_listings, LISTING_CAP)
    reasons.append(f"{f.live_listings} live listing(s): +{pts}")
    total += pts
    if in_force:
        failures = sum(m.failures for m in in_force)
        pts = max(PAYMENT_POINTS - FAILURE_PENALTY * failures, 0)
        reasons.append(f"membership in force, {failures} failed payment(s): +{pts}")
    else:
        pts = 0
        reasons.append("no membership in force: +0")
    total += pts
    if f.last_contact is None:
        pts = 0
        reasons.append("never contacted: +0")
    else:
        days = (today - f.last_contact).days
        pts = next((p for limit, p in RECENCY_STEPS if days <= limit), 0)
        reasons.append(f"last contact {days} day(s) ago: +{pts}")
    total += pts
    return max(0, min(100, total)), reasons


def score_owner(f: OwnerFacts, today: date) -> OwnerScore:
    in_force = [m for m in f.memberships if m.status in IN_FORCE]
    score, reasons = _score(f, today, in_force)
    ltv = lifetime_value(f, today)
    segs: dict[str, tuple[str, ...]] = {}
    gold = [m for m in in_force if m.tier == "gold"]
    if gold:
        segs["premium"] = (f"gold membership in force until {max(m.end for m in gold)}",)
    if ltv >= HIGH_VALUE_LTV:
        segs["high_value"] = (f"lifetime value £{ltv:,.2f} ≥ £{HIGH_VALUE_LTV:,.2f}",)
    if in_force:
        risk = []
        failures = sum(m.failures for m in in_force)
        if failures:
            risk.append(f"{failures} failed payment(s) on the membership in force")
        if score < AT_RISK_SCORE:
            risk.append(f"engagement score {score} < {AT_RISK_SCORE}")
        if risk:
            segs["at_risk"] = tuple(risk)
        leaving = [m for m in in_force if not m.auto_renew and m.end <= today + timedelta(days=EXPIRING_DAYS)]
        if leaving:
            segs["churning"] = (f"membership ends {min(m.end for m in leaving)} and will not auto-renew",)
    else:
        ended = [(m.cancelled or m.end if m.status == "cancelled" else m.end, m.status)
                 for m in f.memberships if m.status in ("expired", "cancelled")]
        if ended:
            when, status = max(ended)
            if today - timedelta(days=CHURN_DAYS) <= when <= today:
                segs["churning"] = (f"membership {status} on {when}, no membership in force",)
    quiet_since = today - timedelta(days=INACTIVE_DAYS)
    if (f.live_listings == 0 and (f.last_enquiry is None or f.last_enquiry < quiet_since)
            and (f.last_contact is None or f.last_contact < quiet_since)):
        segs["inactive"] = (f"no live listing, enquiry or contact in the last {INACTIVE_DAYS} days",)
    return OwnerScore(f.contact_id, f.label, score, ltv, tuple(reasons), segs)
