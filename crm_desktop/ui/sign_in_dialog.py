"""Signing in at start: the sign-in dialog, the first-admin dialog, and `gate`, the hook the launcher calls.

`gate(window, proceed)` runs once the database is open. It decides in a background task:
- staff with passwords exist: a remembered sign-in (a random token in the keychain whose hash is in the
  database) is used if still valid, else the sign-in dialog is shown; the pages load only once someone
  has signed in, and closing the dialog closes the window;
- nobody can sign in yet: with `offer_first_admin` the window offers to create the first admin (and
  carries on without one if declined: there is nothing to protect yet); without it (tests, screenshots)
  the window carries on as before.
Dialogs are window-modal and opened with `open()`, so nothing blocks the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import secrets as keychain
from crm_desktop.services import staff
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import CrmError
from crm_desktop.services.passwords import MIN_PASSWORD

log = logging.getLogger(__name__)
REMEMBER_SECRET = "remember-me-token"


@dataclass(frozen=True)
class GateState:
    required: bool
    first_admin: bool
    remembered: Actor | None


def _remembered_token() -> str | None:
    try:
        return keychain.get_secret(REMEMBER_SECRET)
    except keychain.KeychainUnavailable as exc:
        log.info("no remembered sign-in: %s", exc)
        return None


def check_state(db: Any) -> GateState:
    """Runs on a worker thread: is sign-in needed, and does this computer remember someone?"""
    with db.read() as session:
        required = staff.sign_in_required(session)
        first = staff.needs_first_admin(session)
    remembered = None
    if required and (token := _remembered_token()):
        keychain.register_secret(token)  # blanked from any log line from now on
        remembered = db.write(lambda s: staff.authenticate_token(s, token))
        if remembered is None:  # expired or revoked (password reset, deactivated): forget it here too
            try:
                keychain.delete_secret(REMEMBER_SECRET)
            except keychain.KeychainUnavailable as exc:
                log.info("could not forget the stale remembered sign-in: %s", exc)
    return GateState(required, first, remembered)


def sign_in(db: Any, email: str, password: str, remember: bool) -> Actor | str:
    """Runs on a worker thread: the Actor, or the message to show under the form."""
    try:
        with db.write_session() as session:  # a failed attempt is committed by authenticate itself
            actor = staff.authenticate(session, email, password)
    except CrmError as exc:
        return str(exc)
    if remember:
        try:
            token = db.write(lambda s: staff.issue_remember_token(s, actor))
            keychain.set_secret(REMEMBER_SECRET, token)
        except keychain.KeychainUnavailable as exc:
            log.info("cannot remember the sign-in: %s", exc)
    return actor


class _Form(QDialog):
    """A small form with an error line and OK/Cancel; subclasses say what OK does."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def line(self, label: str, *, secret: bool = False) -> QLineEdit:
        edit = QLineEdit()
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, edit)
        return edit

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.ok.setEnabled(True)

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class SignInDialog(_Form):
    """Email, password and "remember me"; `actor` is set when accepted."""

    def __init__(self, parent: QWidget | None, ctx: Any) -> None:
        super().__init__(parent, "Sign in", "Sign in with your staff email and password.", "Sign in")
        self.ctx = ctx
        self.actor: Actor | None = None
        self.email = self.line("Email")
        self.password = self.line("Password", secret=True)
        self.remember = QCheckBox("Remember me on this computer (kept in the system keychain)")
        self.form.addRow("", self.remember)

    def submit(self) -> None:
        self.ok.setEnabled(False)
        email, password, remember = self.email.text(), self.password.text(), self.remember.isChecked()
        self.password.clear()  # the clear text lives no longer than the attempt
        db = self.ctx.db
        self.ctx.tasks.run("sign in", lambda _t: sign_in(db, email, password, remember),
                           on_success=self._done, on_error=lambda exc: self.show_error(str(exc)))

    def _done(self, result: Actor | str) -> None:
        if isinstance(result, str):
            self.show_error(result)
            self.password.setFocus()
            return
        self.actor = result
        self.accept()


class FirstAdminDialog(_Form):
    """First run: create the first admin account (or carry on without accounts)."""

    def __init__(self, parent: QWidget | None, ctx: Any) -> None:
        super().__init__(parent, "Create the first admin",
                         "Nobody can sign in to this CRM yet. Create the first admin account now; the admin "
                         "then adds the other staff. (Cancel carries on without accounts.)", "Create admin")
        self.ctx = ctx
        self.actor: Actor | None = None
        self.name = self.line("Your name")
        self.email = self.line("Email")
        self.password = self.line(f"Password (at least {MIN_PASSWORD} characters)", secret=True)
        self.again = self.line("Password again", secret=True)

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            self.show_error("The two passwords differ.")
            return
        self.ok.setEnabled(False)
        name, email, password = self.name.text(), self.email.text(), self.password.text()
        db = self.ctx.db

        def work(_t: Any) -> Actor | str:
            try:
                return staff.to_actor(db.write(lambda s: staff.create_first_admin(s, email, name, password)))
            except CrmError as exc:
                return str(exc)

        self.ctx.tasks.run("create the first admin", work, on_success=self._done,
                           on_error=lambda exc: self.show_error(str(exc)))

    def _done(self, result: Actor | str) -> None:
        if isinstance(result, str):
            self.show_error(result)
            return
        self.actor = result
        self.accept()


def gate(window: Any, proceed: Callable[[], None], *, offer_first_admin: bool = False) -> None:
    """Call `proceed()` once the right person is signed in (see the module docstring)."""
    ctx = window.ctx

    def signed_in(actor: Actor) -> None:
        ctx.actor = actor
        window.setWindowTitle(f"{window.windowTitle().split(' — ')[0]} — {actor.name} ({actor.role})")
        add_account_actions(window)
        proceed()

    def decided(state: GateState) -> None:
        if state.remembered is not None:
            signed_in(state.remembered)
        elif state.required:
            dialog = SignInDialog(window, ctx)
            dialog.accepted.connect(lambda: signed_in(dialog.actor))  # type: ignore[arg-type]
            dialog.rejected.connect(window.close)
            window.sign_in_dialog = dialog
            dialog.open()
        elif state.first_admin and offer_first_admin:
            dialog = FirstAdminDialog(window, ctx)
            dialog.accepted.connect(lambda: signed_in(dialog.actor))  # type: ignore[arg-type]
            dialog.rejected.connect(proceed)
            window.sign_in_dialog = dialog
            dialog.open()
        else:
            proceed()

    ctx.tasks.run("check who may sign in", lambda _t: check_state(ctx.db), on_success=decided)


def sign_out(window: Any) -> None:
    """Forget the remembered sign-in on this computer and close the window (the next start asks again)."""
    token = _remembered_token()
    if token:
        try:
            window.ctx.db.write(lambda s: staff.forget_token(s, token))
            keychain.delete_secret(REMEMBER_SECRET)
        except (CrmError, keychain.KeychainUnavailable) as exc:
            log.warning("could not forget the remembered sign-in: %s", exc)
    window.close()


def add_account_actions(window: Any) -> None:
    """'Staff' (admins) and 'Sign out' on the window's toolbar, once someone has signed in."""
    bar = window.findChild(QToolBar, "mainToolbar")
    if bar is None or window.findChild(QAction, "signOut") is not None:
        return
    if window.ctx.actor.can("manage_staff"):
        manage = QAction("Staff", window, objectName="manageStaff")
        manage.setToolTip("Add staff, change roles, reset passwords")
        manage.triggered.connect(lambda: open_staff_dialog(window))
        bar.addAction(manage)
    leave = QAction("Sign out", window, objectName="signOut")
    leave.setToolTip("Forget this computer's remembered sign-in and close the window")
    leave.triggered.connect(lambda: sign_out(window))
    bar.addAction(leave)


def open_staff_dialog(window: Any) -> Any:
    from crm_desktop.ui.staff_dialog import StaffDialog

    window.staff_dialog = StaffDialog(window.ctx, window)
    window.staff_dialog.open()
    return window.staff_dialog
