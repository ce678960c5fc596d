"""Create or edit an enquiry. Status is set here only for a new enquiry; afterwards the pipeline
(EnquiryDetail or the board) moves it, so the status-change history stays complete."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from crm_desktop.db.models import ENQUIRY_SOURCES, ENQUIRY_STATUSES, PRIORITIES, Contact, Property
from crm_desktop.services import enquiries
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.dialogs.form import FormDialog, combo, set_combo
from crm_desktop.ui.dialogs.pickers import (
    RecordPicker,
    contact_label,
    search_contacts,
    search_properties,
    staff_choices,
)

TEXT_FIELDS = (
    ("guestName", "Guest name", None), ("guestEmail", "Guest email", "name@example.co.uk"),
    ("guestPhone", "Guest phone", None), ("eventType", "Event type", "e.g. birthday"),
    ("eventDate", "Event date", "YYYY-MM-DD"), ("estimatedGuests", "Guests", "e.g. 16"),
    ("estimatedBudget", "Budget (£)", "e.g. 2500"), ("bookingValue", "Booking value (£)", None),
)


class EnquiryDialog(FormDialog):
    ENTITIES = ("enquiry", "property", "interaction")

    def __init__(self, ctx: UiContext, enquiry_id: str | None = None, parent: QWidget | None = None, *,
                 contact_id: str | None = None, property_id: str | None = None) -> None:
        super().__init__(ctx, "Edit enquiry" if enquiry_id else "New enquiry", parent)
        self.enquiry_id = enquiry_id
        self.preset = {"contactId": contact_id, "propertyId": property_id}
        self.contact_picker = RecordPicker(ctx, search_contacts, "Type part of a name or email…")
        self.property_picker = RecordPicker(ctx, search_properties, "Type part of a title or place…")
        self.add_field("contactId", "Guest contact", self.contact_picker, wide=True)
        self.add_field("propertyId", "Property", self.property_picker, wide=True)
        if not enquiry_id:
            self.add_field("status", "Status", combo(ENQUIRY_STATUSES))
        self.add_field("priority", "Priority", combo(PRIORITIES))
        self.add_field("source", "Source", combo(ENQUIRY_SOURCES))
        self.add_field("assignedToAdminId", "Assigned to", combo([], blank="Nobody"))
        for key, label, hint in TEXT_FIELDS:
            self.add_field(key, label, QLineEdit(), hint=hint)
        for key, label in (("message", "Message"), ("internalNotes", "Internal notes")):
            box = QPlainTextEdit()
            box.setFixedHeight(70)
            self.add_field(key, label, box, wide=True)
        set_combo(self.fields["priority"], "medium")
        set_combo(self.fields["source"], "phone")
        self.reload()

    def load(self, session) -> dict[str, Any]:  # noqa: ANN001
        labels: dict[str, tuple[str | None, str | None]] = {}
        values: dict[str, Any] = {"_staff": staff_choices(session)}
        if self.enquiry_id:
            e = enquiries.get_enquiry(session, self.ctx.actor, self.enquiry_id)
            for key in ("priority", "source", "assignedToAdminId", "message", "internalNotes",
                        *(k for k, _, _ in TEXT_FIELDS)):
                values[key] = getattr(e, key)
            values.update(contactId=e.contactId, propertyId=e.propertyId, version=e.version)
            ids = {"contactId": e.contactId, "propertyId": e.propertyId}
        else:
            ids = {k: v for k, v in self.preset.items() if v}
        if ids.get("contactId"):
            c = session.get(Contact, ids["contactId"])
            labels["contactId"] = (ids["contactId"], contact_label(c) if c else ids["contactId"])
        if ids.get("propertyId"):
            p = session.get(Property, ids["propertyId"])
            labels["propertyId"] = (ids["propertyId"], p.title if p else ids["propertyId"])
        values["_labels"] = labels
        return values

    def fill(self, values: dict[str, Any]) -> None:
        values = dict(values)
        staff = values.pop("_staff", None)
        labels = values.pop("_labels", {})
        if staff is not None:
            box = self.fields["assignedToAdminId"]
            current = values.get("assignedToAdminId", box.currentData())
            box.blockSignals(True)
            box.clear()
            box.addItem("Nobody", None)
            for staff_id, name in staff:
                box.addItem(name, staff_id)
            box.blockSignals(False)
            set_combo(box, current)
        for key, (record_id, label) in labels.items():
            picker = self.fields[key]
            assert isinstance(picker, RecordPicker)
            picker.set_record(record_id, label)
        if self.enquiry_id:  # a new enquiry keeps no "loaded" values: every filled field is sent
            super().fill(values)

    def save(self, session, data: dict[str, Any]) -> str:  # noqa: ANN001
        return enquiries.create_enquiry(session, self.ctx.actor, data).id

    def save_existing(self, session, data: dict[str, Any], version: int) -> str:  # noqa: ANN001
        return enquiries.update_enquiry(session, self.ctx.actor, self.enquiry_id, data,
                                        expected_version=version).id
