"""The main window: navigation, shortcuts, global search, Sync now, remembered state, settings,
launch on a fresh database, and the 10,000-reset check that caught PySide6 6.12.0."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog
from sqlalchemy import create_engine, func, select

from crm_desktop import secrets
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact, Enquiry
from crm_desktop.services import table_queries as tq
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.tables.paged_model import PagedTableModel
from crm_desktop.ui.tables.specs import CONTACTS
from crm_desktop.ui.tables.table_page import TablePage
from tests.ui.conftest import make_ui, seed_small, wait_loaded

pytestmark = pytest.mark.qt


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path):  # noqa: ANN201
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def window_ui(sqlite_db, qtbot):  # noqa: ANN001, ANN201
    context = make_ui(sqlite_db)
    yield context
    context.tasks.cancel_all()
    context.tasks.wait(15_000)


def _window(ui, qs: QSettings, qtbot) -> MainWindow:  # noqa: ANN001
    window = MainWindow(ui, qs)
    qtbot.addWidget(window)
    window.show()
    return window


def _page(window: MainWindow, key: str) -> TablePage:
    page = window.pages[key]
    assert isinstance(page, TablePage)
    return page


def test_navigation_by_sidebar_and_shortcuts(window_ui, temp_qsettings, qtbot):
    window = _window(window_ui, temp_qsettings, qtbot)
    titles = [window.nav.item(n).text() for n in range(window.nav.count())]
    required = ["Dashboard", "Contacts", "Properties", "Enquiries", "Memberships", "Activity"]
    assert [t for t in titles if t in required] == required  # other pages may sit between them
    keys = [window.nav.item(n).data(Qt.ItemDataRole.UserRole) for n in range(window.nav.count())]
    for n, key in enumerate(keys[:9]):
        shortcut = window.shortcuts[f"Ctrl+{n + 1}"]
        assert shortcut.key() == QKeySequence(f"Ctrl+{n + 1}")
        shortcut.activated.emit()
        assert window.current_page_key() == key
        current = window.stack.currentWidget()
        assert current is window.pages[key] or current.widget() is window.pages[key]


def test_global_search_finds_contacts(window_ui, sqlite_db, temp_qsettings, qtbot):
    seed_small(sqlite_db)
    window = _window(window_ui, temp_qsettings, qtbot)
    contacts = _page(window, "contacts")
    wait_loaded(qtbot, contacts.model, window.load_pages)
    window.show_page("dashboard")
    window.activateWindow()
    assert window.shortcuts["Ctrl+K"].key() == QKeySequence("Ctrl+K")
    window.shortcuts["Ctrl+K"].activated.emit()
    window.shortcuts["Ctrl+F"].activated.emit()
    assert window.focusWidget() is window.global_search
    with qtbot.waitSignal(contacts.model.loaded, timeout=10_000):
        qtbot.keyClicks(window.global_search, "delev")  # as you type (debounced)
    assert window.current_page_key() == "contacts"
    assert contacts.model.total == 1 and contacts.model.id_at(0) == "c-cara"
    assert contacts.search_box.text() == "delev"
    window.global_search.setText("marl")
    wait_loaded(qtbot, contacts.model, window.run_global_search)  # Enter: straight to the table
    assert contacts.model.id_at(0) == "c-bob" and contacts.selected_rows() == [0]


def test_window_state_is_restored(window_ui, temp_qsettings, qtbot):
    first = _window(window_ui, temp_qsettings, qtbot)
    first.resize(780, 560)  # inside the offscreen screen (800 wide)
    first.show_page("enquiries")
    _page(first, "enquiries").view.horizontalHeader().resizeSection(1, 333)
    first.splitter.setSizes([230, 550])
    sidebar, size = first.splitter.sizes()[0], first.size()
    assert size != MainWindow(first.ctx).size()  # differs from a new window's default
    first.close()  # saves

    second = _window(window_ui, QSettings(temp_qsettings.fileName(), QSettings.Format.IniFormat), qtbot)
    assert second.current_page_key() == "enquiries"
    assert _page(second, "enquiries").view.horizontalHeader().sectionSize(1) == 333
    assert second.size() == size
    assert second.splitter.sizes()[0] == sidebar


def test_sort_order_is_remembered(window_ui, sqlite_db, temp_qsettings, qtbot):
    seed_small(sqlite_db)
    first = _window(window_ui, temp_qsettings, qtbot)
    page = _page(first, "contacts")
    email = next(n for n, c in enumerate(page.spec.columns) if c.key == "email")
    wait_loaded(qtbot, page.model, lambda: page.model.sort(email, Qt.SortOrder.DescendingOrder))
    first.close()
    second = _window(window_ui, QSettings(temp_qsettings.fileName(), QSettings.Format.IniFormat), qtbot)
    model = _page(second, "contacts").model
    wait_loaded(qtbot, model)
    assert (model.query.sort, model.query.descending) == ("email", True)
    assert model.data(model.index(0, email)) == "dan@example.com"


def test_ten_thousand_model_resets_do_not_crash(window_ui, sqlite_db, qtbot):
    """PySide6 6.12.0 on Python 3.11 aborted after a few thousand resets; we pin 6.11.3."""
    seed_small(sqlite_db)
    model = PagedTableModel(window_ui, "contacts", CONTACTS.columns)
    with sqlite_db.read() as s:
        keys = tq.fetch_keys(s, model.table, tq.TableQuery())
        first = tq.fetch_rows(s, model.table, keys[0:100])
    empty = tq.KeyList(strings=[])
    for n in range(10_000):
        if n % 2:
            model.install(len(keys), first, keys)
        else:
            model.install(0, [], empty)
    assert model.rowCount() == 4
    assert model.data(model.index(0, 0)) == "Dan Brown"


def _platform(tmp_path: Path, owners: int) -> str:
    from crm_desktop.demo.generator import generate_platform

    url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    engine = create_engine(url)
    generate_platform(engine, owners=owners, seed=3)
    engine.dispose()
    return url


def test_sync_now_adds_rows_while_the_window_stays_responsive(sqlite_db, temp_qsettings, qtbot, tmp_path):
    pytest.importorskip("crm_desktop.sync.runner")
    ui = make_ui(sqlite_db, platform_url=_platform(tmp_path, owners=25))
    window = _window(ui, temp_qsettings, qtbot)
    contacts, enquiries = _page(window, "contacts"), _page(window, "enquiries")
    wait_loaded(qtbot, contacts.model, window.load_pages)
    assert contacts.model.total == 0

    ticks: list[float] = []
    timer = QTimer(window, interval=10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    with qtbot.waitSignal(window.sync.finished, timeout=60_000) as finished:
        window.sync_action.trigger()
        assert window.sync.running and not window.sync_action.isEnabled()
        assert window.sync.sync_now() is False  # a second click while running does nothing
        assert window.status.cancel.isVisible()
    outcome = finished.args[0]
    assert outcome.ok, outcome.text
    # the table on screen reloads by itself (ChangeBus) and shows the new rows; a hidden one when shown
    window.show_page("contacts")
    qtbot.waitUntil(lambda: contacts.model.total > 0, timeout=20_000)
    window.show_page("enquiries")
    qtbot.waitUntil(lambda: enquiries.model.total > 0, timeout=20_000)
    timer.stop()
    with sqlite_db.read() as s:
        assert contacts.model.total == s.scalar(select(func.count()).select_from(Contact))
        assert enquiries.model.total == s.scalar(select(func.count()).select_from(Enquiry))
    assert "Last sync" in window.status.last_sync.text() and "new" in window.status.last_sync.text()
    assert not window.status.cancel.isVisible() and window.sync_action.isEnabled()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    # generous for a loaded 2-core CI machine; a sync on the UI thread would block for the whole pass
    assert len(ticks) > 5 and max(gaps) < 1.5, f"UI thread blocked for {max(gaps):.2f}s"
    ui.tasks.wait(15_000)


def test_sync_failure_is_reported_in_the_status_bar(window_ui, temp_qsettings, qtbot):
    def broken(_app, _progress, _cancel):
        raise OSError(28, "No space left on device")

    from crm_desktop.ui.sync_controller import SyncController

    window = MainWindow(window_ui, temp_qsettings, sync=SyncController(window_ui, broken))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sync.finished, timeout=10_000) as finished:
        window.sync.sync_now()
    assert not finished.args[0].ok
    assert "Sync failed" in window.status.last_sync.text()
    assert "No space left" in window.status.last_sync.text()
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in window.findChildren(QMessageBox) if b.windowTitle() == "Sync failed"]
    assert len(boxes) == 1 and "disk is not full" in boxes[0].informativeText()  # what to do
    boxes[0].close()
    qtbot.wait(10)
    with qtbot.waitSignal(window.sync.finished, timeout=10_000):
        window.sync.timer.timeout.emit()  # the automatic sync: its failure stays in the status bar
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_settings_store_the_stripe_key_in_the_keychain_masked(window_ui, temp_qsettings, qtbot, memory_keyring):
    from crm_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window_ui.app.settings, temp_qsettings)
    qtbot.addWidget(dialog)
    dialog.stripe_key.setText("sk_test_1234567890abcdefWXYZ")
    dialog.interval.setValue(30)
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert secrets.get_secret(secrets.STRIPE_KEY) == "sk_test_1234567890abcdefWXYZ"
    assert int(temp_qsettings.value("sync/interval_minutes")) == 30
    again = SettingsDialog(window_ui.app.settings, temp_qsettings)
    qtbot.addWidget(again)
    assert again.stripe_current.text() == "sk_…WXYZ"
    assert "1234567890" not in again.stripe_current.text() and again.stripe_key.text() == ""


def test_settings_keep_database_passwords_out_of_the_settings_file(window_ui, temp_qsettings, qtbot):
    from crm_desktop.ui import preferences
    from crm_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window_ui.app.settings, temp_qsettings)
    qtbot.addWidget(dialog)
    dialog.crm_url.setText("postgresql://crm@db.example/crm")
    dialog.crm_password.setText("s3cret!")
    dialog.save()
    temp_qsettings.sync()
    assert "s3cret" not in Path(temp_qsettings.fileName()).read_text()
    merged = preferences.apply_saved(Settings.from_env({}), temp_qsettings, env={})
    assert merged.database_url.endswith("crm:s3cret!@db.example/crm") or "s3cret" in merged.database_url


def test_settings_explain_a_missing_keychain(window_ui, temp_qsettings, qtbot):
    from crm_desktop.ui.settings_dialog import SettingsDialog

    keyring.set_keyring(FailKeyring())
    dialog = SettingsDialog(window_ui.app.settings, temp_qsettings)
    qtbot.addWidget(dialog)
    assert dialog.keychain_message.isVisibleTo(dialog)
    assert "no usable keychain" in dialog.keychain_message.text().lower() or "no secure keychain" in dialog.keychain_message.text().lower()
    assert not dialog.stripe_key.isEnabled()


def test_launch_path_migrates_a_new_database_in_the_background(tmp_path, temp_qsettings, qtbot):
    from crm_desktop.ui.launch import build_window, start

    url = f"sqlite:///{tmp_path / 'fresh' / 'crm.sqlite3'}"
    window, ctx = build_window(Settings(database_url=url, platform_database_url=url, sync_interval_minutes=0),
                               temp_qsettings)
    qtbot.addWidget(window)
    window.show()  # shown before the database is even opened
    contacts = _page(window, "contacts")
    with qtbot.waitSignal(contacts.model.loaded, timeout=30_000) as loaded:
        start(window)
    assert loaded.args == [0]
    assert window.status.online.text() == "● Online"
    assert "fresh/crm.sqlite3" in window.status.database.text()
    ctx.tasks.wait(10_000)
    ctx.app.close()


def test_unreachable_database_is_explained(tmp_path, temp_qsettings, qtbot):
    from crm_desktop.ui.launch import build_window, start

    url = "postgresql://nobody:hunter2@127.0.0.1:1/crm"
    window, ctx = build_window(Settings(database_url=url, platform_database_url=url, sync_interval_minutes=0),
                               temp_qsettings)
    qtbot.addWidget(window)
    assert "hunter2" not in window.status.database.text() and "***" in window.status.database.text()
    start(window)
    qtbot.waitUntil(lambda: window.status.online.text() == "● Offline", timeout=30_000)
    ctx.tasks.wait(10_000)
    ctx.app.close()


def test_cancel_stops_a_running_sync_and_says_so(window_ui, temp_qsettings, qtbot):
    import threading

    from crm_desktop.sync.progress import SyncSummary
    from crm_desktop.ui.sync_controller import SyncController

    started = threading.Event()

    def slow(_app, progress, cancel):
        summary = SyncSummary()
        started.set()
        for n in range(500):  # batches: the cancel token is checked between them
            if cancel.cancelled:
                summary.cancelled = True
                break
            summary.table("platform user").created += 1
            progress("platform user", n, 500)
            time.sleep(0.01)
        return summary

    window = MainWindow(window_ui, temp_qsettings, sync=SyncController(window_ui, slow))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sync.finished, timeout=20_000) as finished:
        window.sync.sync_now()
        qtbot.waitUntil(started.is_set)
        qtbot.waitUntil(lambda: "platform user" in window.status.last_sync.text())
        qtbot.mouseClick(window.status.cancel, Qt.MouseButton.LeftButton)
    outcome = finished.args[0]
    assert outcome.ok and outcome.summary.cancelled
    assert outcome.summary.table("platform user").created < 500
    assert "cancelled after" in window.status.last_sync.text()


def test_automatic_sync_follows_the_interval_setting(window_ui, temp_qsettings, qtbot):
    window = _window(window_ui, temp_qsettings, qtbot)
    assert not window.sync.timer.isActive()  # the fixture's settings say 0: off
    window.sync.set_interval(15)
    assert window.sync.timer.isActive() and window.sync.timer.interval() == 15 * 60_000
    window.sync.set_interval(0)
    assert not window.sync.timer.isActive()


def test_errors_say_what_to_do_and_are_logged_in_full(tmp_path, qtbot, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from crm_desktop.ui import errors

    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    log_path = errors.setup_logging()
    try:
        exc = OperationalError("SELECT 1", {}, Exception('connection refused\nIs the server running?'))
        described = errors.describe(exc)
        assert "could not be reached (connection refused)" in described.text
        assert "Settings" in described.advice
        try:
            raise exc
        except OperationalError as raised:
            box = errors.show_error(None, "Could not load contacts", raised)
        qtbot.wait(10)
        assert box.isVisible() and box.windowTitle() == "Could not load contacts"
        assert "Traceback" in box.detailedText()
        assert box.text() == described.text and box.informativeText() == described.advice
        box.close()
        for handler in __import__("logging").getLogger().handlers:
            handler.flush()
        logged = log_path.read_text()
        assert "Could not load contacts" in logged and "Traceback" in logged
    finally:
        root = __import__("logging").getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "baseFilename", None) == str(log_path):
                root.removeHandler(handler)
                handler.close()


def test_open_a_record_shows_its_detail_window_once(window_ui, sqlite_db, temp_qsettings, qtbot):
    seed_small(sqlite_db)
    window = _window(window_ui, temp_qsettings, qtbot)
    pytest.importorskip("crm_desktop.ui.details.contact_detail")
    first = window.open_contact("c-ada")
    assert first is not None and first.isVisible() and first.isWindow()
    assert window.open_contact("c-ada") is first  # raised, not opened twice
    assert window.open_record("nonsense", "x") is None
    first.close()
    window_ui.tasks.wait(10_000)


def test_pages_that_read_at_once_wait_for_the_database(window_ui, temp_qsettings, qtbot):
    """Nothing is read before the database is open and someone has signed in (launch calls load_pages)."""
    temp_qsettings.setValue("window/page", "dashboard")
    window = _window(window_ui, temp_qsettings, qtbot)
    assert window.current_page_key() == "dashboard"
    placeholder = window.pages["dashboard"]
    assert type(placeholder).__name__ == "QWidget"  # "Loading…" until the data may be read
    window.nav.setCurrentRow(window.nav.currentRow())
    assert window.pages["dashboard"] is placeholder
    window.load_pages()
    built = window.pages["dashboard"]
    assert built is not placeholder and window.stack.currentWidget().widget() is built
    assert all(isinstance(window.pages[k], TablePage) for k in ("contacts", "enquiries", "memberships"))
    window_ui.tasks.wait(10_000)


def test_saved_settings_apply_unless_the_environment_says_otherwise(temp_qsettings):
    from crm_desktop.ui import preferences

    preferences.save_database_url(temp_qsettings, "database_url", "sqlite:////srv/crm/crm.sqlite3")
    preferences.save_sync_interval(temp_qsettings, 5)
    base = Settings.from_env({})
    saved = preferences.apply_saved(base, temp_qsettings, env={})
    assert saved.database_url == saved.platform_database_url == "sqlite:////srv/crm/crm.sqlite3"
    assert saved.sync_interval_minutes == 5
    env = {"CRM_DATABASE_URL": "sqlite:////elsewhere.sqlite3", "CRM_SYNC_INTERVAL_MINUTES": "30"}
    assert preferences.apply_saved(Settings.from_env(env), temp_qsettings, env=env) == Settings.from_env(env)
