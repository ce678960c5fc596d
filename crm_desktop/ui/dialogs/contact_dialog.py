"""Create or edit a contact (owner or guest)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from crm_desktop.db.models import CONTACT_STATUSES, CONTACT_TYPES
from crm_desktop.services import contacts
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.dialogs.form import FormDialog, combo

TEXT_FIELDS = (
    ("firstName", "First name"), ("lastName", "Last name"), ("email", "Email"), ("phone", "Phone"),
    ("businessName", "Business name"), ("companyName", "Company"), ("eventType", "Event type"),
    ("address", "Address"), ("city", "Town / city"), ("postcode", "Postcode"), ("country", "Country"),
)


class ContactDialog(FormDialog):
    ENTITIES = ("contact",)

    def __init__(self, ctx: UiContext, contact_id: str | None = None, parent: QWidget | None = None,
                 initial: dict[str, Any] | None = None) -> None:
        super().__init__(ctx, "Edit contact" if contact_id else "New contact", parent)
        self.contact_id = contact_id
        self.add_field("type", "Type", combo(CONTACT_TYPES))
        self.add_field("status", "Status", combo(CONTACT_STATUSES))
        for key, label in TEXT_FIELDS:
            hint = {"email": "name@example.co.uk", "phone": "07700 900123", "postcode": "SW1A 1AA"}.get(key)
            self.add_field(key, label, QLineEdit(), hint=hint)
        notes = QPlainTextEdit()
        notes.setFixedHeight(80)
        self.add_field("notes", "Notes", notes, wide=True)
        if initial:
            self.fill(initial)
            self.loaded_values = {}
        if contact_id:
            self.reload()
        self.fields["firstName"].setFocus()

    def load(self, session) -> dict[str, Any]:  # noqa: ANN001
        c = contacts.get_contact(session, self.ctx.actor, self.contact_id)
        values = {key: getattr(c, key) for key, _ in TEXT_FIELDS}
        values.update(type=c.type, status=c.status, notes=c.notes, version=c.version)
        return values

    def save(self, session, data: dict[str, Any]) -> str:  # noqa: ANN001
        return contacts.create_contact(session, self.ctx.actor, data).id

    def save_existing(self, session, data: dict[str, Any], version: int) -> str:  # noqa: ANN001
        return contacts.update_contact(session, self.ctx.actor, self.contact_id, data, expected_version=version).id
