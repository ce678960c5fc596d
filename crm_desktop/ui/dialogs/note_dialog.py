"""Log a call, an email or a note against a contact (crm_interactions, as the signed-in staff member)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from crm_desktop.services import interactions
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.dialogs.form import FormDialog, combo, set_combo

KINDS = {"phone": "Log call", "email": "Log email", "note": "Add note", "message": "Log message"}
TYPE_CHOICES = [("phone", "Phone call"), ("email", "Email"), ("note", "Note"), ("message", "Message")]
DIRECTION_CHOICES = [("outbound", "Outbound (we contacted them)"), ("inbound", "Inbound (they contacted us)"),
                     ("internal", "Internal (staff only)")]


class NoteDialog(FormDialog):
    ENTITIES = ("interaction", "contact")

    def __init__(self, ctx: UiContext, contact_id: str, kind: str = "note", parent: QWidget | None = None,
                 related_enquiry_id: str | None = None, related_property_id: str | None = None) -> None:
        super().__init__(ctx, KINDS.get(kind, "Add note"), parent)
        self.contact_id = contact_id
        self.related_enquiry_id = related_enquiry_id
        self.related_property_id = related_property_id
        self.add_field("type", "Kind", combo(TYPE_CHOICES))
        self.add_field("direction", "Direction", combo(DIRECTION_CHOICES))
        self.add_field("subject", "Subject", QLineEdit(), wide=True,
                       hint={"phone": "e.g. Called back about dates"}.get(kind, ""))
        content = QPlainTextEdit()
        content.setPlaceholderText("What was said or done")
        content.setMinimumHeight(120)
        self.add_field("content", "Details", content, wide=True)
        if getattr(ctx, "offline", None) is not None:  # offline: only notes and calls, kept in the outbox
            self.fields["type"].clear()
            for value, label in TYPE_CHOICES:
                if value in ("phone", "note"):
                    self.fields["type"].addItem(label, value)
            self.setWindowTitle(self.windowTitle() + " (offline: sent when the connection returns)")
        set_combo(self.fields["type"], kind)
        set_combo(self.fields["direction"], "internal" if kind == "note" else "outbound")
        content.setFocus()

    def submit(self) -> None:
        if getattr(self.ctx, "offline", None) is not None:
            from crm_desktop.ui.offline import submit_offline_note

            submit_offline_note(self)
            return
        super().submit()

    def save(self, session, data: dict[str, Any]) -> str:  # noqa: ANN001
        return interactions.log_interaction(
            session, self.ctx.actor, self.contact_id, data.get("type") or "note", data.get("content"),
            subject=data.get("subject"), direction=data.get("direction") or "internal",
            related_enquiry_id=self.related_enquiry_id, related_property_id=self.related_property_id,
        ).id
