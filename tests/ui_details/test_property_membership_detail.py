"""PropertyDetail shows the property's analytics; MembershipDetail its payments and failures."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from crm_desktop.db.models import Enquiry
from crm_desktop.services import memberships
from crm_desktop.services.actor import SYSTEM
from crm_desktop.ui.details.membership_detail import MembershipDetail
from crm_desktop.ui.details.property_detail import PropertyDetail

from .conftest import screenshot


def test_property_analytics_match_its_enquiries(ctx, demo, qtbot):
    with ctx.db.read() as s:  # the demo property with the most bookings makes the best picture
        pid = s.execute(select(Enquiry.propertyId).where(Enquiry.convertedToBooking.is_(True))
                        .group_by(Enquiry.propertyId).order_by(func.count().desc(), Enquiry.propertyId)).scalar()
    view = PropertyDetail(ctx, pid)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    with ctx.db.read() as s:
        n = s.scalar(select(func.count()).select_from(Enquiry).where(Enquiry.propertyId == pid))
        booked = s.scalar(select(func.count()).select_from(Enquiry).where(
            Enquiry.propertyId == pid, Enquiry.convertedToBooking.is_(True)))
        revenue = sum((e.bookingValue or Decimal(0)) for e in s.scalars(
            select(Enquiry).where(Enquiry.propertyId == pid, Enquiry.convertedToBooking.is_(True))))
    assert view.cards["enquiries"].value.text() == str(n)
    assert view.cards["bookings"].value.text() == str(booked)
    assert view.data.revenue == revenue
    assert view.cards["revenue"].value.text() == f"£{revenue:,.2f}"
    assert len(view.monthly.labels()) == 12
    assert sum(view.monthly.series()[0].values) == n  # every demo enquiry is within the last 12 months
    assert len(view.enquiries.record_ids()) == n
    screenshot(view, "property-detail", (1200, 780))


def test_membership_payments_and_failures(ctx, demo, qtbot):
    # What the sync writes when Stripe reports a payment and then two failures.
    def history(s):  # noqa: ANN001
        memberships.update_membership(s, SYSTEM, "mem-3", {"lastPaymentDate": "2026-10-01T09:00:00Z",
                                                           "lastPaymentAmount": "29.99"}, reason="invoice.paid")
        memberships.update_membership(s, SYSTEM, "mem-3", {"paymentFailureCount": 1},
                                      reason="invoice.payment_failed")
        memberships.update_membership(s, SYSTEM, "mem-3", {"paymentFailureCount": 2, "status": "suspended"},
                                      reason="invoice.payment_failed")
    ctx.db.write(history)
    view = MembershipDetail(ctx, "mem-3")
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert view.name.text() == "Silver membership"
    assert view.cards["failures"].value.text() == "2"
    assert view.cards["last"].value.text() == "£29.99"
    assert len(view.payments.record_ids()) == 1
    assert view.payments.topLevelItem(0).text(2) == "£29.99"
    assert [view.failures.topLevelItem(i).text(1) for i in range(2)] == ["1 → 2", "0 → 1"]
    assert view.failures.topLevelItem(0).text(2) == "Suspended"
    assert view.failures.topLevelItem(0).text(3) == "System (sync)"
    assert view.failures.topLevelItem(0).text(4) == "invoice.payment_failed"
    view.tabs.setCurrentIndex(1)
    screenshot(view, "membership-detail", (1200, 640))
