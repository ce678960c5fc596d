"""One contact: who they are, their properties, enquiries and memberships, and their timeline.

Staff log a call (Ctrl+L), an email (Ctrl+Shift+E) or a note (Ctrl+Shift+N) as themselves; the
timeline reloads when the change bus says interactions changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, or_, select

from crm_desktop.db.models import Contact, Enquiry, Membership, Property, Staff
from crm_desktop.services import contacts, interactions, sensitive
from crm_desktop.services.interactions import TimelineEntry
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.builders import (
    add_shortcut,
    heading_label,
    heading_row,
    selectable_label,
    stat_cards,
    subheading_label,
)
from crm_desktop.ui.details.common import (
    DASH,
    FieldGrid,
    LoadingView,
    can_log,
    chip,
    day,
    humanise,
    money,
    set_chip,
    text,
    when,
)
from crm_desktop.ui.details.record_list import RecordList
from crm_desktop.ui.details.timeline import TimelineList, timeline_names
from crm_desktop.ui.sensitive_field import SensitiveBox

RELATED_LIMIT = 200


@dataclass(frozen=True)
class ContactData:
    fields: dict[str, Any]
    properties: list[tuple[str, tuple[str, ...]]]
    enquiries: list[tuple[str, tuple[str, ...]]]
    enquiry_total: int
    memberships: list[tuple[str, tuple[str, ...]]]
    timeline: list[TimelineEntry]
    staff_names: dict[str, str]


def load_contact(session, actor, contact_id: str) -> ContactData:  # noqa: ANN001
    """Worker thread: everything the view shows, as plain values."""
    c = contacts.get_contact(session, actor, contact_id)
    fields = {k: getattr(c, k) for k in (
        "id", "type", "status", "firstName", "lastName", "email", "phone", "businessName", "companyName",
        "eventType", "address", "city", "postcode", "country", "notes", "createdAt", "updatedAt",
        "lastContactedAt", "userId", "version")}
    fields["masked"] = {f: sensitive.masked(c, f) for f in sensitive.FIELDS}  # '•••• 1234'; never the value
    props = [(p.id, (p.title, text(p.location), humanise(p.listingStatus), humanise(p.membershipTier),
                     str(p.enquiryCount), str(p.bookingCount), money(p.totalRevenue)))
             for p in session.scalars(select(Property).where(Property.ownerId == contact_id)
                                      .order_by(Property.title).limit(RELATED_LIMIT))]
    related = or_(Enquiry.contactId == contact_id, Enquiry.ownerId == contact_id)
    titles = dict(session.execute(select(Property.id, Property.title).where(Property.id.in_(
        select(Enquiry.propertyId).where(related)))).all())
    enq = [(e.id, (day(e.createdAt), text(e.guestName), titles.get(e.propertyId, DASH), humanise(e.status),
                   humanise(e.priority), day(e.eventDate), money(e.estimatedBudget)))
           for e in session.scalars(select(Enquiry).where(related)
                                    .order_by(Enquiry.createdAt.desc()).limit(RELATED_LIMIT))]
    total = session.scalar(select(func.count()).select_from(Enquiry).where(related)) or 0
    mems = [(m.id, (humanise(m.planTier), humanise(m.status), humanise(m.billingCycle), money(m.planPrice),
                    day(m.startDate), day(m.endDate), str(m.paymentFailureCount)))
            for m in session.scalars(select(Membership).where(Membership.contactId == contact_id)
                                     .order_by(Membership.endDate.desc()))]
    names = timeline_names(session.execute(select(Staff.id, Staff.name)).all())
    return ContactData(fields, props, enq, total, mems, interactions.timeline(session, actor, contact_id),
                       names)


def display_name(fields: dict[str, Any]) -> str:
    name = " ".join(p for p in (fields.get("firstName"), fields.get("lastName")) if p)
    return name or fields.get("businessName") or fields.get("email") or "Contact"


def contact_name(contact: Contact | None, missing: str = DASH) -> str:
    """A related record's contact as shown in a subtitle or a field; `missing` when there is none."""
    if contact is None:
        return missing
    return display_name({k: getattr(contact, k) for k in ("firstName", "lastName", "businessName", "email")})


class ContactDetail(LoadingView):
    WATCH = frozenset({"contact", "interaction", "enquiry", "property", "membership"})

    def __init__(self, ctx: UiContext, contact_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.contact_id = contact_id
        self.data: ContactData | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        self.name = heading_label()
        self.type_chip, self.status_chip = chip(None), chip(None)
        name_row = heading_row(self.name, self.type_chip, self.status_chip)
        self.subtitle = subheading_label()
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addLayout(name_row)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        self.buttons: dict[str, QPushButton] = {}
        for key, label, keys in (("phone", "Log call", "Ctrl+L"), ("email", "Log email", "Ctrl+Shift+E"),
                                 ("note", "Add note", "Ctrl+Shift+N"), ("enquiry", "New enquiry", None),
                                 ("edit", "Edit", "Ctrl+E")):
            button = QPushButton(label)
            if keys:
                button.setToolTip(f"{label} ({keys})")
                add_shortcut(self, button, keys)
            head.addWidget(button)
            self.buttons[key] = button
        for kind in ("phone", "email", "note"):
            self.buttons[kind].clicked.connect(lambda _=False, k=kind: self.log(k))
        self.buttons["edit"].clicked.connect(self.edit)
        self.buttons["enquiry"].clicked.connect(self.new_enquiry)
        lay.addLayout(head)
        lay.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.fields = FieldGrid(columns=2)
        overview = QWidget()
        ov = QVBoxLayout(overview)
        summary, self.summary = stat_cards((
            ("properties", "Properties"), ("enquiries", "Enquiries"), ("memberships", "Memberships"),
            ("contacted", "Last contacted")))
        ov.addLayout(summary)
        ov.addSpacing(6)
        ov.addWidget(self.fields)
        self.sensitive = SensitiveBox(ctx)  # tax id / bank details: masked, admins may reveal (audited)
        ov.addWidget(self.sensitive)
        self.notes = selectable_label()
        ov.addWidget(self.notes)
        ov.addStretch(1)
        self.properties = RecordList(["Title", "Location", "Listing", "Tier", "Enquiries", "Bookings", "Revenue"],
                                     numeric=(4, 5, 6), chip_column=2, empty_text="No properties")
        self.enquiries = RecordList(["Received", "Guest", "Property", "Status", "Priority", "Event date", "Budget"],
                                    numeric=(6,), chip_column=3, empty_text="No enquiries")
        self.memberships = RecordList(["Tier", "Status", "Billing", "Price", "Start", "End", "Failed payments"],
                                      numeric=(3, 6), chip_column=1, empty_text="No memberships")
        self.tabs.addTab(overview, "Overview")
        self.tabs.addTab(self.properties, "Properties")
        self.tabs.addTab(self.enquiries, "Enquiries")
        self.tabs.addTab(self.memberships, "Memberships")
        for kind, lst in (("property", self.properties), ("enquiry", self.enquiries),
                          ("membership", self.memberships)):
            lst.open_requested.connect(lambda rid, k=kind: self.open_record.emit(k, rid))
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Timeline")
        heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        sl.addWidget(heading)
        self.timeline = TimelineList()
        sl.addWidget(self.timeline)
        split.addWidget(self.tabs)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        lay.addWidget(split, 1)
        self.reload()

    def fetch(self, session) -> ContactData:  # noqa: ANN001
        return load_contact(session, self.ctx.actor, self.contact_id)

    def show_data(self, data: ContactData) -> None:
        self.data = data
        f = data.fields
        self.banner.hide()
        name = display_name(f)
        self.name.setText(name)
        self.title_changed.emit(name)
        set_chip(self.type_chip, f["type"])
        set_chip(self.status_chip, f["status"])
        self.buttons["enquiry"].setVisible(f["type"] == "guest")  # an enquiry's contact is the guest
        self._apply_rights()
        parts = [f["email"], f.get("phone"), f.get("businessName") or f.get("companyName")]
        self.subtitle.setText("  ·  ".join(p for p in parts if p))
        self.fields.set_rows([
            ("Email", text(f["email"])), ("Phone", text(f["phone"])),
            ("Business", text(f["businessName"])), ("Company", text(f["companyName"])),
            ("Event type", text(f["eventType"])), ("Address", text(f["address"])),
            ("Town / city", text(f["city"])), ("Postcode", text(f["postcode"])),
            ("Country", text(f["country"])), ("Platform user", text(f["userId"])),
            ("Created", when(f["createdAt"])), ("Last contacted", when(f["lastContactedAt"])),
        ])
        self.notes.setText(f"<b>Notes</b><br>{text(f['notes'])}" if f.get("notes") else "")
        self.sensitive.show_contact(f["id"], f["masked"])
        booked = sum(1 for _, row in data.enquiries if row[3] == "Booked")
        live = sum(1 for _, row in data.memberships if row[1] in ("Active", "Expiring soon"))
        self.summary["properties"].set_value(str(len(data.properties)), "owned" if data.properties else "none")
        self.summary["properties"].setVisible(f["type"] == "owner")
        self.summary["enquiries"].set_value(f"{data.enquiry_total:,}", f"{booked} booked" if data.enquiries else "none")
        self.summary["memberships"].set_value(str(len(data.memberships)), f"{live} live")
        self.summary["contacted"].set_value(day(f["lastContactedAt"]), when(f["lastContactedAt"]).split(", ")[-1]
                                            if f["lastContactedAt"] else "never")
        self.properties.set_rows(data.properties)
        self.enquiries.set_rows(data.enquiries)
        self.memberships.set_rows(data.memberships)
        shown = len(data.enquiries)
        label = f"Enquiries ({data.enquiry_total:,})" if shown == data.enquiry_total else \
            f"Enquiries ({shown} of {data.enquiry_total:,})"
        self.tabs.setTabText(1, f"Properties ({len(data.properties)})")
        self.tabs.setTabText(2, label)
        self.tabs.setTabText(3, f"Memberships ({len(data.memberships)})")
        self.timeline.set_entries(data.timeline, data.staff_names)

    def _apply_rights(self) -> None:
        """A viewer cannot change anything; offline, calls and notes still go to the outbox."""
        can_write = self.ctx.actor.can("write")
        for key, allowed in (("edit", can_write), ("enquiry", can_write), ("email", can_write),
                             ("phone", can_log(self.ctx)), ("note", can_log(self.ctx))):
            self.buttons[key].setEnabled(allowed)
            if not allowed:
                self.buttons[key].setToolTip("Not available: you can only read in this session.")

    # ---- actions ------------------------------------------------------------------------------------
    def log(self, kind: str) -> None:
        """Open the note dialog for a call, email or note (saved as ctx.actor; the bus refreshes us)."""
        from crm_desktop.ui.dialogs.note_dialog import NoteDialog

        self.dialog = NoteDialog(self.ctx, self.contact_id, kind, self)
        self.dialog.open()

    def edit(self) -> None:
        from crm_desktop.ui.dialogs.contact_dialog import ContactDialog

        self.dialog = ContactDialog(self.ctx, self.contact_id, self)
        self.dialog.open()

    def new_enquiry(self) -> None:
        from crm_desktop.ui.dialogs.enquiry_dialog import EnquiryDialog

        self.dialog = EnquiryDialog(self.ctx, parent=self, contact_id=self.contact_id)
        self.dialog.saved.connect(lambda eid: self.open_record.emit("enquiry", eid))
        self.dialog.open()
