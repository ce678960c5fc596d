"""Pieces the detail views, dialogs, pipeline board and dashboard share: UK formatting, stat cards,
message banners, a label/value grid and a base class that loads its data off the UI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.errors import CrmError
from crm_desktop.timeutil import parse_day, parse_ts
from crm_desktop.ui.context import UiContext

log = logging.getLogger(__name__)
DASH = "—"

STYLE = """
QFrame#card { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 8px; }
QLabel#cardTitle { color: #6b7280; font-size: 9pt; }
QLabel#cardValue { color: #111827; font-size: 20pt; font-weight: 600; }
QLabel#cardCaption { color: #6b7280; font-size: 8.5pt; }
QLabel#heading { font-size: 16pt; font-weight: 600; color: #111827; }
QLabel#subheading { color: #4b5563; }
QLabel#fieldName { color: #6b7280; }
QLabel#fieldError { color: #b91c1c; font-size: 8.5pt; }
QFrame#banner_error { background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px; }
QFrame#banner_warning { background: #fffbeb; border: 1px solid #fde68a; border-radius: 6px; }
QFrame#banner_info { background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 6px; }
QLabel#chip { border-radius: 9px; padding: 2px 9px; color: white; font-weight: 600; }
"""

CHIP_COLOURS = {
    "new": "#6366f1", "contacted": "#0ea5e9", "negotiating": "#f59e0b", "booked": "#16a34a", "lost": "#94a3b8",
    "spam": "#e11d48", "active": "#16a34a", "inactive": "#94a3b8", "blocked": "#e11d48", "live": "#16a34a",
    "draft": "#94a3b8", "pending_approval": "#f59e0b", "paused": "#64748b", "rejected": "#e11d48",
    "expired": "#94a3b8", "expiring_soon": "#f59e0b", "cancelled": "#64748b", "suspended": "#e11d48",
    "bronze": "#b87333", "silver": "#94a3b8", "gold": "#d4a017", "high": "#e11d48", "medium": "#f59e0b",
    "low": "#64748b", "owner": "#4f46e5", "guest": "#0ea5a4",
}


# ---- formatting (UK) ---------------------------------------------------------------------------------
def money(value: Decimal | int | float | str | None) -> str:
    if value is None or value == "":
        return DASH
    return f"£{Decimal(str(value)):,.2f}"


def day(value: str | None) -> str:
    try:
        d = parse_day(value)
    except ValueError:
        return str(value)
    return d.strftime("%-d %b %Y") if d else DASH


def when(value: str | None) -> str:
    """A stored UTC timestamp as local date and time, e.g. '18 Mar 2026, 14:05'."""
    try:
        dt = parse_ts(value)
    except ValueError:
        return str(value)
    if dt is None:
        return DASH
    local = dt.astimezone()
    return local.strftime("%-d %b %Y, %H:%M")


def humanise(value: str | None) -> str:
    return value.replace("_", " ").capitalize() if value else DASH


def text(value: Any) -> str:
    return DASH if value is None or value == "" else str(value)


def friendly_error(exc: BaseException) -> str:
    """What to tell the user; CRM errors are written for staff already, anything else is logged."""
    if isinstance(exc, CrmError):
        return str(exc)
    from crm_desktop.db.engine import DatabaseUnavailable

    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    log.error("unexpected error", exc_info=exc)
    return f"Something went wrong ({type(exc).__name__}: {exc}). The details are in the log; try again."


def can_log(ctx: UiContext) -> bool:
    """Calls and notes may be logged with write rights, or offline (they wait in the outbox)."""
    return ctx.actor.can("write") or getattr(ctx, "offline", None) is not None


# ---- small widgets -------------------------------------------------------------------------------------
def chip(value: str | None) -> QLabel:
    label = QLabel(humanise(value))
    label.setObjectName("chip")
    label.setStyleSheet(f"background: {CHIP_COLOURS.get(value or '', '#64748b')};")
    label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return label


def set_chip(label: QLabel, value: str | None) -> None:
    label.setText(humanise(value))
    label.setStyleSheet(f"background: {CHIP_COLOURS.get(value or '', '#64748b')};")


class StatCard(QFrame):
    """A headline number with a title and a caption underneath."""

    def __init__(self, title: str, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(2)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.value = QLabel(DASH)
        self.value.setObjectName("cardValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardCaption")
        for w in (self.title, self.value, self.caption):
            lay.addWidget(w)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_value(self, value: str, caption: str | None = None) -> None:
        self.value.setText(value)
        if caption is not None:
            self.caption.setText(caption)


class Banner(QFrame):
    """A message above a view (error, warning or info) with an optional action, e.g. 'Reload'."""

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 8, 8, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.clicked.connect(self._clicked)
        self._on_action: Callable[[], None] | None = None
        close = QPushButton("Dismiss")
        close.setFlat(True)
        close.clicked.connect(self.hide)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        lay.addWidget(close)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    def _clicked(self) -> None:
        if self._on_action is not None:
            self._on_action()
        self.action_clicked.emit()

    def show_message(self, message: str, kind: str = "error", action: str | None = None,
                     on_action: Callable[[], None] | None = None) -> None:
        """Show the message; `on_action` (if given) replaces what the action button does."""
        self._on_action = on_action
        self.setObjectName(f"banner_{kind}")
        self.setStyleSheet(self.styleSheet())  # re-polish for the new object name
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(message)
        self.button.setVisible(bool(action))
        self.button.setText(action or "")
        self.show()


class FieldGrid(QWidget):
    """Label/value pairs in columns; values are selectable so staff can copy an email or a phone."""

    def __init__(self, columns: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(6)
        self.values: dict[str, QLabel] = {}

    def set_rows(self, rows: Iterable[tuple[str, str]]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.values = {}
        for i, (name, value) in enumerate(rows):
            r, c = divmod(i, self.columns)
            key = QLabel(name)
            key.setObjectName("fieldName")
            val = QLabel(value)
            val.setWordWrap(True)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(key, r, c * 2, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(val, r, c * 2 + 1, Qt.AlignmentFlag.AlignTop)
            self.grid.setColumnStretch(c * 2 + 1, 1)
            self.values[name] = val


class LoadingView(QWidget):
    """A view that loads plain data in a background task and redraws when its entities change.

    Subclasses set WATCH (entity names) and implement `fetch(session)` (runs on a worker thread, returns
    plain data) and `show_data(data)` (UI thread). A newer load makes an older result stale, so a slow
    answer never overwrites a fresh one.
    """

    WATCH: frozenset[str] = frozenset()
    title_changed = Signal(str)
    open_record = Signal(str, str)  # (kind, id): 'contact' | 'enquiry' | 'property' | 'membership'
    loaded = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setStyleSheet(STYLE)
        self._generation = 0
        self._started = False  # the first load always runs, visible or not (first paint, tests)
        self._stale = False
        self.loading = False
        self.banner = Banner()
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.reload)
        ctx.changes.changed.connect(self._on_changed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_changed(self, entities: frozenset[str]) -> None:
        if self.WATCH & set(entities):
            self._debounce.start()

    def fetch(self, session) -> Any:  # noqa: ANN001 - a SQLAlchemy Session on the worker thread
        raise NotImplementedError

    def show_data(self, data: Any) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        """Load now; a hidden view (another page, a closed tab) only notes that it is stale and loads
        when it is shown again, so a sync does not make every page query the database at once."""
        if self._started and not self.isVisible():
            self._stale = True
            return
        self._started = True
        self._stale = False
        self._generation += 1
        generation = self._generation
        self.loading = True

        def work(_task) -> Any:  # noqa: ANN001
            with self.ctx.db.read() as session:
                return self.fetch(session)

        self.ctx.tasks.run(f"load {type(self).__name__}", work,
                           on_success=lambda data: self._loaded(generation, data),
                           on_error=lambda exc: self._failed(generation, exc))

    def _alive(self) -> bool:
        """False once the window was closed and its C++ side deleted while a task was still running."""
        return shiboken6.isValid(self) and shiboken6.isValid(self.banner)

    def _loaded(self, generation: int, data: Any) -> None:
        if generation != self._generation or not self._alive():
            return
        self.loading = False
        self.show_data(data)
        self.loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation or not self._alive():
            return
        self.loading = False
        self.banner.show_message(f"Could not load this view. {friendly_error(exc)}", "error", "Retry", self.reload)
        self.loaded.emit()

    def write(self, name: str, fn: Callable[[Any], Any], entities: Iterable[str], *,
              on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run a write `fn(session)` in a task; announce the change on success, show errors in the banner."""
        def work(_task) -> Any:  # noqa: ANN001
            return self.ctx.db.write(fn)

        def done(result: Any) -> None:
            self.ctx.changes.notify(*entities)
            if on_done and self._alive():
                on_done(result)

        def failed(exc: BaseException) -> None:
            if not self._alive():
                log.warning("%s failed after its window closed: %s", name, exc)
            elif on_error:
                on_error(exc)
            else:
                self.banner.show_message(friendly_error(exc), "error")

        self.ctx.tasks.run(name, work, on_success=done, on_error=failed)
