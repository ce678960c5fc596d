"""The dialog base the create/edit dialogs share.

Saving runs the service in a background write task. A ValidationError's per-field messages appear in
red under the fields they are about (others in the banner); a ConflictError is shown with a "Reload"
button and nothing is overwritten: the user's copy is kept until they choose to reload.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.common import STYLE, Banner, friendly_error, humanise

FieldWidget = QLineEdit | QPlainTextEdit | QComboBox
log = logging.getLogger(__name__)


def combo(values: Iterable[str | tuple[str | None, str]], *, blank: str | None = None) -> QComboBox:
    """A combo box of (data, label) pairs; plain strings are shown humanised. `blank` adds a None choice."""
    box = QComboBox()
    if blank is not None:
        box.addItem(blank, None)
    for v in values:
        data, label = v if isinstance(v, tuple) else (v, humanise(v))
        box.addItem(label, data)
    return box


def set_combo(box: QComboBox, data: Any) -> None:
    index = box.findData(data)
    if index < 0 and data is not None:
        box.addItem(str(data), data)  # a value the list does not know (e.g. from the platform): keep it
        index = box.count() - 1
    box.setCurrentIndex(max(index, 0))


def widget_value(widget: FieldWidget) -> Any:
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip() or None
    return widget.text().strip() or None


def set_widget_value(widget: FieldWidget, value: Any) -> None:
    if isinstance(widget, QComboBox):
        set_combo(widget, value)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText("" if value is None else str(value))
    else:
        widget.setText("" if value is None else (f"{value:.2f}" if isinstance(value, Decimal) else str(value)))


def comparable(value: Any) -> Any:
    """Values as the form shows them, so unchanged fields are not sent as changes."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


class FormDialog(QDialog):
    """Fields in a grid, each with an error label under it; subclasses implement `save(session, data)`."""

    saved = Signal(object)  # whatever `save` returned (usually the record id)
    ENTITIES: tuple[str, ...] = ()

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(560)
        self.fields: dict[str, FieldWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.version: int | None = None
        self.loaded_values: dict[str, Any] = {}
        self.busy = False
        outer = QVBoxLayout(self)
        self.banner = Banner()
        self.banner.action_clicked.connect(self.reload)
        outer.addWidget(self.banner)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, 1)
        outer.addLayout(self.grid)
        self._row = 0
        self._col = 0
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        # Spare height goes above the buttons: without it the banner grows towards its (multi-line) size
        # hint and a one-line message sits in a box much taller than its text.
        outer.addStretch(1)
        outer.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.submit)

    # ---- building ---------------------------------------------------------------------------------
    def add_field(self, key: str, label: str, widget: FieldWidget, *, wide: bool = False,
                  hint: str | None = None) -> FieldWidget:
        """Add a field; `wide` spans both columns (notes, messages)."""
        if wide and self._col:
            self._row += 2
            self._col = 0
        name = QLabel(label)
        name.setObjectName("fieldName")
        name.setBuddy(widget)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        if hint and isinstance(widget, QLineEdit):
            widget.setPlaceholderText(hint)
        col = self._col * 2
        span = 3 if wide else 1
        vertical = Qt.AlignmentFlag.AlignTop if isinstance(widget, QPlainTextEdit) else Qt.AlignmentFlag.AlignVCenter
        self.grid.addWidget(name, self._row, col, vertical | Qt.AlignmentFlag.AlignRight)
        self.grid.addWidget(widget, self._row, col + 1, 1, span)
        self.grid.addWidget(error, self._row + 1, col + 1, 1, span)
        self.grid.setRowMinimumHeight(self._row + 1, 14)
        if wide or self._col == 1:
            self._row += 2
            self._col = 0
        else:
            self._col = 1
        self.fields[key] = widget
        self.error_labels[key] = error
        signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.textChanged
        signal.connect(lambda *_a, k=key: self.clear_error(k))
        return widget

    # ---- values -----------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {key: widget_value(w) for key, w in self.fields.items()}

    def fill(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in self.fields:
                set_widget_value(self.fields[key], value)
        self.loaded_values = {k: comparable(v) for k, v in values.items() if k in self.fields}

    def changes(self) -> dict[str, Any]:
        """The fields the user changed since the record was loaded (all of them for a new record)."""
        current = self.values()
        if not self.loaded_values:
            return {k: v for k, v in current.items() if v is not None}
        return {k: v for k, v in current.items() if comparable(v) != self.loaded_values.get(k)}

    # ---- errors -----------------------------------------------------------------------------------
    def clear_error(self, key: str) -> None:
        label = self.error_labels.get(key)
        if label is not None:
            label.clear()
            label.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        for key in self.error_labels:
            self.clear_error(key)
        others = []
        first: QWidget | None = None
        for key, message in errors.items():
            label = self.error_labels.get(key)
            if label is None:
                others.append(f"{humanise(key)} {message}")
                continue
            label.setText(message[:1].upper() + message[1:])
            label.show()
            first = first or self.fields[key]
        if others:
            self.banner.show_message("Please check: " + "; ".join(others), "error")
        else:
            self.banner.show_message("Please correct the fields marked in red.", "error")
        if first is not None:
            first.setFocus()

    def error_text(self, key: str) -> str:
        label = self.error_labels[key]
        return label.text() if not label.isHidden() else ""

    # ---- loading and saving -----------------------------------------------------------------------
    def load(self, session) -> dict[str, Any] | None:  # noqa: ANN001
        """Worker thread: the record's current values (with 'version'), or None for a new record."""
        return None

    def save(self, session, data: dict[str, Any]) -> Any:  # noqa: ANN001
        raise NotImplementedError

    def reload(self) -> None:
        def work(_task) -> Any:  # noqa: ANN001
            with self.ctx.db.read() as session:
                return self.load(session)

        self.ctx.tasks.run(f"load {type(self).__name__}", work, on_success=self._filled,
                           on_error=lambda exc: self.banner.show_message(friendly_error(exc), "error"))

    def _filled(self, values: dict[str, Any] | None) -> None:
        if values is None or not shiboken6.isValid(self):  # closed (and deleted) while loading
            return
        values = dict(values)
        self.version = values.pop("version", None)
        self.fill(values)
        if not self.banner.isHidden() and self.banner.button.text() == "Reload":
            self.banner.show_message("Loaded the latest version. Make your change again and save.", "info")

    def submit(self) -> None:
        if self.busy:
            return
        data = self.changes()
        if not data and self.loaded_values:
            self.accept()  # nothing changed
            return
        self.busy = True
        self.buttons.setEnabled(False)
        version = self.version

        def work(_task) -> Any:  # noqa: ANN001
            return self.ctx.db.write(lambda s: self.save_with_version(s, data, version))

        self.ctx.tasks.run(f"save {type(self).__name__}", work, on_success=lambda result: self._saved(result),
                           on_error=lambda exc: self._failed(exc))  # lambdas: still called once the dialog is gone

    def save_with_version(self, session, data: dict[str, Any], version: int | None) -> Any:  # noqa: ANN001
        return self.save(session, data) if version is None else self.save_existing(session, data, version)

    def save_existing(self, session, data: dict[str, Any], version: int) -> Any:  # noqa: ANN001
        return self.save(session, data)

    def _saved(self, result: Any) -> None:
        self.ctx.changes.notify(*self.ENTITIES)  # saved, even if the dialog's window has gone since
        if not shiboken6.isValid(self):
            return
        self.busy = False
        self.buttons.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            log.warning("%s: save failed after the dialog closed: %s", type(self).__name__, exc)
            return
        self.busy = False
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        elif isinstance(exc, ConflictError):
            self.banner.show_message(f"Not saved: {exc}", "warning", "Reload")
        else:
            self.banner.show_message(f"Not saved. {friendly_error(exc)}", "error")

