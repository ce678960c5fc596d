"""Every score part and segment rule at its boundary, on plain facts (no database needed)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm_desktop.jobs.scoring import MembershipFacts, OwnerFacts, lifetime_value, payments_made, score_owner

TODAY = date(2026, 3, 15)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def member(tier="silver", price="100.00", cycle="annual", start=date(2026, 1, 1), end=date(2027, 1, 1),
           status="active", failures=0, auto_renew=True, cancelled=None) -> MembershipFacts:
    return MembershipFacts("m", tier, Decimal(price) if price else None, cycle, start, end, status, failures,
                           auto_renew, cancelled)


def facts(**kw) -> OwnerFacts:
    return OwnerFacts("c", "Olive <o@example.com>", **kw)


def part(score, prefix: str) -> str:
    return next(r for r in score.score_reasons if r.startswith(prefix))


@pytest.mark.parametrize(("answered", "received", "points"), [(0, 0, 0), (0, 3, 0), (3, 4, 23), (1, 4, 8),
                                                                (4, 4, 30), (2, 15, 4)])
def test_reply_points(answered, received, points):
    s = score_owner(facts(recent_enquiries=received, recent_answered=answered), TODAY)
    assert s.score == points
    assert s.score_reasons[0].endswith(f"+{points}")


@pytest.mark.parametrize(("live", "points"), [(0, 0), (1, 5), (5, 25), (6, 25)])
def test_listing_points(live, points):
    assert score_owner(facts(live_listings=live), TODAY).score == points


@pytest.mark.parametrize(("failures", "points"), [(0, 25), (1, 15), (2, 5), (3, 0)])
def test_payment_points(failures, points):
    s = score_owner(facts(memberships=[member(failures=failures)]), TODAY)
    assert s.score == points and part(s, "membership in force").endswith(f"+{points}")


@pytest.mark.parametrize(("ago", "points"), [(0, 20), (30, 20), (31, 10), (90, 10), (91, 5), (180, 5),
                                             (181, 0), (None, 0)])
def test_recency_points(ago, points):
    last = days(-ago) if ago is not None else None
    assert score_owner(facts(last_contact=last), TODAY).score == points


def test_all_parts_add_up_to_at_most_100():
    s = score_owner(facts(recent_enquiries=2, recent_answered=2, live_listings=9, last_contact=TODAY,
                          memberships=[member()]), TODAY)
    assert s.score == 100


def test_lifetime_value_counts_cycles_started():
    annual = member(price="850.00", start=date(2025, 1, 1), end=date(2027, 1, 1))
    assert payments_made(annual, TODAY) == 2  # 2025-01-01 and 2026-01-01
    monthly = member(price="25.50", cycle="monthly", start=date(2025, 6, 1), end=date(2026, 4, 1))
    assert payments_made(monthly, TODAY) == 10  # June to March
    failing = member(price="25.50", cycle="monthly", start=date(2025, 6, 1), end=date(2026, 4, 1), failures=1)
    assert payments_made(failing, TODAY) == 9  # March's payment failed
    ended = member(cycle="annual", start=date(2024, 1, 1), end=date(2025, 1, 1), status="expired")
    assert payments_made(ended, TODAY) == 1  # not 2025-01-01: that is its end date
    cancelled = member(cycle="monthly", start=date(2026, 1, 10), end=date(2026, 12, 10), status="cancelled",
                       cancelled=date(2026, 2, 9))
    assert payments_made(cancelled, TODAY) == 1
    future = member(start=days(1), end=days(400))
    assert payments_made(future, TODAY) == 0
    once = member(cycle=None, start=date(2025, 1, 1), end=date(2028, 1, 1))
    assert payments_made(once, TODAY) == 1
    assert lifetime_value(facts(memberships=[annual, monthly]), TODAY) == Decimal("1955.00")


def test_high_value_boundary():
    at = score_owner(facts(memberships=[member(price="1000.00", status="expired", end=date(2026, 3, 1))]), TODAY)
    assert at.lifetime_value == Decimal("1000.00") and "high_value" in at.segments
    assert "£1,000.00 ≥ £1,000.00" in at.segments["high_value"][0]
    below = score_owner(facts(memberships=[member(price="999.99", status="expired", end=date(2026, 3, 1))]),
                        TODAY)
    assert "high_value" not in below.segments


def test_premium_needs_gold_in_force():
    assert "premium" in score_owner(facts(memberships=[member(tier="gold")]), TODAY).segments
    assert "premium" not in score_owner(facts(memberships=[member(tier="gold", status="expired")]), TODAY).segments
    assert "premium" not in score_owner(facts(memberships=[member(tier="silver")]), TODAY).segments


def test_at_risk_boundaries():
    # In force (25) + 3 listings (15) = 40: not at risk. 25 + 5 + 4 (2 of 15 replied) + 5 (contact 100 days
    # ago) = 39: at risk.
    forty = score_owner(facts(live_listings=3, memberships=[member()]), TODAY)
    assert forty.score == 40 and "at_risk" not in forty.segments
    low = score_owner(facts(live_listings=1, recent_enquiries=15, recent_answered=2, last_contact=days(-100),
                            memberships=[member()]), TODAY)
    assert low.score == 39 and low.segments["at_risk"] == ("engagement score 39 < 40",)
    failed = score_owner(facts(live_listings=5, last_contact=TODAY, memberships=[member(failures=1)]), TODAY)
    assert failed.score == 60 and failed.segments["at_risk"] == ("1 failed payment(s) on the membership in force",)
    # Without a membership in force a low score is not "at risk" (that owner is churning or inactive).
    assert "at_risk" not in score_owner(facts(), TODAY).segments


def test_churning_boundaries():
    def lapsed(status, end, cancelled=None):
        return score_owner(facts(live_listings=1, memberships=[
            member(status=status, end=end, start=date(2025, 1, 1), cancelled=cancelled)]), TODAY).segments
    assert "churning" in lapsed("expired", days(-90))
    assert "churning" not in lapsed("expired", days(-91))
    assert lapsed("cancelled", days(200), cancelled=days(-10))["churning"] == (
        f"membership cancelled on {days(-10)}, no membership in force",)
    assert "churning" not in lapsed("cancelled", days(200), cancelled=days(-91))

    def ending(end, auto_renew):
        return score_owner(facts(live_listings=1, memberships=[
            member(status="expiring_soon", end=end, auto_renew=auto_renew)]), TODAY).segments
    assert "churning" in ending(days(30), False)
    assert "churning" not in ending(days(31), False)
    assert "churning" not in ending(days(10), True)
    # A new membership in force means a lapsed old one is not churn.
    both = score_owner(facts(live_listings=1, memberships=[member(status="expired", end=days(-5)), member()]),
                       TODAY)
    assert "churning" not in both.segments


def test_inactive_boundaries():
    quiet = days(-181)
    assert "inactive" in score_owner(facts(last_enquiry=quiet, last_contact=quiet), TODAY).segments
    assert "inactive" in score_owner(facts(), TODAY).segments
    assert "inactive" not in score_owner(facts(last_enquiry=days(-180), last_contact=quiet), TODAY).segments
    assert "inactive" not in score_owner(facts(last_enquiry=quiet, last_contact=days(-180)), TODAY).segments
    assert "inactive" not in score_owner(facts(live_listings=1), TODAY).segments
