"""One membership: plan, dates and status, payments and failures.

Payments and failures are read from the audit log: every time the sync (or a member of staff) changed
lastPaymentDate / lastPaymentAmount or paymentFailureCount, the entry holds the before and after
values, so the history survives even though the row only keeps the latest payment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget
from sqlalchemy import select

from crm_desktop.db.models import ActivityLog, Contact, Property, Staff
from crm_desktop.services import memberships
from crm_desktop.services.interactions import TimelineEntry
from crm_desktop.timeutil import parse_day, utcnow
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.builders import (
    heading_label,
    heading_row,
    link_buttons,
    stat_cards,
    subheading_label,
)
from crm_desktop.ui.details.common import (
    DASH,
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
from crm_desktop.ui.details.timeline import TimelineList, audit_entry, timeline_names

FIELDS = ("id", "contactId", "propertyId", "planTier", "planPrice", "billingCycle", "startDate", "endDate",
          "renewalDate", "cancelledDate", "status", "stripeCustomerId", "stripeSubscriptionId",
          "platformSubscriptionId", "customerEmail", "lastPaymentDate", "lastPaymentAmount", "nextPaymentDate",
          "autoRenew", "paymentFailureCount", "createdAt", "updatedAt", "notes", "stripeSyncedAt", "version")


@dataclass(frozen=True)
class MembershipData:
    fields: dict[str, Any]
    owner_name: str
    property_title: str
    payments: list[tuple[str, tuple[str, ...]]]  # (audit id, (when, paid on, amount, by, reason))
    failures: list[tuple[str, tuple[str, ...]]]  # (audit id, (when, failures before → after, status, by, reason))
    history: list[TimelineEntry]
    staff_names: dict[str, str]


def _change(changes: dict[str, Any], key: str) -> tuple[Any, Any] | None:
    value = changes.get(key)
    return (value.get("before"), value.get("after")) if isinstance(value, dict) else None


def load_membership(session, actor, membership_id: str) -> MembershipData:  # noqa: ANN001
    m = memberships.get_membership(session, actor, membership_id)
    fields = {k: getattr(m, k) for k in FIELDS}
    owner_name = contact_name(session.get(Contact, m.contactId) if m.contactId else None, m.customerEmail or DASH)
    prop = session.get(Property, m.propertyId) if m.propertyId else None
    names = timeline_names(session.execute(select(Staff.id, Staff.name)).all())
    payments, failures, history = [], [], []
    for a in session.scalars(select(ActivityLog).where(ActivityLog.entityId == membership_id)
                             .order_by(ActivityLog.timestamp.desc()).limit(500)):
        try:
            changes = json.loads(a.changedFields) if a.changedFields else {}
        except ValueError:
            changes = {}
        by = names.get(a.performedBy, a.performedBy)
        paid = _change(changes, "lastPaymentDate")
        amount = _change(changes, "lastPaymentAmount")
        if (paid and paid[1]) or (amount and amount[1]):
            payments.append((a.id, (when(a.timestamp), day(paid[1]) if paid else day(m.lastPaymentDate),
                                    money(amount[1]) if amount else money(m.lastPaymentAmount), by,
                                    a.reason or DASH)))
        failed = _change(changes, "paymentFailureCount")
        if failed and (failed[1] or 0) > (failed[0] or 0):
            status = _change(changes, "status")
            failures.append((a.id, (when(a.timestamp), f"{failed[0] or 0} → {failed[1]}",
                                    humanise(status[1]) if status else DASH, by, a.reason or DASH)))
        history.append(audit_entry(a, "membership", f" ({a.reason})" if a.reason else ""))
    return MembershipData(fields, owner_name, prop.title if prop else DASH, payments, failures, history, names)


class MembershipDetail(LoadingView):
    WATCH = frozenset({"membership", "sync"})

    def __init__(self, ctx: UiContext, membership_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.membership_id = membership_id
        self.data: MembershipData | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        self.name = heading_label()
        self.tier_chip, self.status_chip = chip(None), chip(None)
        head = heading_row(self.name, self.tier_chip, self.status_chip)
        self.links = link_buttons(head, (("contact", "Open owner"), ("property", "Open property")), self._open)
        lay.addLayout(head)
        self.subtitle = subheading_label()
        lay.addWidget(self.subtitle)
        lay.addWidget(self.banner)

        cards, self.cards = stat_cards((
            ("price", "Plan price"), ("last", "Last payment"), ("next", "Next payment"),
            ("failures", "Failed payments"), ("ends", "Ends")))
        lay.addLayout(cards)

        split = QSplitter()
        self.fields = FieldGrid(columns=2)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 8, 8, 0)
        ll.addWidget(self.fields)
        ll.addStretch(1)
        self.tabs = QTabWidget()
        self.payments = RecordList(["Recorded", "Paid on", "Amount", "By", "Reason"], numeric=(2,),
                                   empty_text="No payments recorded yet")
        self.failures = RecordList(["Recorded", "Failures", "Status", "By", "Reason"],
                                   empty_text="No failed payments")
        self.history = TimelineList()
        self.tabs.addTab(self.payments, "Payments")
        self.tabs.addTab(self.failures, "Failures")
        self.tabs.addTab(self.history, "History")
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setSizes([560, 600])
        lay.addWidget(split, 1)
        self.reload()

    def fetch(self, session) -> MembershipData:  # noqa: ANN001
        return load_membership(session, self.ctx.actor, self.membership_id)

    def show_data(self, data: MembershipData) -> None:
        self.data = data
        f = data.fields
        self.banner.hide()
        title = f"{humanise(f['planTier'])} membership"
        self.name.setText(title)
        self.title_changed.emit(f"{title}: {data.owner_name}")
        set_chip(self.tier_chip, f["planTier"])
        set_chip(self.status_chip, f["status"])
        self.subtitle.setText(f"{data.owner_name}  ·  {data.property_title}  ·  billed {text(f['billingCycle'])}")
        self.links["contact"].setEnabled(bool(f["contactId"]))
        self.links["property"].setEnabled(bool(f["propertyId"]))
        cycle = {"monthly": "a month", "annual": "a year"}.get(f["billingCycle"] or "", "")
        self.cards["price"].set_value(money(f["planPrice"]), cycle)
        self.cards["last"].set_value(money(f["lastPaymentAmount"]), f"on {day(f['lastPaymentDate'])}")
        self.cards["next"].set_value(day(f["nextPaymentDate"]),
                                     "renews automatically" if f["autoRenew"] else "auto-renew is off")
        failures = f["paymentFailureCount"] or 0
        self.cards["failures"].set_value(str(failures), "needs attention" if failures else "all paid")
        self.cards["failures"].value.setStyleSheet("color: #b91c1c;" if failures else "")
        end = parse_day(f["endDate"])
        left = (end - utcnow().date()).days if end else None
        self.cards["ends"].set_value(day(f["endDate"]), DASH if left is None else
                                     (f"in {left} days" if left >= 0 else f"{-left} days ago"))
        self.fields.set_rows([
            ("Start", day(f["startDate"])), ("End", day(f["endDate"])),
            ("Renewal", day(f["renewalDate"])), ("Cancelled", day(f["cancelledDate"])),
            ("Auto-renew", "Yes" if f["autoRenew"] else "No"), ("Billing", humanise(f["billingCycle"])),
            ("Stripe customer", text(f["stripeCustomerId"])), ("Subscription", text(f["stripeSubscriptionId"])),
            ("Platform subscription", text(f["platformSubscriptionId"])), ("Email", text(f["customerEmail"])),
            ("Synced from Stripe", when(f["stripeSyncedAt"])), ("Updated", when(f["updatedAt"])),
            ("Notes", text(f["notes"])),
        ])
        self.payments.set_rows(data.payments)
        self.failures.set_rows(data.failures)
        self.history.set_entries(data.history, data.staff_names)
        self.tabs.setTabText(0, f"Payments ({len(data.payments)})")
        self.tabs.setTabText(1, f"Failures ({len(data.failures)})")

    def _open(self, kind: str) -> None:
        if self.data is None:
            return
        record_id = self.data.fields["contactId" if kind == "contact" else "propertyId"]
        if record_id:
            self.open_record.emit(kind, record_id)
