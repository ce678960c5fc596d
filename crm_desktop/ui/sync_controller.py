"""'Sync now' in the window: one pass of crm_desktop.sync.runner.run_sync on a worker thread, with
progress, cancel, an automatic pass every N minutes, and a ChangeBus notice so tables show new rows.

A click while a pass is running does nothing (one pass at a time per window; the sync itself keeps two
desktops from doubling anything). The UI thread only receives plain progress tuples and the summary.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from crm_desktop.app import AppContext
from crm_desktop.sync.progress import CancelToken, SyncSummary
from crm_desktop.timeutil import now_iso
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.tasks import Task

log = logging.getLogger(__name__)

SyncFn = Callable[[AppContext, Callable[[str, int, int], None], CancelToken], Any]


@dataclass(frozen=True)
class SyncOutcome:
    """What the status bar shows after a pass."""

    ok: bool
    finished_at: str  # ISO timestamp
    text: str  # e.g. "12 created, 3 updated, 1 set aside"
    summary: SyncSummary | None = None
    error: BaseException | None = None
    manual: bool = True  # started by the user (a failure gets a dialog), not by the timer


def load_run_sync() -> SyncFn | None:
    """The sync engine's entry point, or None while it is not installed in this build."""
    try:
        module = importlib.import_module("crm_desktop.sync.runner")
    except ModuleNotFoundError as exc:
        if exc.name == "crm_desktop.sync.runner":
            return None
        raise
    return getattr(module, "run_sync", None)


def describe_summary(summary: Any) -> str:
    if not isinstance(summary, SyncSummary):
        return "finished"
    created = sum(t.created for t in summary.tables.values())
    updated = sum(t.updated for t in summary.tables.values())
    aside = sum(t.set_aside for t in summary.tables.values()) or len(summary.rejects)
    parts = [f"{created:,} new", f"{updated:,} updated"]
    if aside:
        parts.append(f"{aside:,} set aside")
    text = ", ".join(parts)
    if summary.cancelled:
        text = "cancelled after " + text
    return text


class SyncController(QObject):
    started = Signal()
    progress = Signal(str, int, int)
    finished = Signal(object)  # SyncOutcome
    running_changed = Signal(bool)

    def __init__(self, ctx: UiContext, run_sync: SyncFn | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._run_sync = run_sync
        self._task: Task | None = None
        self.last: SyncOutcome | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.sync_now(manual=False))
        self._manual = True

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def available(self) -> bool:
        return (self._run_sync or load_run_sync()) is not None

    def set_interval(self, minutes: int) -> None:
        """Sync automatically every `minutes` (0 turns the automatic sync off)."""
        if minutes > 0:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def sync_now(self, manual: bool = True) -> bool:
        """Start a pass; returns False (and does nothing) when one is already running."""
        if self._task is not None:
            return False
        self._manual = manual
        run_sync = self._run_sync or load_run_sync()
        if run_sync is None:
            self._finish(SyncOutcome(False, now_iso(), "sync is not available in this build"))
            return False
        app = self.ctx.app

        def work(task_ctx: Any) -> Any:
            return run_sync(app, task_ctx.progress, task_ctx.cancel_token)

        self._task = self.ctx.tasks.run("sync", work, on_success=self._succeeded, on_error=self._failed,
                                        on_progress=self.progress.emit)
        self.started.emit()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _succeeded(self, summary: Any) -> None:
        self._task = None
        self._finish(SyncOutcome(True, now_iso(), describe_summary(summary),
                                 summary if isinstance(summary, SyncSummary) else None, manual=self._manual))
        self.ctx.changes.notify("sync", "contact", "property", "enquiry", "membership", "interaction")

    def _failed(self, exc: BaseException) -> None:
        from crm_desktop.ui.errors import describe

        self._task = None
        log.error("sync failed", exc_info=exc)
        self._finish(SyncOutcome(False, now_iso(), describe(exc).text, error=exc, manual=self._manual))
        # Rows committed before the failure are kept; show them.
        self.ctx.changes.notify("sync")

    def _finish(self, outcome: SyncOutcome) -> None:
        self.last = outcome
        self.running_changed.emit(False)
        self.finished.emit(outcome)
