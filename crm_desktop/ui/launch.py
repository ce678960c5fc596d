"""Start the desktop app: the window appears first, the database opens (and migrates) in the background.

`launch(settings)` is what `python main.py` with no command runs. `build_window()` is the same path
without the event loop, for tests and the screenshot script.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.models import SyncRun
from crm_desktop.ui import preferences
from crm_desktop.ui.context import DEFAULT_ACTOR, ChangeBus, UiContext
from crm_desktop.ui.errors import setup_logging, show_error
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.offline import OfflineController
from crm_desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
STYLESHEET = Path(__file__).resolve().parent.parent / "resources" / "app.qss"


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(preferences.ORGANISATION)
    app.setApplicationName(preferences.APPLICATION)
    app.setApplicationDisplayName("CRM Desktop")
    apply_style(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    try:
        app.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))
    except OSError:
        log.warning("stylesheet %s missing; using the plain style", STYLESHEET)


def open_database(app: AppContext) -> tuple[str | None, str]:
    """Reach the CRM database and bring its schema to the newest version (runs on a worker thread)."""
    from crm_desktop.db import migrate  # Alembic is a heavy import: load it here, off the paint path

    app.check_reachable()
    before = migrate.current_revision(app.db.engine)
    head = migrate.head_revision()
    if before != head:
        log.info("migrating the CRM database from %s to %s", before, head)
        return migrate.upgrade(app.db.engine)
    return before, head


def last_sync_run(app: AppContext) -> tuple[str, str] | None:
    """(finishedAt, status) of the newest finished sync pass, from any desktop."""
    with app.db.read() as session:
        row = session.execute(select(SyncRun.finishedAt, SyncRun.status).where(SyncRun.finishedAt.is_not(None))
                              .order_by(SyncRun.finishedAt.desc()).limit(1)).first()
    return (row.finishedAt, row.status) if row else None


def build_window(settings: Settings, qs: QSettings | None = None) -> tuple[MainWindow, UiContext]:
    """The window and its context; the database is opened by `start(window)`, not here."""
    qs = qs or preferences.ui_settings()
    settings = preferences.apply_saved(settings, qs)
    holder: dict[str, MainWindow] = {}
    tasks = TaskRunner(on_error=lambda name, exc: show_error(holder.get("w"), f"Could not {name}", exc))
    ctx = UiContext(app=AppContext(settings), tasks=tasks, actor=DEFAULT_ACTOR, changes=ChangeBus())
    window = MainWindow(ctx, qs)
    OfflineController.install(window)  # the offline copy: refreshed while online, used when not
    holder["w"] = window
    tasks.setParent(window)
    return window, ctx


def start(window: MainWindow, *, offer_first_admin: bool = False) -> None:
    """Open the database in the background, then load the pages (or explain what went wrong)."""
    ctx = window.ctx

    def opened(_revisions: object) -> None:
        window.status.set_online(True)
        # Sign-in before any page loads; a no-op until staff accounts exist (see ui/sign_in_dialog.py).
        from crm_desktop.ui.sign_in_dialog import gate

        gate(window, signed_in, offer_first_admin=offer_first_admin)

    def signed_in() -> None:
        window.load_pages()
        ctx.tasks.run("read the last sync", lambda _t: last_sync_run(ctx.app),
                      on_success=lambda run: run and window.status.show_previous_sync(*run),
                      on_error=lambda exc: log.warning("cannot read the last sync: %s", exc))
        window.offline.monitoring = True
        window.offline.refresh()
        from crm_desktop.ui.daily_jobs import DailyJobs  # once a day: statuses, segments, reminders

        window.daily_jobs = DailyJobs(ctx, parent=window)
        window.daily_jobs.start()

    def failed(exc: BaseException) -> None:
        if window.offline.go_offline(str(exc)):
            return  # opened on the offline copy, with the banner saying so
        window.status.set_online(False, str(exc))
        show_error(window, "Could not open the CRM database", exc)

    ctx.tasks.run("open the database", lambda _t: open_database(ctx.app), on_success=opened, on_error=failed)


def launch(settings: Settings) -> int:
    log_path = setup_logging()
    app = application()
    window, ctx = build_window(settings)
    log.info("starting; log file %s", log_path)
    window.show()
    start(window, offer_first_admin=True)
    try:
        return app.exec()
    finally:
        ctx.tasks.cancel_all()
        ctx.tasks.wait(10_000)
        ctx.app.close()
