"""The window without the shared database: it opens on the offline copy (banner, read-only), a contact
can be found and a note logged; reconnecting to the live database applies the note exactly once.

Runs on SQLite and PostgreSQL as the shared database; "taking it away" points the app at a dead port.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import func, select

from crm_desktop.config import Settings
from crm_desktop.db.models import Interaction
from crm_desktop.offline.outbox import PENDING
from crm_desktop.services import contacts
from tests.service_helpers import owner

pytestmark = pytest.mark.qt

DEAD_URL = "postgresql://postgres@127.0.0.1:1/crm"


@pytest.fixture
def qs(tmp_path: Path) -> QSettings:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    return QSettings(str(tmp_path / "qsettings" / "window.ini"), QSettings.Format.IniFormat)


def _settings(url: str) -> Settings:
    return Settings(database_url=url, platform_database_url=url, sync_interval_minutes=0)


def _open(qtbot, qs, url, signal_name):  # noqa: ANN001, ANN202
    from crm_desktop.ui.launch import build_window, start

    window, ctx = build_window(_settings(url), qs)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(getattr(window.offline, signal_name), timeout=30_000):
        start(window)
    return window, ctx


def _close(qtbot, window, ctx) -> None:  # noqa: ANN001
    window.close()
    for _ in range(3):  # let debounced reloads start and finish, and deliver their queued results
        qtbot.wait(350)  # while the widgets they report to still exist
        ctx.tasks.wait(10_000)
    qtbot.wait(50)
    ctx.app.close()


def _interactions(db) -> int:  # noqa: ANN001
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Interaction))


def test_offline_open_find_note_then_reconnect_applies_once(db, admin, qs, qtbot):
    olive = owner(db, admin, email="olive@hartley.example", firstName="Olive", lastName="Hartley")
    owner(db, admin, email="bob@stone.example", firstName="Bob", lastName="Stone")

    # Online: the window opens and keeps an offline copy.
    window, ctx = _open(qtbot, qs, db.url, "replica_refreshed")
    assert window.offline.banner.isHidden() and ctx.offline is None
    _close(qtbot, window, ctx)

    # The shared database is taken away: the window opens on the copy, unmistakably offline.
    window, ctx = _open(qtbot, qs, DEAD_URL, "went_offline")
    banner = window.offline.banner
    assert not banner.isHidden() and "OFFLINE" in banner.title.text()
    assert "cannot be reached" in banner.text.text() and "UTC" in banner.text.text()
    assert "OFFLINE" in window.windowTitle() and window.status.online.text() == "● Offline"
    assert ctx.actor.role == "viewer" and not window.sync_action.isEnabled()

    # Find the contact with the global search, on the copy.
    page = window.pages["contacts"]
    window.global_search.setText("Hartley")
    with qtbot.waitSignal(page.model.loaded, timeout=10_000) as loaded:
        window.run_global_search()
    assert loaded.args == [1] and page.model.id_at(0) == olive.id

    # Log a note on the contact: it waits in the outbox, nothing reaches any database.
    detail = window.open_contact(olive.id)
    qtbot.waitUntil(lambda: getattr(detail, "data", None) is not None, timeout=10_000)
    assert detail.buttons["note"].isEnabled() and detail.buttons["phone"].isEnabled()
    assert not detail.buttons["edit"].isEnabled() and not detail.buttons["email"].isEnabled()
    detail.buttons["note"].click()
    dialog = detail.dialog
    assert {dialog.fields["type"].itemData(i) for i in range(dialog.fields["type"].count())} == {"note", "phone"}
    dialog.fields["content"].setPlainText("Asked for the gold tier brochure")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    session = ctx.offline
    [entry] = session.outbox.entries(PENDING)
    assert entry.content == "Asked for the gold tier brochure" and entry.actor.role != "viewer"
    qtbot.waitUntil(lambda: "1 waiting" in banner.waiting.text(), timeout=5_000)
    assert _interactions(db) == 0

    # Edits other than notes are refused while offline.
    with pytest.raises(Exception, match="not allowed to write|readonly"):
        ctx.db.write(lambda s: contacts.update_contact(s, ctx.actor, olive.id, {"city": "Bath"}))

    # The database comes back: point at it again and reconnect; the note is applied once.
    session.live_settings = _settings(db.url)
    with qtbot.waitSignal(window.offline.back_online, timeout=30_000) as back:
        window.offline.reconnect()
    report = back.args[0]
    assert report.applied == [entry.id] and not report.conflicts
    assert ctx.offline is None and banner.isHidden() and "OFFLINE" not in window.windowTitle()
    assert ctx.actor.role == admin.role or ctx.actor.role == "admin"
    with db.read() as s:
        [row] = s.scalars(select(Interaction)).all()
        assert (row.externalKey, row.content) == (entry.key, "Asked for the gold tier brochure")
    assert session.outbox.apply(db).done == 0  # applying again changes nothing
    assert _interactions(db) == 1
    _close(qtbot, window, ctx)


def test_no_offline_copy_means_the_old_explanation(qs, qtbot):
    from crm_desktop.ui.launch import build_window, start

    window, ctx = build_window(_settings(DEAD_URL), qs)
    qtbot.addWidget(window)
    start(window)
    qtbot.waitUntil(lambda: window.status.online.text() == "● Offline", timeout=30_000)
    assert window.offline.banner.isHidden() and ctx.offline is None
    _close(qtbot, window, ctx)


def test_a_database_that_drops_mid_session_switches_the_window_offline(pg_database_url, admin, qs, qtbot):
    """PostgreSQL behind a local proxy: stopping the proxy is the server going away, and back."""
    if not pg_database_url:
        pytest.skip("needs CRM_TEST_POSTGRES_URL")
    from sqlalchemy.engine import make_url

    from crm_desktop.db.engine import Database
    from tests.offline.conftest import TcpProxy

    live = make_url(pg_database_url)
    proxy = TcpProxy(live.port or 5432).start()
    url = live.set(port=proxy.port).render_as_string(hide_password=False)
    db = Database(url)
    try:
        olive = owner(db, admin, email="drop@hartley.example", firstName="Olive", lastName="Dropped")
        window, ctx = _open(qtbot, qs, url, "replica_refreshed")
        proxy.stop()  # the connection drops under the open window
        with qtbot.waitSignal(window.offline.went_offline, timeout=30_000):
            window.offline._probe()  # what the 30-second timer does
        assert not window.offline.banner.isHidden() and ctx.actor.role == "viewer"
        entry = ctx.offline.outbox.add(ctx.offline.actor, olive.id, "phone", "Called while the server was down")

        proxy = TcpProxy(live.port or 5432, port=proxy.port).start()  # the server is back
        with qtbot.waitSignal(window.offline.reachable_again, timeout=30_000):
            window.offline._probe()
        with qtbot.waitSignal(window.offline.back_online, timeout=30_000) as back:
            window.offline.reconnect()
        assert back.args[0].applied == [entry.id]
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Interaction)
                            .where(Interaction.externalKey == entry.key)) == 1
        _close(qtbot, window, ctx)
    finally:
        proxy.stop()
        db.dispose()


def test_a_conflict_is_shown_and_the_user_decides(db, admin, qs, qtbot):
    from crm_desktop.offline.replica import Replica

    olive = owner(db, admin, email="olive@conflict.example", firstName="Olive", lastName="Conflict")
    copy = Replica()  # the data folder's copy, as the window keeps it
    copy.refresh(db)
    copy.close()
    window, ctx = _open(qtbot, qs, DEAD_URL, "went_offline")
    session = ctx.offline
    entry = session.outbox.add(session.actor, olive.id, "note", "Wants a call on Friday")
    db.write(lambda s: contacts.update_contact(s, admin, olive.id, {"city": "Whitby"}))  # changed meanwhile

    session.live_settings = _settings(db.url)
    with qtbot.waitSignal(window.offline.back_online, timeout=30_000) as back:
        window.offline.reconnect()
    assert back.args[0].conflicts == [entry.id] and _interactions(db) == 0
    dialog = window.offline.dialog
    assert dialog is not None and dialog.isVisible() and dialog.list.count() == 1
    assert "changed while you were offline" in dialog.list.item(0).text()
    dialog.apply_button.click()  # apply anyway: sent now, once
    qtbot.waitUntil(lambda: session.outbox.get(entry.id).status == "applied", timeout=10_000)
    assert _interactions(db) == 1 and dialog.list.count() == 0
    _close(qtbot, window, ctx)
