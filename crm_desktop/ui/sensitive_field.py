"""A bank-details or tax-id field for the contact detail view: masked for everyone, revealed on request.

Shows '•••• 1234'. Admins get a Reveal button: the value is decrypted in a background task (which writes
the 'revealed' audit entry), shown for REVEAL_SECONDS, then masked again. Others never get the button;
the service refuses them anyway. Use: `SensitiveField(ctx, contact_id, "taxId", masked_text)`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from crm_desktop.services import sensitive

REVEAL_SECONDS = 30


class SensitiveField(QWidget):
    revealed = Signal(str)  # the field name (never the value)
    failed = Signal(str)    # the message shown

    def __init__(self, ctx: Any, contact_id: str, field: str, masked_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.contact_id, self.field, self.masked_text = ctx, contact_id, field, masked_text
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.value = QLabel(masked_text or "—")
        self.value.setAccessibleName(f"{field} (hidden)")
        layout.addWidget(self.value, 1)
        self.button = QPushButton("Reveal")
        self.button.setToolTip("Show the value for 30 seconds (admins only; written to the audit log)")
        self.button.setVisible(bool(masked_text) and ctx.actor.can("sensitive"))
        self.button.clicked.connect(self.reveal)
        layout.addWidget(self.button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message, 2)
        self._timer = QTimer(self, singleShot=True, interval=REVEAL_SECONDS * 1000)
        self._timer.timeout.connect(self.hide_value)

    def reveal(self) -> None:
        self.button.setEnabled(False)
        db, actor, contact_id, field = self.ctx.db, self.ctx.actor, self.contact_id, self.field
        self.ctx.tasks.run(f"reveal the {field}",
                           lambda _t: db.write(lambda s: sensitive.reveal(s, actor, contact_id, field)),
                           on_success=self._show, on_error=self._failed)

    def _show(self, value: str) -> None:
        self.value.setText(value or "—")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button.setText("Hide")
        self.button.setEnabled(True)
        self.button.clicked.disconnect()
        self.button.clicked.connect(self.hide_value)
        self._timer.start()
        self.ctx.changes.notify("activity")
        self.revealed.emit(self.field)

    def hide_value(self) -> None:
        self._timer.stop()
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.value.setText(self.masked_text or "—")
        self.button.setText("Reveal")
        self.button.setEnabled(True)
        self.button.clicked.disconnect()
        self.button.clicked.connect(self.reveal)

    def _failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        self.message.setText(str(exc))
        self.message.show()
        self.failed.emit(str(exc))


class SensitiveBox(QWidget):
    """The contact detail's "Tax id" and "Bank details" rows; hidden when the contact has neither."""

    LABELS = {"taxId": "Tax id", "bankDetails": "Bank details"}

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: dict[str, SensitiveField] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.hide()

    def show_contact(self, contact_id: str, masked: dict[str, str]) -> None:
        """Rebuild the rows for a contact from its masks (plain data from the worker thread)."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.rows = {}
        for field, label in self.LABELS.items():
            if masked.get(field):
                self.rows[field] = SensitiveField(self.ctx, contact_id, field, masked[field])
                self.form.addRow(label, self.rows[field])
        self.setVisible(bool(self.rows))
