"""A bank-details or tax-id field for the contact detail view: masked for everyone, revealed on request.

Shows '•••• 1234'. Admins get a Reveal button: the value is decrypted in a background task (which writes
the 'revealed' audit entry), shown for REVEAL_SECONDS, then masked again. Others never get the button;
the service refuses them anyway. Use: `SensitiveField(ctx, contact_id, "taxId", masked_text)`.

`SensitiveBox` is what the contact detail embeds: the two fields, "Set…" for admins, and the person's
data request actions (`PrivacyActions`: export as JSON for staff, erase for admins).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from crm_desktop.commands.privacy import write_private
from crm_desktop.services import privacy, sensitive

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


LABELS = {"taxId": "Tax id", "bankDetails": "Bank details"}


class SensitiveEditDialog(QDialog):
    """Admins set or clear a contact's tax id and bank details (blank = leave as is unless ticked)."""

    saved = Signal()

    def __init__(self, ctx: Any, contact_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.contact_id = ctx, contact_id
        self.setWindowTitle("Tax id and bank details")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self.clear: dict[str, QCheckBox] = {}
        for field, label in LABELS.items():
            self.edits[field] = QLineEdit()
            self.edits[field].setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
            self.edits[field].setPlaceholderText("unchanged")
            self.clear[field] = QCheckBox("remove")
            row = QHBoxLayout()
            row.addWidget(self.edits[field], 1)
            row.addWidget(self.clear[field])
            form.addRow(label, row)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for field in LABELS:
            if self.clear[field].isChecked():
                out[field] = None
            elif self.edits[field].text().strip():
                out[field] = self.edits[field].text()
        return out

    def submit(self) -> None:
        values = self.values()
        if not values:
            self.reject()
            return
        db, actor, contact_id = self.ctx.db, self.ctx.actor, self.contact_id
        kwargs = {"tax_id" if f == "taxId" else "bank_details": v for f, v in values.items()}
        for edit in self.edits.values():
            edit.clear()  # the clear text is not kept in the form

        def work(_task: Any) -> None:  # returns nothing: no ORM object crosses back to the UI thread
            db.write(lambda s: sensitive.set_sensitive(s, actor, contact_id, **kwargs))

        self.ctx.tasks.run("save the tax id and bank details", work, on_success=self._done, on_error=self._failed)

    def _done(self, _result: object) -> None:
        self.ctx.changes.notify("contact", "activity")
        self.saved.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(str(exc))
        self.error.show()


class SensitiveBox(QWidget):
    """The contact detail's "Tax id" and "Bank details" rows (hidden when empty, unless an admin may set
    them: admins get a "Set…" button)."""

    LABELS = LABELS

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.contact_id: str | None = None
        self.rows: dict[str, SensitiveField] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.edit_button: QPushButton | None = None
        self.dialog: SensitiveEditDialog | None = None
        self.hide()

    def show_contact(self, contact_id: str, masked: dict[str, str]) -> None:
        """Rebuild the rows for a contact from its masks (plain data from the worker thread)."""
        self.contact_id = contact_id
        while self.form.rowCount():
            self.form.removeRow(0)
        self.rows = {}
        for field, label in self.LABELS.items():
            if masked.get(field):
                self.rows[field] = SensitiveField(self.ctx, contact_id, field, masked[field])
                self.form.addRow(label, self.rows[field])
        admin = self.ctx.actor.can("sensitive") and self.ctx.actor.can("write")
        if admin:
            self.edit_button = QPushButton("Set tax id / bank details…")
            self.edit_button.clicked.connect(self.edit)
            self.form.addRow("", self.edit_button)
        self.privacy = PrivacyActions(self.ctx, contact_id)
        if self.privacy.can_export:
            self.form.addRow("Personal data", self.privacy)
        self.setVisible(bool(self.rows) or admin or self.privacy.can_export)

    def edit(self) -> None:
        if self.contact_id:
            self.dialog = SensitiveEditDialog(self.ctx, self.contact_id, self)
            self.dialog.open()


class PrivacyActions(QWidget):
    """A person's data request from the detail view: export it as JSON (staff), or erase it (admins)."""

    exported = Signal(str)  # the file written
    erased = Signal()
    failed = Signal(str)

    def __init__(self, ctx: Any, contact_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.contact_id = ctx, contact_id
        self.can_export = ctx.actor.can("export")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.export_button = QPushButton("Export as JSON…")
        self.export_button.setToolTip("Everything the CRM holds about this person (audited)")
        self.export_button.clicked.connect(self._ask_export)
        self.erase_button = QPushButton("Erase…")
        self.erase_button.setToolTip("Remove this person's personal data; figures are kept (admins)")
        self.erase_button.clicked.connect(self._ask_erase)
        self.erase_button.setVisible(ctx.actor.can("sensitive") and ctx.actor.can("write"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        for w in (self.export_button, self.erase_button):
            row.addWidget(w)
        row.addWidget(self.message, 1)

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export personal data", f"personal-data-{self.contact_id}.json",
                                              "JSON files (*.json)")
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        db, actor, contact_id = self.ctx.db, self.ctx.actor, self.contact_id

        def work(_t: Any) -> str:
            text = db.write(lambda s: privacy.export_person_json(s, actor, contact_id))
            write_private(Path(path), text)
            return path

        def done(written: str) -> None:
            self.message.setText(f"Saved to {Path(written).name}")
            self.ctx.changes.notify("activity")
            self.exported.emit(written)

        self.ctx.tasks.run("export personal data", work, on_success=done, on_error=self._failed)

    def _ask_erase(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Erase personal data",
                          "Erase this person's personal data from the CRM? Names, contact details, "
                          "messages and notes are removed for good; counts and revenue are kept.",
                          QMessageBox.StandardButton.Cancel, self)
        erase = box.addButton("Erase", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: box.clickedButton() is erase and self.erase_confirmed())
        box.open()

    def erase_confirmed(self) -> None:
        db, actor, contact_id = self.ctx.db, self.ctx.actor, self.contact_id

        def work(_t: Any) -> None:
            db.write(lambda s: privacy.erase_person(s, actor, contact_id))

        def done(_r: object) -> None:
            self.message.setText("Erased.")
            self.ctx.changes.notify("contact", "enquiry", "interaction", "membership", "activity")
            self.erased.emit()

        self.ctx.tasks.run("erase personal data", work, on_success=done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(str(exc))
        self.failed.emit(str(exc))
