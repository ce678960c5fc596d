"""One enquiry: every field, the pipeline (new → contacted → negotiating → booked, or lost / spam),
priority, assignment to staff and internal notes, and the enquiry's own history.

Every write carries the version the user saw; if someone else saved first the service raises
ConflictError and the view says so, keeps what the user typed and offers to reload. Nothing is
overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from crm_desktop.db.models import ENQUIRY_STATUSES, PRIORITIES, ActivityLog, Contact, Interaction, Property
from crm_desktop.services import enquiries
from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.services.interactions import TimelineEntry
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.builders import (
    add_shortcut,
    heading_label,
    heading_row,
    link_buttons,
    selectable_label,
    subheading_label,
)
from crm_desktop.ui.details.common import (
    CHIP_COLOURS,
    DASH,
    FieldGrid,
    LoadingView,
    can_log,
    chip,
    day,
    friendly_error,
    humanise,
    money,
    set_chip,
    text,
    when,
)
from crm_desktop.ui.details.contact_detail import contact_name
from crm_desktop.ui.details.timeline import TimelineList, audit_entry, timeline_names
from crm_desktop.ui.dialogs.form import set_combo
from crm_desktop.ui.dialogs.pickers import staff_choices

FIELDS = ("id", "status", "priority", "source", "assignedToAdminId", "internalNotes", "guestName", "guestEmail",
          "guestPhone", "eventType", "eventDate", "estimatedGuests", "estimatedBudget", "bookingValue",
          "convertedToBooking", "message", "createdAt", "firstResponseAt", "lastUpdatedAt", "closedAt",
          "contactId", "ownerId", "propertyId", "platformEnquiryId", "version")
PIPELINE = ("new", "contacted", "negotiating", "booked")
OUTCOMES = ("lost", "spam")
STAGE_STYLE = (
    "QPushButton { background: #ffffff; border: 1px solid #d1d5db; border-radius: 6px; color: #374151; "
    "padding: 4px 10px; } QPushButton:hover { border-color: COLOUR; } "
    "QPushButton:checked { background: COLOUR; border-color: COLOUR; color: white; font-weight: 600; }"
)


@dataclass(frozen=True)
class EnquiryData:
    fields: dict[str, Any]
    contact_name: str
    owner_name: str
    property_title: str
    staff: list[tuple[str, str]]
    history: list[TimelineEntry]


def load_enquiry(session, actor, enquiry_id: str) -> EnquiryData:  # noqa: ANN001
    e = enquiries.get_enquiry(session, actor, enquiry_id)
    fields = {k: getattr(e, k) for k in FIELDS}
    contact = session.get(Contact, e.contactId) if e.contactId else None
    owner = session.get(Contact, e.ownerId) if e.ownerId else None
    prop = session.get(Property, e.propertyId) if e.propertyId else None
    history = [TimelineEntry(i.createdAt, "interaction", i.type, i.subject or humanise(i.type), i.content or "",
                             i.performedBy or i.initiatedBy, i.id)
               for i in session.scalars(select(Interaction).where(Interaction.relatedEnquiryId == enquiry_id)
                                        .order_by(Interaction.createdAt.desc()).limit(100))]
    history += [audit_entry(a, "enquiry")
                for a in session.scalars(select(ActivityLog).where(ActivityLog.entityId == enquiry_id)
                                         .order_by(ActivityLog.timestamp.desc()).limit(100))]
    history.sort(key=lambda h: h.at, reverse=True)
    return EnquiryData(fields, contact_name(contact), contact_name(owner), prop.title if prop else DASH,
                       staff_choices(session), history)


class EnquiryDetail(LoadingView):
    WATCH = frozenset({"enquiry", "interaction", "staff"})

    def __init__(self, ctx: UiContext, enquiry_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.enquiry_id = enquiry_id
        self.data: EnquiryData | None = None
        self.version: int | None = None
        self.saving = False
        self.handling_version: int | None = None
        self._handling_loaded: dict[str, Any] | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)

        self.name = heading_label()
        self.status_chip, self.priority_chip = chip(None), chip(None)
        head = heading_row(self.name, self.status_chip, self.priority_chip)
        self.log_buttons: dict[str, QPushButton] = {}
        for kind, label, keys in (("phone", "Log call", "Ctrl+L"), ("note", "Add note", "Ctrl+Shift+N")):
            button = QPushButton(label)
            button.setToolTip(f"{label} about this enquiry ({keys})")
            add_shortcut(self, button, keys)
            button.clicked.connect(lambda _=False, k=kind: self.log(k))
            head.addWidget(button)
            self.log_buttons[kind] = button
        self.edit_button = QPushButton("Edit details")
        self.edit_button.clicked.connect(self.edit)
        head.addWidget(self.edit_button)
        lay.addLayout(head)
        self.subtitle = subheading_label()
        lay.addWidget(self.subtitle)
        lay.addWidget(self.banner)

        stages = QHBoxLayout()
        stages.setSpacing(4)
        self.stage_group = QButtonGroup(self)
        self.stage_group.setExclusive(True)
        self.stage_buttons: dict[str, QPushButton] = {}
        for i, status in enumerate(PIPELINE + OUTCOMES):
            if status == OUTCOMES[0]:
                stages.addSpacing(18)
            label = f"{i + 1}. {humanise(status)}" if status in PIPELINE else humanise(status)
            button = QPushButton(label)
            button.setCheckable(True)
            button.setMinimumHeight(32)
            button.setStyleSheet(STAGE_STYLE.replace("COLOUR", CHIP_COLOURS[status]))
            button.setToolTip(f"Move this enquiry to “{humanise(status)}”")
            button.clicked.connect(lambda _=False, s=status: self._stage_clicked(s))
            self.stage_group.addButton(button)
            self.stage_buttons[status] = button
            stages.addWidget(button, 1)
        lay.addLayout(stages)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 8, 8, 0)
        self.fields = FieldGrid(columns=2)
        ll.addWidget(self.fields)
        self.message = selectable_label()
        ll.addWidget(self.message)
        links = QHBoxLayout()
        self.link_buttons = link_buttons(links, (("contact", "Open guest"), ("property", "Open property"),
                                                 ("owner", "Open owner")), self._open_link)
        links.addStretch(1)
        ll.addLayout(links)
        ll.addStretch(1)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 8, 0, 0)
        handling = QGroupBox("Handling")
        form = QFormLayout(handling)
        self.priority = QComboBox()
        for p in PRIORITIES:
            self.priority.addItem(humanise(p), p)
        self.assignee = QComboBox()
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Internal notes (staff only)")
        self.notes.setFixedHeight(110)
        self.save_button = QPushButton("Save changes")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.save_handling)
        form.addRow("Priority", self.priority)
        form.addRow("Assigned to", self.assignee)
        form.addRow("Notes", self.notes)
        form.addRow("", self.save_button)
        rl.addWidget(handling)
        rl.addWidget(QLabel("<b>History</b>"))
        self.history = TimelineList()
        rl.addWidget(self.history, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        self.reload()

    # ---- loading ------------------------------------------------------------------------------------
    def fetch(self, session) -> EnquiryData:  # noqa: ANN001
        return load_enquiry(session, self.ctx.actor, self.enquiry_id)

    def show_data(self, data: EnquiryData) -> None:
        self.data = data
        f = data.fields
        self.version = f["version"]
        title = f["guestName"] or data.contact_name
        self.name.setText(title)
        self.title_changed.emit(f"Enquiry: {title}")
        set_chip(self.status_chip, f["status"])
        set_chip(self.priority_chip, f["priority"])
        self.priority_chip.setText(f"{humanise(f['priority'])} priority" if f["priority"] else "No priority")
        self.subtitle.setText(f"{data.property_title}  ·  received {when(f['createdAt'])}  ·  "
                              f"via {humanise(f['source']).lower()}")
        self.stage_buttons[f["status"]].setChecked(True)
        can_write = self.ctx.actor.can("write")
        for widget in (*self.stage_buttons.values(), self.save_button, self.priority, self.assignee, self.notes,
                       self.edit_button):
            widget.setEnabled(can_write)
        for button in self.log_buttons.values():
            button.setEnabled(can_log(self.ctx))
        self.fields.set_rows([
            ("Guest", text(f["guestName"] or data.contact_name)), ("Email", text(f["guestEmail"])),
            ("Phone", text(f["guestPhone"])), ("Property", data.property_title),
            ("Owner", data.owner_name), ("Event", text(f["eventType"])),
            ("Event date", day(f["eventDate"])), ("Guests", text(f["estimatedGuests"])),
            ("Budget", money(f["estimatedBudget"])), ("Booking value", money(f["bookingValue"])),
            ("Converted", "Yes" if f["convertedToBooking"] else "No"), ("Source", humanise(f["source"])),
            ("Received", when(f["createdAt"])), ("First response", when(f["firstResponseAt"])),
            ("Last updated", when(f["lastUpdatedAt"])), ("Closed", when(f["closedAt"])),
        ])
        self.message.setText(f"<b>Message</b><br>{text(f['message'])}")
        self.link_buttons["property"].setEnabled(bool(f["propertyId"]))
        self.link_buttons["owner"].setEnabled(bool(f["ownerId"]))
        if self.handling_dirty():
            # Keep what the user is typing, and the version they started from: saving it will report a
            # conflict instead of silently replacing the newer values.
            self.banner.show_message("This enquiry was changed elsewhere while you were editing. Your "
                                     "priority, assignment and notes are kept; reload to see the latest.",
                                     "warning", "Reload", self.discard_and_reload)
        else:
            self._fill_handling(f, data.staff)
        self.history.set_entries(data.history, timeline_names(data.staff))

    def _fill_handling(self, f: dict[str, Any], staff: list[tuple[str, str]]) -> None:
        set_combo(self.priority, f["priority"] or "medium")
        self.assignee.clear()
        self.assignee.addItem("Nobody", None)
        for staff_id, name in staff:
            self.assignee.addItem(name, staff_id)
        set_combo(self.assignee, f["assignedToAdminId"])
        self.notes.setPlainText(f["internalNotes"] or "")
        self.handling_version = f["version"]
        self._handling_loaded = self._handling_values()

    def _handling_values(self) -> dict[str, Any]:
        return {"priority": self.priority.currentData(), "assignedToAdminId": self.assignee.currentData(),
                "internalNotes": self.notes.toPlainText().strip() or None}

    def handling_dirty(self) -> bool:
        return self._handling_loaded is not None and self._handling_values() != self._handling_loaded

    def discard_and_reload(self) -> None:
        self._handling_loaded = None
        self.banner.hide()
        self.reload()

    # ---- writes -------------------------------------------------------------------------------------
    def _stage_clicked(self, status: str) -> None:
        if self.data is None or status == self.data.fields["status"]:
            return
        booking_value = None
        if status == "booked":
            value, ok = QInputDialog.getText(self, "Booked", "Booking value in £ (optional):",
                                             text=str(self.data.fields["bookingValue"] or ""))
            if not ok:
                self.stage_buttons[self.data.fields["status"]].setChecked(True)
                return
            booking_value = value.strip() or None
        self.move_to(status, booking_value)

    def move_to(self, status: str, booking_value: str | Decimal | None = None, reason: str | None = None) -> None:
        """Change the pipeline status as the signed-in staff member, from the version on screen."""
        version, actor, eid = self.version, self.ctx.actor, self.enquiry_id
        self.saving = True
        self.write(f"move enquiry to {status}",
                   lambda s: enquiries.change_status(s, actor, eid, status, expected_version=version,
                                                     reason=reason, booking_value=booking_value).id,
                   ("enquiry", "interaction", "property"), on_done=self._written, on_error=self._write_failed)

    def save_handling(self) -> None:
        if self.data is None:
            return
        loaded = self._handling_loaded or {}
        changes = {k: v for k, v in self._handling_values().items() if v != loaded.get(k)}
        if not changes:
            return
        version, actor, eid = self.handling_version, self.ctx.actor, self.enquiry_id
        self.saving = True
        self.write("save enquiry", lambda s: enquiries.update_enquiry(s, actor, eid, changes,
                                                                      expected_version=version).id,
                   ("enquiry",), on_done=self._written, on_error=self._write_failed)

    def _written(self, _result: Any) -> None:
        self.saving = False
        self.discard_and_reload()

    def _write_failed(self, exc: BaseException) -> None:
        self.saving = False
        if self.data is not None:
            self.stage_buttons[self.data.fields["status"]].setChecked(True)
        if isinstance(exc, ConflictError):
            self.banner.show_message(f"Not saved: {exc}", "warning", "Reload", self.discard_and_reload)
        elif isinstance(exc, ValidationError):
            self.banner.show_message("Not saved: " + "; ".join(f"{humanise(k)} {v}" for k, v in exc.errors.items()))
        else:
            self.banner.show_message(f"Not saved. {friendly_error(exc)}")

    def _open_link(self, kind: str) -> None:
        if self.data is None:
            return
        key = {"contact": "contactId", "property": "propertyId", "owner": "ownerId"}[kind]
        record_id = self.data.fields[key]
        if record_id:
            self.open_record.emit("property" if kind == "property" else "contact", record_id)

    def log(self, kind: str) -> None:
        """A call or note with the guest, linked to this enquiry (it appears in the history)."""
        from crm_desktop.ui.dialogs.note_dialog import NoteDialog

        if self.data is None:
            return
        f = self.data.fields
        self.dialog = NoteDialog(self.ctx, f["contactId"], kind, self, related_enquiry_id=self.enquiry_id,
                                 related_property_id=f["propertyId"])
        self.dialog.open()

    def edit(self) -> None:
        from crm_desktop.ui.dialogs.enquiry_dialog import EnquiryDialog

        self.dialog = EnquiryDialog(self.ctx, self.enquiry_id, self)
        self.dialog.open()


assert set(PIPELINE + OUTCOMES) == set(ENQUIRY_STATUSES)
