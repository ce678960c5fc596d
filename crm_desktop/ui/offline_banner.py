"""The offline banner across the top of the window, and the list of notes that need a decision.

The banner must be impossible to miss: a full-width amber strip saying OFFLINE, when the copy was
made, that only notes and calls can be added, how many are waiting, and a Reconnect button.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.offline.outbox import OutboxEntry
from crm_desktop.timeutil import parse_ts, utcnow

BANNER_STYLE = """
QFrame#offlineBanner { background: #b45309; border-bottom: 2px solid #78350f; }
QFrame#offlineBanner QLabel { color: white; font-size: 10.5pt; }
QFrame#offlineBanner QLabel#offlineTitle { font-weight: 700; font-size: 12pt; letter-spacing: 1px; }
QFrame#offlineBanner QPushButton { background: white; color: #78350f; border-radius: 4px; padding: 4px 12px;
  font-weight: 600; }
QFrame#offlineBanner QPushButton:disabled { color: #a8a29e; }
"""


def describe_age(iso_ts: str | None, now: datetime | None = None) -> str:
    """'26 Nov 2026 10:05 UTC (3 hours ago)', for the banner."""
    when = parse_ts(iso_ts) if iso_ts else None
    if when is None:
        return "never"
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    if seconds < 120:
        ago = "just now"
    elif seconds < 7200:
        ago = f"{seconds // 60} minutes ago"
    elif seconds < 172800:
        ago = f"{seconds // 3600} hours ago"
    else:
        ago = f"{seconds // 86400} days ago"
    return f"{when:%d %b %Y %H:%M} UTC ({ago})"


class OfflineBanner(QFrame):
    reconnect_clicked = Signal()
    conflicts_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.setStyleSheet(BANNER_STYLE)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 8, 14, 8)
        self.title = QLabel("⚠  OFFLINE", objectName="offlineTitle")
        self.text = QLabel(objectName="offlineText", wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.waiting = QLabel(objectName="offlineWaiting")
        self.conflicts = QPushButton("Notes to check…", objectName="offlineConflicts")
        self.conflicts.clicked.connect(self.conflicts_clicked)
        self.reconnect = QPushButton("Reconnect", objectName="offlineReconnect")
        self.reconnect.clicked.connect(self.reconnect_clicked)
        lay.addWidget(self.title)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.waiting)
        lay.addWidget(self.conflicts)
        lay.addWidget(self.reconnect)
        self.conflicts.hide()
        self.hide()

    def show_offline(self, refreshed_at: str | None, reason: str, live_label: str) -> None:
        self.text.setText(
            f"The shared database ({live_label}) cannot be reached. You are looking at the copy saved on this "
            f"computer on {describe_age(refreshed_at)}. Read-only: you can still add notes and log calls; "
            "they are sent when the connection returns.")
        self.setToolTip(reason)
        self.show()

    def set_counts(self, pending: int, conflicts: int) -> None:
        self.waiting.setText(f"{pending} waiting to be sent" if pending else "")
        self.conflicts.setText(f"{conflicts} to check…")
        self.conflicts.setVisible(conflicts > 0)

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        self.reconnect.setEnabled(not busy)
        self.reconnect.setText(text or ("Reconnecting…" if busy else "Reconnect"))


class ConflictsDialog(QDialog):
    """Notes logged offline that could not be applied: the reason, and apply anyway or discard."""

    apply_anyway = Signal(str)
    discard = Signal(str)

    def __init__(self, entries: list[OutboxEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Notes logged offline that need a decision")
        self.setMinimumWidth(640)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("These were not added, because the record changed or went while you were offline. "
                             "Nothing has been lost: check the record, then apply each anyway or discard it.",
                             wordWrap=True))
        self.list = QListWidget(objectName="offlineConflictList")
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.apply_button = QPushButton("Apply anyway", objectName="applyAnyway")
        self.discard_button = QPushButton("Discard", objectName="discardEntry")
        row.addWidget(self.apply_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.apply_button.clicked.connect(lambda: self._decide(self.apply_anyway))
        self.discard_button.clicked.connect(lambda: self._decide(self.discard))
        self.set_entries(entries)

    def set_entries(self, entries: list[OutboxEntry]) -> None:
        self.list.clear()
        for e in entries:
            label = "Call" if e.type == "phone" else "Note"
            item = QListWidgetItem(f"{label}: {(e.subject or e.content or '')[:80]}\n{e.problem or ''}")
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            self.list.addItem(item)
        if entries:
            self.list.setCurrentRow(0)

    def _decide(self, signal: Signal) -> None:
        item = self.list.currentItem()
        if item is not None:
            signal.emit(item.data(Qt.ItemDataRole.UserRole))
            self.list.takeItem(self.list.row(item))
