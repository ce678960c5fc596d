"""One background-task helper for all database and network work off the UI thread.

A task is a plain function `fn(ctx: TaskContext) -> result` run on a QThreadPool worker. Results and
errors come back to the UI thread by queued signals; only plain data should cross threads (ids, frozen
dataclasses, lists of tuples), and every task opens its own database session.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from crm_desktop.sync.progress import CancelToken

log = logging.getLogger(__name__)


@dataclass
class TaskContext:
    """Handed to the task function: report progress, check for cancellation."""

    cancel_token: CancelToken
    _emit_progress: Callable[[str, int, int], None]

    def progress(self, stage: str, done: int, total: int) -> None:
        self._emit_progress(stage, done, total)

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled


class TaskSignals(QObject):
    started = Signal()
    progress = Signal(str, int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception; its traceback is logged
    finished = Signal()


class Task(QRunnable):
    def __init__(self, name: str, fn: Callable[[TaskContext], Any]) -> None:
        super().__init__()
        self.name = name
        self.fn = fn
        self.signals = TaskSignals()
        self.cancel_token = CancelToken()
        self.setAutoDelete(False)  # the TaskRunner keeps it until finished

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @Slot()
    def run(self) -> None:
        self.signals.started.emit()
        ctx = TaskContext(self.cancel_token, self.signals.progress.emit)
        try:
            result = self.fn(ctx)
        except BaseException as exc:  # noqa: BLE001 - reported to the UI, never lost
            log.error("task %s failed:\n%s", self.name, traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Starts tasks; by default a failed task's error is passed to `on_error` (the window's dialog)."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 4,
                 on_error: Callable[[str, BaseException], None] | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.on_error = on_error
        self._running: set[Task] = set()

    def run(self, name: str, fn: Callable[[TaskContext], Any], *,
            on_success: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_progress: Callable[[str, int, int], None] | None = None,
            on_finished: Callable[[], None] | None = None) -> Task:
        task = Task(name, fn)
        if on_success:
            task.signals.succeeded.connect(on_success)
        if on_progress:
            task.signals.progress.connect(on_progress)
        if on_error:
            task.signals.failed.connect(on_error)
        elif self.on_error:
            task.signals.failed.connect(lambda exc, n=name: self.on_error(n, exc))  # type: ignore[misc]
        task.signals.finished.connect(lambda t=task: self._running.discard(t))
        if on_finished:
            task.signals.finished.connect(on_finished)
        self._running.add(task)
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def cancel_all(self) -> None:
        for task in list(self._running):
            task.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)
