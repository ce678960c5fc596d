"""The dashboard: the plan's four cards plus charts (funnel, enquiries per week, memberships and
revenue by tier). Numbers come from crm_desktop.reports.dashboard in a background task and are
reloaded when enquiries, contacts, properties or memberships change."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from crm_desktop.reports.dashboard import EXPIRING_DAYS, DashboardNumbers, dashboard_numbers
from crm_desktop.timeutil import utcnow
from crm_desktop.ui.charts import (
    STATUS_COLOURS,
    TIER_COLOURS,
    BarChart,
    FunnelChart,
    LineChart,
    Series,
    pounds,
)
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.builders import framed, heading_label, scrolling_body, subheading_label
from crm_desktop.ui.details.common import LoadingView, StatCard, humanise


class DashboardView(LoadingView):
    WATCH = frozenset({"contact", "property", "enquiry", "membership", "sync"})

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.numbers: DashboardNumbers | None = None
        lay = QVBoxLayout(scrolling_body(self, "dashboardBody"))
        lay.setContentsMargins(20, 16, 20, 20)
        lay.setSpacing(14)

        head = QHBoxLayout()
        title = heading_label("Dashboard")
        self.updated = subheading_label("Loading…")
        refresh = QPushButton("Refresh")
        refresh.setToolTip("Reload the figures (they also refresh by themselves after every change)")
        refresh.clicked.connect(self.reload)
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.updated)
        head.addWidget(refresh)
        lay.addLayout(head)
        lay.addWidget(self.banner)

        cards = QHBoxLayout()
        cards.setSpacing(12)
        self.contacts_card = StatCard("Total contacts")
        self.properties_card = StatCard("Properties")
        self.enquiries_card = StatCard("Enquiries")
        self.conversions_card = StatCard("Conversions")
        self.expiring_card = StatCard(f"Memberships expiring in {EXPIRING_DAYS} days")
        for card in (self.contacts_card, self.properties_card, self.enquiries_card, self.conversions_card,
                     self.expiring_card):
            cards.addWidget(card)
        lay.addLayout(cards)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.funnel = FunnelChart("Enquiries by stage (share of all)", share_of="total")
        self.weekly = LineChart("Enquiries per week")
        self.tiers = BarChart("Memberships by tier")
        self.revenue = BarChart("Membership fees by tier (per year)", value_format=pounds)
        self.bookings = BarChart("Bookings revenue by tier", value_format=pounds)
        for chart in (self.funnel, self.weekly, self.tiers, self.revenue, self.bookings):
            chart.setMinimumHeight(250)
        # Six grid columns: two charts across the first row, three across the second.
        grid.addWidget(framed(self.funnel), 0, 0, 1, 3)
        grid.addWidget(framed(self.weekly), 0, 3, 1, 3)
        grid.addWidget(framed(self.tiers), 1, 0, 1, 2)
        grid.addWidget(framed(self.revenue), 1, 2, 1, 2)
        grid.addWidget(framed(self.bookings), 1, 4, 1, 2)
        for column in range(6):
            grid.setColumnStretch(column, 1)
        lay.addLayout(grid, 1)
        self.reload()

    def fetch(self, session) -> DashboardNumbers:  # noqa: ANN001
        return dashboard_numbers(session, utcnow().date())

    def show_data(self, n: DashboardNumbers) -> None:
        self.numbers = n
        self.banner.hide()
        self.contacts_card.set_value(f"{n.contacts:,}", f"{n.owners:,} owners · {n.guests:,} guests")
        self.properties_card.set_value(f"{n.properties:,}", f"{n.live_properties:,} live")
        self.enquiries_card.set_value(f"{n.enquiries:,}", f"{n.open_enquiries:,} open")
        self.conversions_card.set_value(f"{n.conversions:,}", f"{n.conversion_rate}% of enquiries booked")
        self.expiring_card.set_value(f"{n.expiring_soon:,}", "active memberships ending soon")
        self.funnel.set_data([humanise(s) for s, _ in n.funnel], [c for _, c in n.funnel],
                             colours=[STATUS_COLOURS[s] for s, _ in n.funnel])
        self.weekly.set_data([w.strftime("%-d %b") for w, _ in n.weekly_enquiries],
                             [c for _, c in n.weekly_enquiries], name="Enquiries")
        tiers = [t for t, _ in n.members_by_tier]
        self.tiers.set_series([humanise(t) for t in tiers], [
            Series("Active members", tuple(c for _, c in n.members_by_tier), "#4f46e5"),
            Series(f"Ending within {EXPIRING_DAYS} days", tuple(c for _, c in n.expiring_by_tier), "#f59e0b"),
        ])
        labels = [humanise(t) for t in tiers]
        colours = [TIER_COLOURS[t] for t in tiers]
        self.revenue.set_data(labels, [v for _, v in n.membership_revenue_by_tier], colours=colours)
        booking = dict(n.booking_revenue_by_tier)
        self.bookings.set_data(labels, [booking.get(t, 0) for t in tiers], colours=colours)
        self.updated.setText(f"Updated {utcnow().astimezone().strftime('%H:%M:%S')}")
