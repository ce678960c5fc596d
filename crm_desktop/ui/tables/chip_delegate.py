"""Paints status, tier and priority cells as small rounded chips (colours from the model's
Foreground/Background roles), which read faster than a tinted column."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem


class ChipDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(background, QColor) or not text:
            super().paint(painter, option, index)
            return
        # the row's own background and selection first, without the cell's tint
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        plain.backgroundBrush = QBrush()  # no tint: the row's (alternating) colour shows
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        metrics = option.fontMetrics
        width = min(metrics.horizontalAdvance(text) + 18, option.rect.width() - 8)
        height = min(metrics.height() + 6, option.rect.height() - 6)
        rect = QRectF(option.rect.center().x() - width / 2, option.rect.center().y() - height / 2 + 0.5,
                      width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(foreground if isinstance(foreground, QColor) else option.palette.text().color())
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                                                                 int(width) - 8))
        painter.restore()
