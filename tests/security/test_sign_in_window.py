"""Signing in through the window: nothing loads before sign-in, wrong passwords are refused, remember-me
skips the dialog next time, and a first run offers to create the first admin."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from crm_desktop.config import Settings
from crm_desktop.services import staff
from crm_desktop.ui.sign_in_dialog import REMEMBER_SECRET, FirstAdminDialog, SignInDialog

pytestmark = pytest.mark.qt
PW = "window passphrase 9"


def open_window(db, qtbot, tmp_path, *, offer_first_admin=False):
    from crm_desktop.ui.launch import build_window, start

    settings = Settings(database_url=db.url, platform_database_url=db.url, sync_interval_minutes=0)
    window, ctx = build_window(settings, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    start(window, offer_first_admin=offer_first_admin)
    return window, ctx


def close(ctx):
    ctx.tasks.wait(10_000)
    ctx.app.close()


def wait_dialog(qtbot, window, kind):
    qtbot.waitUntil(lambda: isinstance(getattr(window, "sign_in_dialog", None), kind)
                    and window.sign_in_dialog.isVisible(), timeout=20_000)
    return window.sign_in_dialog


def test_sign_in_gates_the_pages_and_remember_me_skips_it_next_time(db, qtbot, tmp_path, admin, memory_keyring):
    db.write(lambda s: staff.create_first_admin(s, "boss@example.com", "Bea Boss", PW))
    window, ctx = open_window(db, qtbot, tmp_path)
    dialog = wait_dialog(qtbot, window, SignInDialog)
    contacts = window.pages["contacts"]
    assert contacts.model.total == 0 and ctx.actor.name != "Bea Boss"
    dialog.email.setText("boss@example.com")
    dialog.password.setText("not the password")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "Wrong email or password" in dialog.error.text() and dialog.isVisible()
    assert dialog.password.text() == ""  # the typed password is not kept in the form
    dialog.password.setText(PW)
    dialog.remember.setChecked(True)
    with qtbot.waitSignal(contacts.model.loaded, timeout=20_000):
        dialog.submit()
    assert (ctx.actor.name, ctx.actor.role) == ("Bea Boss", "admin")
    assert "Bea Boss" in window.windowTitle()
    token = memory_keyring.get_password("crm-desktop", REMEMBER_SECRET)
    assert token and PW not in token
    close(ctx)

    window2, ctx2 = open_window(db, qtbot, tmp_path / "again")
    with qtbot.waitSignal(window2.pages["contacts"].model.loaded, timeout=20_000):
        pass
    assert ctx2.actor.name == "Bea Boss" and not hasattr(window2, "sign_in_dialog")
    close(ctx2)


def test_closing_the_sign_in_dialog_closes_the_window(db, qtbot, tmp_path):
    db.write(lambda s: staff.create_first_admin(s, "boss@example.com", "Bea Boss", PW))
    window, ctx = open_window(db, qtbot, tmp_path)
    dialog = wait_dialog(qtbot, window, SignInDialog)
    dialog.reject()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert window.pages["contacts"].model.total == 0
    close(ctx)


def test_first_run_offers_to_create_the_first_admin(db, qtbot, tmp_path):
    window, ctx = open_window(db, qtbot, tmp_path, offer_first_admin=True)
    dialog = wait_dialog(qtbot, window, FirstAdminDialog)
    dialog.name.setText("Fay First")
    dialog.email.setText("fay@example.com")
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "too short" in dialog.error.text()
    dialog.password.setText(PW)
    dialog.again.setText(PW)
    with qtbot.waitSignal(window.pages["contacts"].model.loaded, timeout=20_000):
        dialog.submit()
    assert (ctx.actor.name, ctx.actor.role) == ("Fay First", "admin")
    with db.read() as s:
        assert staff.sign_in_required(s)
    close(ctx)


def test_a_revoked_remembered_sign_in_asks_again_and_is_forgotten(db, qtbot, tmp_path, admin, memory_keyring):
    from crm_desktop import secrets as keychain

    boss = db.write(lambda s: staff.create_first_admin(s, "boss@example.com", "Bea Boss", PW))
    token = db.write(lambda s: staff.issue_remember_token(s, staff.to_actor(boss)))
    keychain.set_secret(REMEMBER_SECRET, token)
    db.write(lambda s: staff.reset_password(s, admin, boss.id, "a new passphrase"))  # revokes every device
    window, ctx = open_window(db, qtbot, tmp_path)
    wait_dialog(qtbot, window, SignInDialog)
    assert memory_keyring.get_password("crm-desktop", REMEMBER_SECRET) is None
    close(ctx)
