"""A list page: search box, filters, row count, the paged table, and CSV export of the selection or
of every filtered row. One class serves contacts, properties, enquiries, memberships and activity."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import formatting as fmt
from crm_desktop.exporting import export_rows
from crm_desktop.services import table_queries as tq
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.errors import describe
from crm_desktop.ui.tables import table_actions
from crm_desktop.ui.tables.chip_delegate import ChipDelegate
from crm_desktop.ui.tables.filter_bar import FilterBar
from crm_desktop.ui.tables.paged_model import PagedTableModel
from crm_desktop.ui.tables.specs import FilterSpec, TableSpec

log = logging.getLogger(__name__)
SEARCH_DEBOUNCE_MS = 250
MAX_KEPT_SELECTION = 200  # selected rows re-found after a refresh (each is a scan of the key list)


class TablePage(QWidget):
    """Everything for one list; `open_requested(kind, id)` fires on double-click or Enter."""

    open_requested = Signal(str, str)
    exported = Signal(str, int)  # path, rows

    def __init__(self, ctx: UiContext, spec: TableSpec, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.spec, self.settings = ctx, spec, settings
        self.setObjectName(f"page_{spec.name}")
        self.model = PagedTableModel(ctx, spec.name, spec.columns, parent=self)
        self.model.defer_keys = lambda: not self.isVisible()
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self._refresh = QTimer(self, singleShot=True, interval=300)
        self._refresh.timeout.connect(self.refresh)
        self._keep: tuple[int, list[Any]] | None = None  # scroll position and selected keys over a refresh
        self._stale = False  # the data changed while the page was hidden
        self._build()
        self.model.loaded.connect(self._on_loaded)
        self.model.keys_loaded.connect(self._restore_selection)
        self.model.load_failed.connect(self._show_message)
        ctx.changes.changed.connect(self._on_changed)
        self._restore()

    # ---- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)

        top = QHBoxLayout()
        title = QLabel(self.spec.title, objectName="pageTitle")
        self.count_label = QLabel("Loading…", objectName="countLabel")
        self.search_box = QLineEdit(placeholderText=f"Search {self.spec.title.lower()}…",
                                    objectName="tableSearch", clearButtonEnabled=True)
        self.search_box.setMinimumWidth(280)
        self.search_box.textChanged.connect(lambda _t: self._debounce.start())
        self.search_box.returnPressed.connect(self.apply_filters)
        export = QToolButton(text="Export", objectName="exportButton")
        export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(export)
        self.export_selection_action = menu.addAction("Export selection to CSV…", self._ask_export_selection)
        self.export_all_action = menu.addAction("Export all filtered rows to CSV…", self._ask_export_all)
        export.setMenu(menu)
        export.setEnabled(self.ctx.actor.can("export"))
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        top.addStretch(1)
        top.addWidget(self.search_box)
        top.addWidget(export)
        self.new_button: QPushButton | None = None
        if self.spec.new_dialog is not None:
            self.new_button = QPushButton(f"New {self.spec.noun}", objectName="newButton")
            self.new_button.setToolTip(f"New {self.spec.noun} (Ctrl+N)")
            self.new_button.clicked.connect(self.new_record)
            QShortcut(QKeySequence.StandardKey.New, self, self.new_record,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            top.addWidget(self.new_button)
        layout.addLayout(top)

        self.filters = FilterBar(self.spec.filters)
        self.filters.changed.connect(lambda now: self.apply_filters() if now else self._debounce.start())
        if self.spec.filters:
            layout.addWidget(self.filters)
        else:
            self.filters.hide()

        self.message = QLabel(objectName="inlineError", wordWrap=True)
        self.message.hide()
        layout.addWidget(self.message)

        self.view = QTableView(objectName=f"table_{self.spec.name}")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()  # a visible vertical header makes repaints after a reset slow
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(30)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        # Not view.setSortingEnabled(): that sorts at once by column 0; the model's default sort stands.
        header.sortIndicatorChanged.connect(self.model.sort)
        self._chips = ChipDelegate(self.view)
        for n, column in enumerate(self.spec.columns):
            header.resizeSection(n, column.width)
            if column.colours is not None:
                self.view.setItemDelegateForColumn(n, self._chips)
        table_actions.install(self)
        # `activated` is a double-click or Enter (connecting doubleClicked too would open twice)
        self.view.activated.connect(lambda index: self._open_row(index.row()))
        layout.addWidget(self.view, 1)

    def new_record(self) -> QWidget | None:
        """Open the "New …" dialog; the saved record opens in its own window."""
        if self.spec.new_dialog is None:
            return None
        if not self.ctx.actor.can("write"):
            self._show_message(f"{self.ctx.actor.name or self.ctx.actor.id} ({self.ctx.actor.role}) "
                               f"cannot add {self.spec.plural or self.spec.noun + 's'}.")
            return None
        module, name = self.spec.new_dialog
        try:
            dialog_cls = getattr(importlib.import_module(module), name)
        except (ModuleNotFoundError, AttributeError):
            self._show_message(f"Adding a {self.spec.noun} is not available in this build.")
            return None
        dialog = dialog_cls(self.ctx, None, self)
        if self.spec.open_kind:
            dialog.saved.connect(lambda record_id: record_id and self.open_requested.emit(
                self.spec.open_kind, str(record_id)))
        dialog.open()
        return dialog

    def _load_choices(self, f: FilterSpec, combo: QComboBox) -> None:
        loader, db = f.loader, self.ctx.db

        def work(_task: Any) -> list[tuple[str, str]]:
            with db.read() as session:
                return loader(session)  # type: ignore[misc]

        def fill(choices: list[tuple[str, str]]) -> None:
            for value, label in choices:
                combo.addItem(label, value)

        self.ctx.tasks.run(f"choices {f.key}", work, on_success=lambda c: shiboken6.isValid(combo) and fill(c),
                           on_error=lambda exc: log.warning("cannot load %s choices: %s", f.key, exc))

    # ---- filters -----------------------------------------------------------------------------------

    def filter_values(self) -> dict[str, Any]:
        return self.filters.values()

    def set_filter(self, key: str, value: Any) -> None:
        """Set one filter control and apply at once: a choice value, text, ISO date, or days."""
        self.filters.set_value(key, value)
        self.apply_filters()

    def clear_filters(self) -> None:
        self.filters.clear()
        self.apply_filters()

    def set_search(self, text: str) -> None:
        self.search_box.setText(text)
        self.apply_filters()

    def apply_filters(self) -> None:
        self._debounce.stop()
        self.message.hide()
        self.count_label.setText("Searching…")
        self.model.set_filters(self.filter_values(), self.search_box.text().strip())

    # ---- reactions -------------------------------------------------------------------------------------

    def _on_loaded(self, count: int) -> None:
        if self._keep is not None:  # a refresh: stay where the user was (the selection follows the keys)
            bar = self.view.verticalScrollBar()
            bar.setValue(min(self._keep[0], bar.maximum()))
        while self.filters.choice_loaders:  # read with the first rows, once the database is open
            self._load_choices(*self.filters.choice_loaders.pop())
        total = fmt.count(count, self.spec.noun, self.spec.plural)
        filtered = self.filters.active or self.search_box.text().strip()
        self.count_label.setText(f"{total} found" if filtered else total)
        plural = self.spec.plural or self.spec.noun + "s"
        self.empty_state.show_text(
            None if count else f"No {plural} match these filters." if filtered else f"No {plural} yet.")
        current = self.model.sort_column()
        if current is not None:
            header = self.view.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(current[0], current[1])
            header.blockSignals(False)

    def _show_message(self, text: str) -> None:
        self.count_label.setText("")
        self.message.setText(text)
        self.message.show()

    def refresh(self) -> None:
        """Reload the same query after the data changed, keeping the scroll position and selection."""
        keys = self.model.keys_for_rows(self.selected_rows()[:MAX_KEPT_SELECTION]) or []
        self._keep = (self.view.verticalScrollBar().value(), keys)
        self.model.reload()

    def _restore_selection(self, _count: int) -> None:
        keep, self._keep = self._keep, None
        if keep is None:
            return
        _scroll, keys = keep
        selection = self.view.selectionModel()
        for key in keys:
            try:
                row = self.model.position(key)
            except ValueError:
                continue  # the row no longer matches (deleted, or filtered out by the change)
            selection.select(self.model.index(row, 0),
                             selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def _on_changed(self, entities: frozenset[str]) -> None:
        watched = {self.model.table.entity, "sync"}
        if self.spec.name == "activity" or watched & set(entities) or (
                self.spec.name != "contacts" and "contact" in entities):
            if self.isVisible():
                self._refresh.start()
            else:  # a hidden page (another sidebar page is showing) refreshes when it is shown
                self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._refresh.start()
        else:
            self.model.ensure_keys()

    def _open_row(self, row: int) -> None:
        record_id = self.model.id_at(row)
        if record_id and self.spec.open_kind:
            self.open_requested.emit(self.spec.open_kind, record_id)
        elif record_id and self.spec.name == "activity":
            data = self.model.row(row, fetch=False) or {}
            kind = data.get("entityType")
            if kind in ("contact", "property", "enquiry", "membership"):
                self.open_requested.emit(kind, data.get("entityId"))

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.view.selectionModel().selectedRows()})

    # ---- export --------------------------------------------------------------------------------------

    def _ask_path(self) -> str | None:
        default = str(Path.home() / f"{self.spec.name}-{date.today().isoformat()}.csv")
        path, _ = QFileDialog.getSaveFileName(self, "Export to CSV", default, "CSV files (*.csv)")
        return path or None

    def _ask_export_selection(self) -> None:
        if not self.selected_rows():
            self._show_message("Select one or more rows first (Ctrl+click or Shift+click to select several).")
            return
        if path := self._ask_path():
            self.export_selection(path)

    def _ask_export_all(self) -> None:
        if path := self._ask_path():
            self.export_all(path)

    def _headers(self) -> list[str]:
        return [c.header for c in self.spec.columns]

    def _export_values(self, row: dict[str, Any]) -> list[Any]:
        return [(c.export or c.format)(row) for c in self.spec.columns]

    def export_selection(self, path: str, on_done: Callable[[int], None] | None = None) -> None:
        """Write the selected rows (read again from the database, in table order) to `path`."""
        selected = self.selected_rows()
        keys, query = self.model.keys_for_rows(selected), self.model.query
        table, db, actor, values = self.model.table, self.ctx.db, self.ctx.actor, self._export_values

        def work(_task: Any) -> int:
            with db.read() as session:
                chosen = keys
                if chosen is None:  # the key list is still loading: read it here
                    every = tq.fetch_keys(session, table, query)
                    chosen = [every[r] for r in selected if r < len(every)]
                rows = [values(r) for r in tq.fetch_rows(session, table, chosen) if r is not None]
            return export_rows(db, actor, f"table:{table.name}", path, self._headers(), rows,
                               {"scope": "selection"})

        self._run_export(path, work, on_done)

    def export_all(self, path: str, on_done: Callable[[int], None] | None = None) -> None:
        """Write every row matching the current filters and sort to `path` (streamed)."""
        query = replace(self.model.query)
        table, db, actor, values = self.model.table, self.ctx.db, self.ctx.actor, self._export_values
        details = {"scope": "all", "filters": {k: str(v) for k, v in query.filters.items()},
                   "search": query.search}

        def work(task: Any) -> int:
            with db.read() as session:
                rows = (values(r) for r in tq.iter_rows(session, table, query))
                return export_rows(db, actor, f"table:{table.name}", path, self._headers(), rows, details)

        self._run_export(path, work, on_done)

    def _run_export(self, path: str, work: Callable[[Any], int], on_done: Callable[[int], None] | None) -> None:
        def done(count: int) -> None:
            self.count_label.setText(f"Exported {fmt.count(count, 'row')} to {Path(path).name}")
            self.ctx.changes.notify("activity")
            self.exported.emit(path, count)
            if on_done:
                on_done(count)

        self.ctx.tasks.run(f"export {self.spec.name}", work,
                           on_success=lambda n: done(n) if shiboken6.isValid(self) else None,
                           on_error=lambda exc: shiboken6.isValid(self) and self._show_message(
                               f"The export failed: {describe(exc).text} {describe(exc).advice}"))

    # ---- remembered state ---------------------------------------------------------------------------

    def _restore(self) -> None:
        if self.settings is None:
            return
        state = self.settings.value(f"tables/{self.spec.name}/header")
        if state is not None:
            self.view.horizontalHeader().restoreState(state)
        sort = self.settings.value(f"tables/{self.spec.name}/sort")
        if sort and any(c.sort_key == sort for c in self.spec.columns):
            descending = self.settings.value(f"tables/{self.spec.name}/descending", False, type=bool)
            self.model.query = replace(self.model.query, sort=str(sort), descending=bool(descending))

    def save_state(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue(f"tables/{self.spec.name}/header", self.view.horizontalHeader().saveState())
        if self.model.query.sort:
            self.settings.setValue(f"tables/{self.spec.name}/sort", self.model.query.sort)
            self.settings.setValue(f"tables/{self.spec.name}/descending", self.model.query.descending)
