"""Every report against numbers worked out by hand from tests/reports/conftest.py, on both databases."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from crm_desktop.reports.catalog import ReportOptions, run_report
from crm_desktop.reports.funnel import enquiry_funnel
from crm_desktop.reports.memberships import membership_report
from crm_desktop.reports.owners import owner_insights
from crm_desktop.reports.properties import property_analytics
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import NotFoundError, PermissionDenied, ValidationError
from tests.reports.conftest import TODAY


def _pick(row: dict, *keys: str) -> tuple:
    return tuple(row[k] for k in keys)


def test_owner_insights_all_owners(db, dataset):
    with db.read() as s:
        report = owner_insights(s)
    keys = ("name", "properties", "live_properties", "enquiries", "enquiries_new", "enquiries_converted",
            "conversion_rate", "total_revenue", "membership_tier", "membership_status", "membership_end")
    assert [_pick(r, *keys) for r in report.rows] == [
        ("Alice Able", 2, 1, 4, 1, 1, D("25.00"), D("1500.75"), "gold", "active", "2027-01-01"),
        ("Bob Baker", 1, 1, 5, 0, 2, D("40.00"), D("999.99"), "silver", "expiring_soon", "2026-04-01"),
        # No enquiries: a conversion rate of 0, not a division error; latest (cancelled) membership shown.
        ("Cara Cole", 0, 0, 0, 0, 0, D("0.00"), D("0.00"), "bronze", "cancelled", "2026-03-10"),
    ]
    assert all(isinstance(r["total_revenue"], D) for r in report.rows)


def test_owner_insights_one_owner_and_unknown(db, dataset):
    with db.read() as s:
        report = owner_insights(s, dataset["o2"])
        assert [r["owner_id"] for r in report.rows] == [dataset["o2"]]
        assert report.rows[0]["enquiries"] == 5
        with pytest.raises(NotFoundError):
            owner_insights(s, "no-such-owner")
        with pytest.raises(NotFoundError):  # a guest is not an owner
            owner_insights(s, dataset["g"])


def test_property_analytics_for_one_owner(db, dataset):
    with db.read() as s:
        report = property_analytics(s, owner_id=dataset["o1"])
    keys = ("title", "month", "views", "enquiries", "bookings", "revenue", "conversion_rate")
    assert [_pick(r, *keys) for r in report.rows] == [
        ("Alpha House", "all", 100, 3, 1, D("1200.10"), D("33.33")),
        ("Alpha House", "2026-01", None, 2, 1, D("1200.10"), D("50.00")),
        ("Alpha House", "2026-02", None, 1, 0, D("0.00"), D("0.00")),
        ("Beta Barn", "all", 20, 1, 0, D("0.00"), D("0.00")),
        ("Beta Barn", "2026-02", None, 1, 0, D("0.00"), D("0.00")),
    ]


def test_property_analytics_across_all_properties_by_month(db, dataset):
    with db.read() as s:
        report = property_analytics(s)
        feb = property_analytics(s, month="2026-02")
        one = property_analytics(s, property_id=dataset["p3"], month="2026-03")
        with pytest.raises(NotFoundError):
            property_analytics(s, property_id="nope")
    keys = ("month", "views", "enquiries", "bookings", "revenue", "conversion_rate")
    assert [_pick(r, *keys) for r in report.rows] == [
        ("all", 127, 9, 3, D("1500.65"), D("33.33")),
        ("2026-01", None, 2, 1, D("1200.10"), D("50.00")),
        ("2026-02", None, 4, 1, D("300.45"), D("25.00")),
        ("2026-03", None, 3, 1, D("0.10"), D("33.33")),
    ]
    assert [_pick(r, *keys) for r in feb.rows] == [
        ("all", 127, 4, 1, D("300.45"), D("25.00")),
        ("2026-02", None, 4, 1, D("300.45"), D("25.00")),
    ]
    assert [_pick(r, "title", *keys) for r in one.rows] == [
        ("Cedar Hall", "all", 7, 3, 1, D("0.10"), D("33.33")),
        ("Cedar Hall", "2026-03", None, 3, 1, D("0.10"), D("33.33")),
    ]


FUNNEL_KEYS = ("dimension", "group", "enquiries", "spam", "new", "contacted", "negotiating", "booked", "lost",
               "new_to_booked", "contacted_to_booked", "negotiating_to_booked", "median_response_hours")


def test_enquiry_funnel_overall_by_month_and_by_source(db, dataset):
    with db.read() as s:
        report = enquiry_funnel(s)
    assert [_pick(r, *FUNNEL_KEYS) for r in report.rows] == [
        # E7 was lost after negotiating (history) and E2 after a reply: both count as reached contacted.
        ("all", "all", 9, 1, 8, 7, 5, 3, 2, D("37.50"), D("42.86"), D("60.00"), D("2.00")),
        ("month", "2026-01", 2, 0, 2, 2, 1, 1, 1, D("50.00"), D("50.00"), D("100.00"), D("3.00")),
        ("month", "2026-02", 4, 1, 3, 2, 2, 1, 0, D("33.33"), D("50.00"), D("50.00"), D("0.75")),
        ("month", "2026-03", 3, 0, 3, 3, 2, 1, 1, D("33.33"), D("33.33"), D("50.00"), D("6.00")),
        ("source", "email", 2, 0, 2, 1, 0, 0, 0, D("0.00"), D("0.00"), D("0.00"), D("10.00")),
        ("source", "form", 3, 0, 3, 3, 2, 1, 2, D("33.33"), D("33.33"), D("50.00"), D("3.00")),
        ("source", "phone", 1, 0, 1, 1, 1, 0, 0, D("0.00"), D("0.00"), D("0.00"), D("1.00")),
        ("source", "unknown", 1, 1, 0, 0, 0, 0, 0, D("0.00"), D("0.00"), D("0.00"), None),
        ("source", "website", 2, 0, 2, 2, 2, 2, 0, D("100.00"), D("100.00"), D("100.00"), D("1.25")),
    ]


def test_enquiry_funnel_filtered_by_month_and_owner(db, dataset):
    with db.read() as s:
        feb = enquiry_funnel(s, month="2026-02")
        bob = enquiry_funnel(s, owner_id=dataset["o2"])
        empty = enquiry_funnel(s, month="2025-01")
    assert _pick(feb.rows[0], *FUNNEL_KEYS) == (
        "all", "all", 4, 1, 3, 2, 2, 1, 0, D("33.33"), D("50.00"), D("50.00"), D("0.75"))
    assert [r["group"] for r in feb.rows if r["dimension"] == "month"] == ["2026-02"]
    # Bob: E5 spam, E6 booked (0.5 h), E7 lost after negotiating, E8 contacted (10 h), E9 booked (2 h).
    assert _pick(bob.rows[0], *FUNNEL_KEYS) == (
        "all", "all", 5, 1, 4, 4, 3, 2, 1, D("50.00"), D("50.00"), D("66.67"), D("2.00"))
    assert empty.rows == []


def test_membership_report(db, dataset):
    with db.read() as s:
        march = membership_report(s, TODAY)
        feb = membership_report(s, TODAY, "2026-02")
    keys = ("tier", "active", "mrr", "arr", "expiring_30d", "failed_payments", "active_at_start", "churned",
            "churn_rate")
    assert [_pick(r, *keys) for r in march.rows] == [
        ("bronze", 0, D("0.00"), D("0.00"), 0, 0, 1, 1, D("100.00")),
        ("silver", 1, D("25.50"), D("306.00"), 1, 1, 1, 0, D("0.00")),
        ("gold", 1, D("70.83"), D("850.00"), 0, 0, 1, 0, D("0.00")),
        ("all", 2, D("96.33"), D("1156.00"), 1, 1, 3, 1, D("33.33")),
    ]
    assert march.params == {"today": "2026-03-15", "month": "2026-03"}
    assert [_pick(r, "tier", "active_at_start", "churned", "churn_rate") for r in feb.rows] == [
        ("bronze", 1, 0, D("0.00")), ("silver", 2, 1, D("50.00")), ("gold", 1, 0, D("0.00")),
        ("all", 4, 1, D("25.00")),
    ]


def test_money_sums_are_exact_at_the_penny(db):
    """0.10 and 0.20, 300 times over, sum to exactly 45.00 (a float sum drifts: 45.00000000000x)."""
    from crm_desktop.db.models import Enquiry
    from tests.reports import data

    def build(s):
        o = data.contact(s, "o@example.com", "O", "Owner")
        g = data.contact(s, "g@example.com", "G", "Guest", type_="guest")
        p = data.prop(s, o, "1", "P")
        s.add_all(Enquiry(contactId=g.id, ownerId=o.id, propertyId=p.id, createdAt="2026-01-01T00:00:00.000Z",
                          status="booked", convertedToBooking=True, bookingValue=D("0.10") if i % 2 else D("0.20"))
                  for i in range(300))
    db.write(build)
    assert sum([0.1, 0.2] * 150) != 45.0
    with db.read() as s:
        rows = property_analytics(s).rows
    assert rows[0]["revenue"] == D("45.00")


def test_catalog_checks_options_and_rights(db, dataset):
    with db.read() as s:
        with pytest.raises(ValidationError) as err:
            run_report(s, Actor("v", "viewer"), "funnel", ReportOptions(TODAY, month="2026-13"))
        assert "month" in err.value.errors
        with pytest.raises(ValidationError):
            run_report(s, Actor("v", "viewer"), "nope", ReportOptions(TODAY))
        with pytest.raises(PermissionDenied):
            run_report(s, Actor("x", "nobody"), "owners", ReportOptions(TODAY))
        assert len(run_report(s, Actor("v", "viewer"), "owners", ReportOptions(TODAY, limit=2)).rows) == 2


def test_chart_points_follow_the_rows(db, dataset):
    from crm_desktop.reports.model import chart_points

    with db.read() as s:
        assert chart_points(property_analytics(s, owner_id=dataset["o1"])) == (
            ["2026-01", "2026-02"], [2, 2])  # both properties' February enquiries added up
        assert chart_points(enquiry_funnel(s)) == (["New", "Contacted", "Negotiating", "Booked"], [8, 7, 5, 3])
        assert chart_points(membership_report(s, TODAY)) == (
            ["bronze", "silver", "gold"], [D("0.00"), D("25.50"), D("70.83")])
        assert chart_points(owner_insights(s)) == (
            ["Alice Able", "Bob Baker", "Cara Cole"], [D("1500.75"), D("999.99"), D("0.00")])
        assert chart_points(enquiry_funnel(s, month="2020-01")) == ([], [])


def test_funnel_reads_the_pipeline_history_the_enquiry_service_writes(db, admin):
    """The contract with services.enquiries.change_status: a lost enquiry that was negotiating counts as
    having reached negotiating (and contacted), one lost straight from new does not."""
    from crm_desktop.services import enquiries
    from tests import service_helpers as h

    owner = h.owner(db, admin)
    guest = h.guest(db, admin)
    prop = h.prop(db, admin, owner.id)
    far = h.enquiry(db, admin, guest.id, prop.id)
    near = h.enquiry(db, admin, guest.id, prop.id)
    for status in ("contacted", "negotiating", "lost"):
        db.write(lambda s, st=status: enquiries.change_status(s, admin, far.id, st))
    db.write(lambda s: enquiries.change_status(s, admin, near.id, "lost"))
    with db.read() as s:
        row = enquiry_funnel(s).rows[0]
    assert _pick(row, "new", "contacted", "negotiating", "booked", "lost") == (2, 1, 1, 0, 2)
