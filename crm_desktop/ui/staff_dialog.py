"""Staff accounts for admins: add, change role, deactivate or reactivate, reset a password.

Every change goes through crm_desktop.services.staff (which checks the admin right and audits it) in a
background task; the list reloads after each. Passwords typed here are cleared from the form at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.models import STAFF_ROLES
from crm_desktop.services import staff
from crm_desktop.services.passwords import MIN_PASSWORD
from crm_desktop.services.staff import StaffInfo

COLUMNS = ("Name", "Email", "Role", "State")


def _state(info: StaffInfo) -> str:
    parts = ["active" if info.active else "deactivated"]
    if info.locked_until:
        parts.append(f"locked until {info.locked_until[11:16]} UTC")
    if not info.has_password:
        parts.append("no password")
    return ", ".join(parts)


class StaffDialog(QDialog):
    changed = Signal()  # after any successful change (the list has reloaded)
    loaded = Signal(int)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff: list[StaffInfo] = []
        self.setWindowTitle("Staff accounts")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(720, 520)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        selected = QHBoxLayout()
        self.role = QComboBox()
        self.role.addItems(STAFF_ROLES)
        self.apply_role = QPushButton("Set role")
        self.apply_role.clicked.connect(self.set_role)
        self.toggle = QPushButton("Deactivate")
        self.toggle.clicked.connect(self.toggle_active)
        self.new_password = QLineEdit(placeholderText=f"new password ({MIN_PASSWORD}+ characters)")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset = QPushButton("Reset password")
        self.reset.clicked.connect(self.reset_password)
        for w in (QLabel("Selected:"), self.role, self.apply_role, self.toggle, self.new_password, self.reset):
            selected.addWidget(w)
        layout.addLayout(selected)

        add_box = QGroupBox("Add a member of staff")
        form = QFormLayout(add_box)
        self.add_name, self.add_email = QLineEdit(), QLineEdit()
        self.add_role = QComboBox()
        self.add_role.addItems(STAFF_ROLES)
        self.add_role.setCurrentText("staff")
        self.add_password = QLineEdit()
        self.add_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add)
        form.addRow("Name", self.add_name)
        form.addRow("Email", self.add_email)
        form.addRow("Role", self.add_role)
        form.addRow("Password", self.add_password)
        form.addRow("", self.add_button)
        layout.addWidget(add_box)

        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.reload()

    # ---- data ---------------------------------------------------------------------------------------

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def work(_t: Any) -> list[StaffInfo]:
            with db.read() as session:
                return staff.list_staff(session, actor)

        self.ctx.tasks.run("list the staff", work, on_success=self._show, on_error=self._error)

    def _show(self, rows: list[StaffInfo]) -> None:
        self.staff = rows
        self.table.setRowCount(len(rows))
        for r, info in enumerate(rows):
            for c, value in enumerate((info.name, info.email, info.role, _state(info))):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self._selection_changed()
        self.loaded.emit(len(rows))

    def selected(self) -> StaffInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.staff[rows[0].row()] if rows else None

    def select_email(self, email: str) -> None:
        for r, info in enumerate(self.staff):
            if info.email == email:
                self.table.selectRow(r)

    def _selection_changed(self) -> None:
        info = self.selected()
        for w in (self.role, self.apply_role, self.toggle, self.new_password, self.reset):
            w.setEnabled(info is not None)
        if info is not None:
            self.role.setCurrentText(info.role)
            self.toggle.setText("Deactivate" if info.active else "Reactivate")

    # ---- actions ------------------------------------------------------------------------------------

    def _run(self, what: str, change: Any, done_text: str) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def work(_t: Any) -> None:  # nothing returned: no ORM object crosses to the UI thread
            db.write(lambda s: change(s, actor))

        def done(_r: object) -> None:
            self.message.setText(done_text)
            self.ctx.changes.notify("staff", "activity")
            self.changed.emit()
            self.reload()

        self.ctx.tasks.run(what, work, on_success=done, on_error=self._error)

    def _error(self, exc: BaseException) -> None:
        self.message.setText(f"<span style='color:#b00020'>{exc}</span>")

    def add(self) -> None:
        name, email, role = self.add_name.text(), self.add_email.text(), self.add_role.currentText()
        password = self.add_password.text() or None
        self.add_password.clear()
        self._run("add a member of staff",
                  lambda s, a: staff.create_staff(s, a, email=email, name=name, role=role, password=password),
                  f"Added {email.strip().lower()} as {role}.")

    def set_role(self) -> None:
        if info := self.selected():
            role = self.role.currentText()
            self._run("change the role", lambda s, a: staff.change_role(s, a, info.id, role),
                      f"{info.email} is now {role}.")

    def toggle_active(self) -> None:
        if info := self.selected():
            self._run("change the account", lambda s, a: staff.set_active(s, a, info.id, not info.active),
                      f"{info.email} {'can no longer sign in' if info.active else 'can sign in again'}.")

    def reset_password(self) -> None:
        if info := self.selected():
            password = self.new_password.text()
            self.new_password.clear()
            self._run("reset the password", lambda s, a: staff.reset_password(s, a, info.id, password),
                      f"New password set for {info.email}; the account is unlocked.")
