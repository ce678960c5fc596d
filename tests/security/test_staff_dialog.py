"""Admins manage staff from the window; staff and viewers get no such action and the service refuses them."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from sqlalchemy import select

from crm_desktop.db.models import Staff
from crm_desktop.services import staff
from crm_desktop.ui.sign_in_dialog import SignInDialog
from crm_desktop.ui.staff_dialog import StaffDialog
from tests.security.test_sign_in_window import PW, close, open_window, wait_dialog
from tests.ui.conftest import make_ui

pytestmark = pytest.mark.qt


def wait(qtbot, dialog, action):
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        action()


def test_admin_adds_changes_resets_and_deactivates(db, qtbot, admin):
    boss = db.write(lambda s: staff.create_first_admin(s, "boss@example.com", "Bea Boss", PW))
    ui = make_ui(db, staff.to_actor(boss))
    dialog = StaffDialog(ui)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.staff) == 1, timeout=10_000)
    dialog.add_name.setText("Sam Staff")
    dialog.add_email.setText(" Sam@Example.com ")
    dialog.add_password.setText("sam's passphrase")
    wait(qtbot, dialog, dialog.add)
    assert dialog.add_password.text() == "" and "Added sam@example.com" in dialog.message.text()
    assert [i.email for i in dialog.staff] == ["boss@example.com", "sam@example.com"]
    dialog.select_email("sam@example.com")
    dialog.role.setCurrentText("viewer")
    wait(qtbot, dialog, dialog.set_role)
    dialog.select_email("sam@example.com")
    dialog.new_password.setText("another passphrase")
    wait(qtbot, dialog, dialog.reset_password)
    dialog.select_email("sam@example.com")
    wait(qtbot, dialog, dialog.toggle_active)
    with db.read() as s:
        sam = s.scalar(select(Staff).where(Staff.email == "sam@example.com"))
        assert (sam.role, sam.active) == ("viewer", False)
    with pytest.raises(staff.SignInFailed):
        with db.session() as s:
            staff.authenticate(s, "sam@example.com", "another passphrase")
    dialog.select_email("boss@example.com")  # the last admin is protected, and the dialog says so
    dialog.role.setCurrentText("staff")
    dialog.set_role()
    qtbot.waitUntil(lambda: "last active admin" in dialog.message.text(), timeout=10_000)
    ui.tasks.wait(5_000)


def test_a_staff_member_cannot_make_changes_through_the_dialog(db, qtbot, staff_actor):
    ui = make_ui(db, staff_actor)
    dialog = StaffDialog(ui)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.staff) == 0, timeout=10_000)
    dialog.add_name.setText("Eve")
    dialog.add_email.setText("eve@example.com")
    dialog.add()
    qtbot.waitUntil(lambda: "not allowed to manage staff" in dialog.message.text(), timeout=10_000)
    ui.tasks.wait(5_000)


def test_toolbar_actions_follow_the_role(db, qtbot, tmp_path, admin):
    db.write(lambda s: staff.create_first_admin(s, "boss@example.com", "Bea Boss", PW))
    db.write(lambda s: staff.create_staff(s, admin, email="sam@example.com", name="Sam", role="staff", password=PW))
    for email, manages in (("sam@example.com", False), ("boss@example.com", True)):
        window, ctx = open_window(db, qtbot, tmp_path / email)
        dialog = wait_dialog(qtbot, window, SignInDialog)
        dialog.email.setText(email)
        dialog.password.setText(PW)
        with qtbot.waitSignal(window.pages["contacts"].model.loaded, timeout=20_000):
            dialog.submit()
        assert window.findChild(QAction, "signOut") is not None
        assert (window.findChild(QAction, "manageStaff") is not None) is manages
        close(ctx)
