"""A short, fully loaded list of related records (an owner's properties, a contact's enquiries...).

Rows keep the order the query gave (newest first, or by title). Only used for bounded sets (a detail view shows at most a few hundred related rows), so a QTreeWidget
is enough here; the big tables use the paged models instead. Double-click or Enter opens the record.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from crm_desktop.ui.details.common import CHIP_COLOURS


class RecordList(QTreeWidget):
    open_requested = Signal(str)  # the record id

    def __init__(self, headers: Sequence[str], *, numeric: Sequence[int] = (), chip_column: int | None = None,
                 empty_text: str = "None yet") -> None:
        super().__init__()
        self.setHeaderLabels(list(headers))
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.numeric = set(numeric)
        self.chip_column = chip_column
        self.empty_text = empty_text
        self.itemActivated.connect(self._activated)
        self.itemDoubleClicked.connect(self._activated)

    def set_rows(self, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """rows: (record id, display values)."""
        self.clear()
        for record_id, values in rows:
            item = QTreeWidgetItem([str(v) for v in values])
            item.setData(0, Qt.ItemDataRole.UserRole, record_id)
            for col in self.numeric:
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if self.chip_column is not None:
                key = str(values[self.chip_column]).lower().replace(" ", "_")
                if key in CHIP_COLOURS:
                    item.setForeground(self.chip_column, QColor(CHIP_COLOURS[key]))
            self.addTopLevelItem(item)
        if not rows:
            placeholder = QTreeWidgetItem([self.empty_text])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(placeholder)
        for col in range(self.columnCount()):
            self.resizeColumnToContents(col)

    def record_ids(self) -> list[str]:
        return [rid for i in range(self.topLevelItemCount())
                if (rid := self.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole))]

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        record_id = item.data(0, Qt.ItemDataRole.UserRole)
        if record_id:
            self.open_requested.emit(record_id)
