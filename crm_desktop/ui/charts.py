"""Small charts drawn with QPainter (PySide6-Essentials has no QtCharts): bar, line and funnel.

Each chart is a plain widget fed labels and values (or several named series); it keeps the original
values (Decimal money stays Decimal) for tooltips and labels and only uses floats for geometry.
Hovering a bar, point or stage shows its exact value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

Number = int | float | Decimal
Formatter = Callable[[Number], str]

PALETTE = ("#4f46e5", "#0ea5a4", "#f59e0b", "#e11d48", "#16a34a", "#7c3aed", "#0284c7", "#64748b")
TIER_COLOURS = {"bronze": "#b87333", "silver": "#94a3b8", "gold": "#d4a017", "none": "#cbd5e1"}
STATUS_COLOURS = {"new": "#6366f1", "contacted": "#0ea5e9", "negotiating": "#f59e0b", "booked": "#16a34a",
                  "lost": "#94a3b8", "spam": "#e11d48"}
TEXT = QColor("#1f2937")
MUTED = QColor("#6b7280")
GRID = QColor("#e5e7eb")


def plain_number(value: Number) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{float(value):,.1f}".removesuffix(".0")


def pounds(value: Number) -> str:
    """UK money for chart labels: whole pounds from £100 up (£1,235), pence below (£12.50)."""
    dec = Decimal(str(value))
    return f"£{dec:,.0f}" if dec == dec.to_integral_value() or abs(dec) >= 100 else f"£{dec:,.2f}"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Number, ...]
    colour: str | None = None


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round gridline step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` lines."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


class Chart(QWidget):
    """Base: title, data, an empty-state message and hover tooltips over the hit areas painted last."""

    def __init__(self, title: str = "", parent: QWidget | None = None, *,
                 value_format: Formatter = plain_number, empty_text: str = "No data yet") -> None:
        super().__init__(parent)
        self.title = title
        self.value_format = value_format
        self.empty_text = empty_text
        self._labels: tuple[str, ...] = ()
        self._series: tuple[Series, ...] = ()
        self._category_colours: tuple[str, ...] | None = None
        self._hits: list[tuple[QRectF, str]] = []
        self.setMouseTracking(True)
        self.setMinimumSize(260, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # ---- data -------------------------------------------------------------------------------------
    def set_data(self, labels: Sequence[str], values: Sequence[Number], *,
                 colours: Sequence[str] | None = None, name: str = "") -> None:
        """One series; `colours` gives each category its own colour (e.g. tiers)."""
        self.set_series(labels, [Series(name, tuple(values))], colours=colours)

    def set_series(self, labels: Sequence[str], series: Sequence[Series], *,
                   colours: Sequence[str] | None = None) -> None:
        for s in series:
            if len(s.values) != len(labels):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels")
        self._labels = tuple(labels)
        self._series = tuple(series)
        self._category_colours = tuple(colours) if colours else None
        self.update()

    def labels(self) -> tuple[str, ...]:
        return self._labels

    def series(self) -> tuple[Series, ...]:
        return self._series

    def values(self) -> tuple[Number, ...]:
        return self._series[0].values if self._series else ()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 260)

    # ---- painting helpers -------------------------------------------------------------------------
    def _colour(self, series_index: int, category: int | None = None) -> QColor:
        if self._category_colours and category is not None and len(self._series) == 1:
            return QColor(self._category_colours[category % len(self._category_colours)])
        chosen = self._series[series_index].colour if self._series else None
        return QColor(chosen or PALETTE[series_index % len(PALETTE)])

    def _is_empty(self) -> bool:
        return not self._labels or all(float(v) == 0 for s in self._series for v in s.values)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._hits = []
        rect = QRectF(self.rect()).adjusted(12, 8, -12, -8)
        if self.title:
            font = QFont(self.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.1)
            painter.setFont(font)
            painter.setPen(TEXT)
            painter.drawText(rect.adjusted(0, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             self.title)
            rect.setTop(rect.top() + painter.fontMetrics().height() + 8)
            painter.setFont(self.font())
        if len(self._series) > 1:
            rect.setTop(rect.top() + self._paint_legend(painter, rect) + 6)
        if self._is_empty():
            painter.setPen(MUTED)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.empty_text)
        else:
            self.paint_chart(painter, rect)
        painter.end()

    def _paint_legend(self, painter: QPainter, rect: QRectF) -> float:
        fm = painter.fontMetrics()
        x = rect.left()
        for i, s in enumerate(self._series):
            painter.fillRect(QRectF(x, rect.top() + 3, 10, 10), self._colour(i))
            painter.setPen(TEXT)
            painter.drawText(QPointF(x + 14, rect.top() + fm.ascent()), s.name)
            x += 14 + fm.horizontalAdvance(s.name) + 16
        return fm.height()

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def _axes(self, painter: QPainter, rect: QRectF) -> tuple[QRectF, float]:
        """Draw gridlines and y labels; return the plot area and the y value at its top."""
        fm = painter.fontMetrics()
        top_value = max((float(v) for s in self._series for v in s.values), default=0.0)
        step = nice_step(top_value)
        if all(isinstance(v, int) for s in self._series for v in s.values):
            step = max(1.0, math.ceil(step))  # counts: no fractional gridlines
        y_max = max(step, math.ceil(top_value / step) * step)
        label_w = max(fm.horizontalAdvance(self.value_format(_as_number(y_max, step))), 24) + 8
        # Room above the top gridline for the value printed over the tallest bar.
        plot = QRectF(rect.left() + label_w, rect.top() + fm.height() + 6, rect.width() - label_w,
                      rect.height() - fm.height() * 2.2 - 10)
        ticks = round(y_max / step)
        for i in range(ticks + 1):
            y = plot.bottom() - plot.height() * i / ticks
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(MUTED)
            painter.drawText(QRectF(rect.left(), y - fm.height() / 2, label_w - 6, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.value_format(_as_number(step * i, step)))
        return plot, y_max

    def _x_labels(self, painter: QPainter, plot: QRectF, centres: list[float], slot: float) -> None:
        fm = painter.fontMetrics()
        widest = max((fm.horizontalAdvance(label) for label in self._labels), default=0) + 8
        every = max(1, math.ceil(widest / max(slot, 1)))
        painter.setPen(MUTED)
        last = len(centres) - 1
        for i, (label, x) in enumerate(zip(self._labels, centres, strict=True)):
            if (last - i) % every:  # counted from the end, so the latest category is always labelled
                continue
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, int(max(slot * every, 40)))
            painter.drawText(QRectF(x - slot * every / 2, plot.bottom() + 4, slot * every, fm.height()),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    # ---- tooltips ---------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        pos = event.position()
        for area, text in reversed(self._hits):
            if area.contains(pos):
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
                return
        QToolTip.hideText()

    def hit_texts(self) -> list[str]:
        """What the hover tooltips say, in paint order (for tests and accessibility)."""
        return [text for _, text in self._hits]


def _as_number(value: float, step: float) -> Number:
    return int(round(value)) if float(step).is_integer() else value


class BarChart(Chart):
    """Vertical bars; several series are drawn side by side within each category."""

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        fm = painter.fontMetrics()
        plot, y_max = self._axes(painter, rect)
        n, k = len(self._labels), len(self._series)
        slot = plot.width() / n
        group = slot * 0.7
        bar_w = min(group / k, 56)
        centres = []
        for i in range(n):
            centre = plot.left() + slot * (i + 0.5)
            centres.append(centre)
            left = centre - bar_w * k / 2
            for j, s in enumerate(self._series):
                value = s.values[i]
                h = plot.height() * float(value) / y_max if y_max else 0
                bar = QRectF(left + j * bar_w + 1, plot.bottom() - h, bar_w - 2, h)
                path = QPainterPath()
                path.addRoundedRect(bar, 3, 3)
                painter.fillPath(path, self._colour(j, i))
                text = self.value_format(value)
                if fm.horizontalAdvance(text) < bar_w + 18 and float(value) > 0:
                    painter.setPen(TEXT)
                    painter.drawText(QRectF(bar.center().x() - 40, bar.top() - fm.height() - 2, 80, fm.height()),
                                     Qt.AlignmentFlag.AlignCenter, text)
                name = f"{s.name}: " if s.name else ""
                hit = QRectF(bar.left(), plot.top(), bar.width(), plot.height())
                self._hits.append((hit, f"{self._labels[i]} — {name}{text}"))
        self._x_labels(painter, plot, centres, slot)


class LineChart(Chart):
    """A line per series with points and a soft fill under the first; suits a time series."""

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        plot, y_max = self._axes(painter, rect)
        n = len(self._labels)
        slot = plot.width() / max(n, 1)
        centres = [plot.left() + slot * (i + 0.5) for i in range(n)]
        for j, s in enumerate(self._series):
            colour = self._colour(j)
            points = [QPointF(centres[i], plot.bottom() - plot.height() * float(v) / y_max)
                      for i, v in enumerate(s.values)]
            if j == 0 and len(points) > 1:
                area = QPainterPath(QPointF(points[0].x(), plot.bottom()))
                for p in points:
                    area.lineTo(p)
                area.lineTo(QPointF(points[-1].x(), plot.bottom()))
                gradient = QLinearGradient(0, plot.top(), 0, plot.bottom())
                top = QColor(colour)
                top.setAlpha(70)
                bottom = QColor(colour)
                bottom.setAlpha(5)
                gradient.setColorAt(0, top)
                gradient.setColorAt(1, bottom)
                painter.fillPath(area, gradient)
            painter.setPen(QPen(colour, 2.2))
            line = QPainterPath(points[0])
            for p in points[1:]:
                line.lineTo(p)
            painter.drawPath(line)
            painter.setBrush(QColor("white"))
            for i, p in enumerate(points):
                painter.drawEllipse(p, 3.2, 3.2)
                name = f"{s.name}: " if s.name else ""
                hit = QRectF(p.x() - slot / 2, plot.top(), slot, plot.height())
                self._hits.append((hit, f"{self._labels[i]} — {name}{self.value_format(s.values[i])}"))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        self._x_labels(painter, plot, centres, slot)


class FunnelChart(Chart):
    """Stages as centred bars whose width is the stage's share of the largest, labelled with a share:
    of the first stage (a true funnel, `share_of="first"`) or of all rows (`share_of="total"`, e.g.
    enquiries by their current status)."""

    def __init__(self, title: str = "", parent: QWidget | None = None, *, share_of: str = "first",
                 **kwargs) -> None:  # noqa: ANN003 - Chart's keyword arguments
        super().__init__(title, parent, **kwargs)
        self.share_of = share_of

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        fm = painter.fontMetrics()
        values = [float(v) for v in self.values()]
        biggest = max(values) or 1.0
        first = sum(values) if self.share_of == "total" else values[0]
        label_w = max(fm.horizontalAdvance(label) for label in self._labels) + 14
        value_w = max(fm.horizontalAdvance(f"{self.value_format(v)}  (100%)") for v in self.values()) + 8
        area = QRectF(rect.left() + label_w, rect.top(), rect.width() - label_w - value_w, rect.height())
        n = len(values)
        row_h = min(area.height() / n, 44)
        for i, (label, raw, value) in enumerate(zip(self._labels, self.values(), values, strict=True)):
            y = area.top() + i * row_h
            width = max(area.width() * value / biggest, 3)
            bar = QRectF(area.center().x() - width / 2, y + 3, width, row_h - 6)
            path = QPainterPath()
            path.addRoundedRect(bar, 4, 4)
            painter.fillPath(path, self._colour(0, i))
            painter.setPen(TEXT)
            painter.drawText(QRectF(rect.left(), y, label_w - 8, row_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            shown = first and (i or self.share_of == "total")
            share = f"  ({value / first * 100:.0f}%)" if shown else ""
            painter.drawText(QRectF(area.right() + 8, y, value_w, row_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.value_format(raw) + share)
            self._hits.append((QRectF(rect.left(), y, rect.width(), row_h),
                               f"{label}: {self.value_format(raw)}{share}"))
