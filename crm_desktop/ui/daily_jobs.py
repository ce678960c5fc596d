"""Runs the daily jobs from the window: shortly after staff have signed in, then whenever the (UTC) day
changes while the window stays open. Each job also guards itself in the database (crm_job_runs), so
several desktops starting on the same morning still run each job once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from crm_desktop.timeutil import utcnow
from crm_desktop.ui.context import UiContext

log = logging.getLogger(__name__)

CHECK_MINUTES = 30
FIRST_DELAY_MS = 90_000
# What the jobs can change; views showing these refresh themselves.
CHANGED = ("membership", "contact", "interaction", "activity")


class DailyJobs(QObject):
    finished = Signal(object)  # a crm_desktop.jobs.daily.DailyReport
    failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QObject | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self.last_day: date | None = None
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MINUTES * 60 * 1000)
        self.timer.timeout.connect(self.check)

    def start(self, first_delay_ms: int = FIRST_DELAY_MS) -> None:
        """Check now or after a short delay (so the first run does not compete with the start-up loads and
        the first sync), then every CHECK_MINUTES."""
        if first_delay_ms <= 0:
            self.check()
        else:
            QTimer.singleShot(first_delay_ms, self, self.check)
        self.timer.start()

    def check(self) -> bool:
        """Start today's run unless it already ran from this window (or is running); True if started."""
        today = self.clock().date()
        if self.running or today == self.last_day:
            return False
        from crm_desktop.jobs.daily import run_daily_jobs

        self.running = True
        app = self.ctx.app
        self.ctx.tasks.run("daily jobs", lambda _t: run_daily_jobs(app, today),
                           on_success=lambda report: self._done(today, report), on_error=self._failed)
        return True

    def _done(self, today: date, report) -> None:  # noqa: ANN001 - a DailyReport
        self.running = False
        self.last_day = today
        for result in report.results:
            log.info("daily job %s: %s", result.job, result.message)
        if report.changed:
            self.ctx.changes.notify(*CHANGED)
        self.finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        # Not a dialog: nobody asked for this run. The next check (or tomorrow) tries again.
        self.running = False
        log.warning("daily jobs failed: %s", exc)
        self.failed.emit(str(exc))
