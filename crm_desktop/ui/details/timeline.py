"""A contact's history (interactions and audit entries, newest first) drawn as a readable feed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from crm_desktop.db.models import ActivityLog
from crm_desktop.services.interactions import TimelineEntry, describe_changes
from crm_desktop.ui.details.common import when

KIND_COLOURS = {"phone": "#0ea5a4", "email": "#4f46e5", "note": "#f59e0b", "message": "#0284c7",
                "status_change": "#16a34a"}
KIND_NAMES = {"phone": "Call", "email": "Email", "note": "Note", "message": "Message", "status_change": "Pipeline"}
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def timeline_names(staff: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Who did it, by staff id, for a timeline: staff as (id, name) pairs, and the sync as 'System (sync)'."""
    names = dict(staff)
    names["system"] = "System (sync)"
    return names


def audit_entry(a: ActivityLog, entity: str, note: str = "") -> TimelineEntry:
    """An audit log row as a timeline entry, e.g. 'enquiry status change' with its before → after values."""
    return TimelineEntry(a.timestamp, "audit", a.action, f"{entity} {a.action.replace('_', ' ')}",
                         describe_changes(a.changedFields) + note, a.performedBy, a.id)


def readable(detail: str) -> str:
    """Audit details with stored timestamps shown as local dates and 'None' as a dash."""
    detail = _STAMP.sub(lambda m: when(m.group(0)), detail[:400])
    return re.sub(r"\bNone\b", "—", detail)


class TimelineDelegate(QStyledItemDelegate):
    """A coloured dot per kind, the title in bold, the detail, and when / who underneath."""

    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802 - Qt API
        entry: TimelineEntry = index.data(ENTRY_ROLE)
        fm = option.fontMetrics
        width = max(self.view.viewport().width(), 240) - 44
        height = 2 * fm.height() + 18
        if entry and entry.detail:
            detail = fm.boundingRect(QRect(0, 0, width, 2000), Qt.TextFlag.TextWordWrap, readable(entry.detail))
            height += min(detail.height(), 5 * fm.height()) + 2
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        entry: TimelineEntry = index.data(ENTRY_ROLE)
        if entry is None:
            return super().paint(painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(r, QColor("#eef2ff"))
        audit = entry.kind == "audit"
        colour = QColor("#94a3b8" if audit else KIND_COLOURS.get(entry.type, "#64748b"))
        painter.setPen(QColor("#e5e7eb"))
        painter.drawLine(r.left() + 16, r.top(), r.left() + 16, r.bottom())
        painter.setBrush(colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(r.left() + 11, r.top() + 9, 10, 10)
        fm = option.fontMetrics
        x = r.left() + 34
        width = r.width() - 44
        bold = QFont(option.font)
        bold.setBold(not audit)
        painter.setFont(bold)
        painter.setPen(QColor("#6b7280" if audit else "#111827"))
        kind = "Change" if audit else KIND_NAMES.get(entry.type, entry.type.title())
        title = f"{kind} · {entry.title}"
        painter.drawText(QRect(x, r.top() + 6, width, fm.height()), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(title, Qt.TextElideMode.ElideRight, width))
        painter.setFont(option.font)
        y = r.top() + 6 + fm.height()
        meta_h = fm.height()
        if entry.detail:
            painter.setPen(QColor("#374151"))
            detail_rect = QRect(x, y + 2, width, r.bottom() - y - meta_h - 8)
            painter.drawText(detail_rect, Qt.TextFlag.TextWordWrap, readable(entry.detail))
        painter.setPen(QColor("#9ca3af"))
        by = index.data(Qt.ItemDataRole.UserRole + 2) or entry.by or ""
        painter.drawText(QRect(x, r.bottom() - meta_h - 4, width, meta_h), Qt.AlignmentFlag.AlignLeft,
                         when(entry.at) + (f" · {by}" if by else ""))
        painter.restore()


class TimelineList(QListWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setItemDelegate(TimelineDelegate(self))
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)  # re-measure wrapped text when the width changes
        self.setStyleSheet("QListWidget { border: none; background: white; }")

    def set_entries(self, entries: list[TimelineEntry], names: dict[str, str]) -> None:
        self.clear()
        for entry in entries:
            item = QListWidgetItem()
            item.setData(ENTRY_ROLE, entry)
            item.setData(Qt.ItemDataRole.UserRole + 2, names.get(entry.by or "", entry.by))
            item.setText(f"{entry.title}\n{entry.detail}")  # for accessibility and tests
            self.addItem(item)
        if not entries:
            self.addItem("Nothing logged yet. Log a call, an email or a note.")

    def entries(self) -> list[TimelineEntry]:
        return [e for i in range(self.count()) if (e := self.item(i).data(ENTRY_ROLE)) is not None]
