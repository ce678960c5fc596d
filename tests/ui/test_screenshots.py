"""Screenshots of every page of the real window on demo data (docs/screenshots/window-*.png).

The demo platform is generated and synced through the real sync, the window is built by the launch
path, and each page is grabbed once its table has loaded. Run alone to refresh the images:
`QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/ui/test_screenshots.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.ui.tables.table_page import TablePage

pytestmark = pytest.mark.qt
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_screenshots_of_each_view(tmp_path: Path, qapp, qtbot):
    pytest.importorskip("crm_desktop.sync.runner")
    from crm_desktop.demo.build import build_demo
    from crm_desktop.ui.launch import apply_style, open_database

    crm, platform = f"sqlite:///{tmp_path / 'crm.sqlite3'}", f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    settings = Settings(database_url=crm, platform_database_url=platform, sync_interval_minutes=0)
    app = AppContext(settings)
    open_database(app)
    build_demo(app, owners=40, seed=11)  # the same living CRM as `demo`, smaller
    app.close()

    old_sheet, old_style = qapp.styleSheet(), qapp.style().name()
    apply_style(qapp)  # the app's stylesheet, as launch() sets it
    try:
        _grab_every_page(tmp_path, settings, qtbot)
    finally:
        qapp.setStyleSheet(old_sheet)
        qapp.setStyle(old_style)


def _grab_every_page(tmp_path: Path, settings: Settings, qtbot) -> None:  # noqa: ANN001
    from crm_desktop.ui.launch import build_window, start

    window, ctx = build_window(settings, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1440, 860)
    window.show()
    tables = [p for p in window.pages.values() if isinstance(p, TablePage)]
    with qtbot.waitSignals([p.model.loaded for p in tables], timeout=30_000):
        start(window)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for key, page in window.pages.items():
        window.show_page(key)
        if isinstance(page, TablePage):
            assert page.model.total > 0, key
            page.view.selectRow(1)
        qtbot.wait(300 if isinstance(page, TablePage) else 1200)  # let charts and cards paint
        image = window.grab().toImage()
        path = SCREENSHOTS / f"window-{key}.png"
        assert image.save(str(path))
        assert QImage(str(path)).width() >= 1400
    # the settings dialog, with a key saved in the (test) keychain: shown masked
    from crm_desktop import secrets
    from crm_desktop.ui.settings_dialog import SettingsDialog

    secrets.set_secret(secrets.STRIPE_KEY, "sk_live_51HxExampleOnlyNotARealKey9Q2z")
    dialog = SettingsDialog(ctx.app.settings, window.qs, window)
    dialog.show()
    qtbot.wait(200)
    assert "9Q2z" in dialog.stripe_current.text() and "Example" not in dialog.stripe_current.text()
    assert dialog.grab().save(str(SCREENSHOTS / "window-settings.png"))
    dialog.close()
    ctx.tasks.wait(15_000)
    ctx.app.close()
