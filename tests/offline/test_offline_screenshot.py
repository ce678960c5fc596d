"""A screenshot of the window working offline (docs/screenshots/window-offline.png), from the real
window on synced demo data, its shared database taken away."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.offline.mode import refresh_replica
from crm_desktop.offline.replica import Replica
from crm_desktop.services.actor import Actor
from crm_desktop.ui.tables.table_page import TablePage

pytestmark = pytest.mark.qt
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEAD_URL = "postgresql://crm@127.0.0.1:1/crm"


def test_screenshot_of_the_offline_window(tmp_path: Path, qapp, qtbot):
    pytest.importorskip("crm_desktop.sync.runner")
    from crm_desktop.demo.build import build_demo
    from crm_desktop.ui.launch import apply_style, build_window, open_database, start

    crm, platform = f"sqlite:///{tmp_path / 'crm.sqlite3'}", f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    app = AppContext(Settings(database_url=crm, platform_database_url=platform, sync_interval_minutes=0))
    open_database(app)
    build_demo(app, owners=40, seed=11)  # the same living CRM as `demo`, smaller
    replica = Replica()
    refresh_replica(app, replica, full=True, signed_in=Actor("staff-ada", "staff", "Ada Lovelace"))
    replica.close()
    app.close()

    old_sheet, old_style = qapp.styleSheet(), qapp.style().name()
    apply_style(qapp)
    try:
        settings = Settings(database_url=DEAD_URL, platform_database_url=DEAD_URL, sync_interval_minutes=0)
        window, ctx = build_window(settings, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.resize(1440, 860)
        window.show()
        with qtbot.waitSignal(window.offline.went_offline, timeout=30_000):
            start(window)
        page = window.show_page("contacts")
        assert isinstance(page, TablePage)
        qtbot.waitUntil(lambda: page.model.total > 0, timeout=10_000)
        ctx.offline.outbox.add(ctx.offline.actor, page.model.id_at(0), "phone", "Called back about June dates")
        window.offline._update_counts()
        page.view.selectRow(0)
        qtbot.wait(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / "window-offline.png"
        assert window.grab().toImage().save(str(path))
        assert QImage(str(path)).width() >= 1400
        window.close()
        for _ in range(2):
            qtbot.wait(350)
            ctx.tasks.wait(10_000)
        ctx.app.close()
    finally:
        qapp.setStyleSheet(old_sheet)
        qapp.setStyle(old_style)
