"""One property: its listing facts and its analytics (views, enquiries, bookings, revenue and
conversion, per month) from crm_desktop.reports.properties, plus its enquiries and memberships."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QGridLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget
from sqlalchemy import select

from crm_desktop.db.models import Contact, Enquiry, Membership
from crm_desktop.reports.properties import ALL, property_analytics
from crm_desktop.services import properties
from crm_desktop.timeutil import utcnow
from crm_desktop.ui.charts import BarChart, LineChart, Series, pounds
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.builders import (
    framed,
    heading_label,
    heading_row,
    scrolling_body,
    stat_cards,
    subheading_label,
)
from crm_desktop.ui.details.common import (
    FieldGrid,
    LoadingView,
    chip,
    day,
    humanise,
    money,
    set_chip,
    text,
    when,
)
from crm_desktop.ui.details.contact_detail import contact_name
from crm_desktop.ui.details.record_list import RecordList

MONTHS = 12


@dataclass(frozen=True)
class MonthFigures:
    month: str  # 'YYYY-MM'
    enquiries: int
    bookings: int
    revenue: Decimal


@dataclass(frozen=True)
class PropertyData:
    fields: dict[str, Any]
    owner_name: str
    views: int
    enquiries: int
    bookings: int
    revenue: Decimal
    conversion: Decimal
    months: list[MonthFigures]
    enquiry_rows: list[tuple[str, tuple[str, ...]]]
    membership_rows: list[tuple[str, tuple[str, ...]]]


def last_months(today: date, n: int = MONTHS) -> list[str]:
    year, month = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def load_property(session, actor, property_id: str, today: date) -> PropertyData:  # noqa: ANN001
    p = properties.get_property(session, actor, property_id)
    fields = {k: getattr(p, k) for k in (
        "id", "title", "location", "listingStatus", "membershipTier", "bedrooms", "bathrooms", "maxGuests",
        "pricePerNight", "ownerId", "propertyId", "publishedAt", "expiresAt", "createdAt", "updatedAt",
        "internalNotes", "rejectionReason", "viewCount", "enquiryCount", "bookingCount", "totalRevenue")}
    owner_name = contact_name(session.get(Contact, p.ownerId) if p.ownerId else None)
    report = property_analytics(session, property_id=property_id)
    total = next(r for r in report.rows if r["month"] == ALL)
    by_month = {r["month"]: r for r in report.rows if r["month"] != ALL}
    months = [MonthFigures(m, by_month.get(m, {}).get("enquiries", 0), by_month.get(m, {}).get("bookings", 0),
                           by_month.get(m, {}).get("revenue", Decimal("0.00"))) for m in last_months(today)]
    enquiry_rows = [(e.id, (day(e.createdAt), text(e.guestName), humanise(e.status), day(e.eventDate),
                            money(e.estimatedBudget), money(e.bookingValue)))
                    for e in session.scalars(select(Enquiry).where(Enquiry.propertyId == property_id)
                                             .order_by(Enquiry.createdAt.desc()).limit(200))]
    membership_rows = [(m.id, (humanise(m.planTier), humanise(m.status), day(m.startDate), day(m.endDate),
                               money(m.lastPaymentAmount), str(m.paymentFailureCount)))
                       for m in session.scalars(select(Membership).where(Membership.propertyId == property_id)
                                                .order_by(Membership.endDate.desc()))]
    return PropertyData(fields, owner_name, int(total.get("views") or 0), total["enquiries"], total["bookings"],
                        total["revenue"], total["conversion_rate"], months, enquiry_rows, membership_rows)


class PropertyDetail(LoadingView):
    WATCH = frozenset({"property", "enquiry", "membership", "sync"})

    def __init__(self, ctx: UiContext, property_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.property_id = property_id
        self.data: PropertyData | None = None
        lay = QVBoxLayout(scrolling_body(self, "detailBody"))
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(10)

        self.name = heading_label()
        self.status_chip, self.tier_chip = chip(None), chip(None)
        head = heading_row(self.name, self.status_chip, self.tier_chip)
        self.owner_button = QPushButton("Open owner")
        self.owner_button.clicked.connect(self._open_owner)
        head.addWidget(self.owner_button)
        lay.addLayout(head)
        self.subtitle = subheading_label()
        lay.addWidget(self.subtitle)
        lay.addWidget(self.banner)

        cards, self.cards = stat_cards((
            ("views", "Views"), ("enquiries", "Enquiries"), ("bookings", "Bookings"), ("revenue", "Revenue"),
            ("conversion", "Conversion")))
        lay.addLayout(cards)

        charts = QGridLayout()
        self.monthly = BarChart(f"Enquiries and bookings, last {MONTHS} months")
        self.revenue_chart = LineChart("Booking revenue per month", value_format=pounds)
        for chart in (self.monthly, self.revenue_chart):
            chart.setMinimumHeight(240)
        charts.addWidget(framed(self.monthly), 0, 0)
        charts.addWidget(framed(self.revenue_chart), 0, 1)
        lay.addLayout(charts)

        self.tabs = QTabWidget()
        self.facts = FieldGrid(columns=2)
        facts_page = QWidget()
        fl = QVBoxLayout(facts_page)
        fl.addWidget(self.facts)
        fl.addStretch(1)
        self.enquiries = RecordList(["Received", "Guest", "Status", "Event date", "Budget", "Booking value"],
                                    numeric=(4, 5), chip_column=2, empty_text="No enquiries")
        self.memberships = RecordList(["Tier", "Status", "Start", "End", "Last payment", "Failed payments"],
                                      numeric=(4, 5), chip_column=1, empty_text="No memberships")
        self.enquiries.open_requested.connect(lambda rid: self.open_record.emit("enquiry", rid))
        self.memberships.open_requested.connect(lambda rid: self.open_record.emit("membership", rid))
        self.tabs.addTab(facts_page, "Listing")
        self.tabs.addTab(self.enquiries, "Enquiries")
        self.tabs.addTab(self.memberships, "Memberships")
        self.tabs.setMinimumHeight(220)
        lay.addWidget(self.tabs, 1)
        self.reload()

    def fetch(self, session) -> PropertyData:  # noqa: ANN001
        return load_property(session, self.ctx.actor, self.property_id, utcnow().date())

    def show_data(self, data: PropertyData) -> None:
        self.data = data
        f = data.fields
        self.banner.hide()
        self.name.setText(f["title"])
        self.title_changed.emit(f["title"])
        set_chip(self.status_chip, f["listingStatus"])
        set_chip(self.tier_chip, f["membershipTier"])
        self.tier_chip.setVisible(bool(f["membershipTier"]))
        self.subtitle.setText("  ·  ".join(p for p in (
            f["location"], f"Owner: {data.owner_name}",
            f"from {money(f['pricePerNight'])} a night" if f["pricePerNight"] is not None else None) if p))
        self.owner_button.setEnabled(bool(f["ownerId"]))
        self.cards["views"].set_value(f"{data.views:,}", "on the platform")
        self.cards["enquiries"].set_value(f"{data.enquiries:,}", "all time")
        self.cards["bookings"].set_value(f"{data.bookings:,}", "converted enquiries")
        self.cards["revenue"].set_value(money(data.revenue), "booking value")
        self.cards["conversion"].set_value(f"{data.conversion}%", "enquiries booked")
        labels = [date(int(m.month[:4]), int(m.month[5:]), 1).strftime("%b %y") for m in data.months]
        self.monthly.set_series(labels, [
            Series("Enquiries", tuple(m.enquiries for m in data.months), "#4f46e5"),
            Series("Bookings", tuple(m.bookings for m in data.months), "#16a34a"),
        ])
        self.revenue_chart.set_data(labels, [m.revenue for m in data.months], name="Revenue")
        self.facts.set_rows([
            ("Bedrooms", text(f["bedrooms"])), ("Bathrooms", text(f["bathrooms"])),
            ("Sleeps", text(f["maxGuests"])), ("Price per night", money(f["pricePerNight"])),
            ("Published", when(f["publishedAt"])), ("Expires", when(f["expiresAt"])),
            ("Platform id", text(f["propertyId"])), ("Updated", when(f["updatedAt"])),
            ("Internal notes", text(f["internalNotes"])), ("Rejection reason", text(f["rejectionReason"])),
        ])
        self.enquiries.set_rows(data.enquiry_rows)
        self.memberships.set_rows(data.membership_rows)
        self.tabs.setTabText(1, f"Enquiries ({len(data.enquiry_rows)})")
        self.tabs.setTabText(2, f"Memberships ({len(data.membership_rows)})")

    def _open_owner(self) -> None:
        if self.data and self.data.fields["ownerId"]:
            self.open_record.emit("contact", self.data.fields["ownerId"])

