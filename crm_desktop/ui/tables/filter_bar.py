"""The row of filter controls above a table, built from its FilterSpecs: combos for choices, a text
box for names, date edits and a days spin box (each with an "any" value meaning no filter)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from crm_desktop.ui.tables.specs import FilterSpec

NO_DATE = QDate(2000, 1, 1)  # the date edit's "any" value


class FilterBar(QScrollArea):
    """`changed(now)`: a control changed; now=False for typing (debounce), True for a pick."""

    changed = Signal(bool)

    def __init__(self, filters: list[FilterSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="filterScroller", widgetResizable=True)
        self.widgets: dict[str, QWidget] = {}
        self.choice_loaders: list[tuple[FilterSpec, QComboBox]] = []  # choices read from the database
        holder = QWidget(objectName="filterBar")
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for f in filters:
            row.addWidget(QLabel(f.label + ":", objectName="filterLabel"))
            widget = self._control(f)
            self.widgets[f.key] = widget
            row.addWidget(widget)
            row.addSpacing(6)
        clear = QPushButton("Clear filters", objectName="linkButton", flat=True)
        clear.clicked.connect(self._clear_clicked)
        row.addWidget(clear)
        row.addStretch(1)
        # A frameless scroll area: many filters never force a minimum window width.
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(holder)
        self.setFixedHeight(holder.sizeHint().height() + self.horizontalScrollBar().sizeHint().height())

    def _control(self, f: FilterSpec) -> QWidget:
        if f.kind == "text":
            edit = QLineEdit(placeholderText="Name or email", clearButtonEnabled=True)
            edit.setFixedWidth(150)
            edit.textChanged.connect(lambda _t: self.changed.emit(False))
            return edit
        if f.kind == "date":
            edit = QDateEdit(calendarPopup=True, displayFormat="d MMM yyyy")
            edit.setFixedWidth(118)
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText("Any")
            edit.setDate(NO_DATE)
            edit.dateChanged.connect(lambda _d: self.changed.emit(False))
            return edit
        if f.kind == "days":
            spin = QSpinBox(minimum=-1, maximum=3650, value=-1, suffix=" days")
            spin.setSpecialValueText("Any")
            spin.valueChanged.connect(lambda _v: self.changed.emit(False))
            return spin
        combo = QComboBox()
        combo.addItem(f.any_label or f"Any {f.label.lower()}", "")
        for value, label in f.choices:
            combo.addItem(label, value)
        if f.loader is not None:
            self.choice_loaders.append((f, combo))
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit(True))
        return combo

    def values(self) -> dict[str, Any]:
        """{key: value}; "" where a control is on its "any" value."""
        values: dict[str, Any] = {}
        for key, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                values[key] = widget.currentData() or ""
            elif isinstance(widget, QLineEdit):
                values[key] = widget.text().strip()
            elif isinstance(widget, QDateEdit):
                d = widget.date()
                values[key] = "" if d == NO_DATE else date(d.year(), d.month(), d.day()).isoformat()
            elif isinstance(widget, QSpinBox):
                values[key] = "" if widget.value() < 0 else widget.value()
        return values

    @property
    def active(self) -> bool:
        return any(v not in ("", None) for v in self.values().values())

    def set_value(self, key: str, value: Any) -> None:
        """Set one control without emitting `changed`: a choice value, text, ISO date, or days."""
        widget = self.widgets[key]
        widget.blockSignals(True)
        try:
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value or "")))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value or ""))
            elif isinstance(widget, QDateEdit):
                widget.setDate(QDate.fromString(value, "yyyy-MM-dd") if value else NO_DATE)
            elif isinstance(widget, QSpinBox):
                widget.setValue(-1 if value in (None, "") else int(value))
        finally:
            widget.blockSignals(False)

    def clear(self) -> None:
        for key in self.widgets:
            self.set_value(key, "")

    def _clear_clicked(self) -> None:
        self.clear()
        self.changed.emit(True)
