"""What a right-click and the keyboard offer on a list: open, copy rows (Ctrl+C, tab-separated for
pasting into a spreadsheet or an email), export; a header menu to hide or show columns (remembered
with the column widths); and a friendly line in place of an empty table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from crm_desktop.services import table_queries as tq

if TYPE_CHECKING:
    from crm_desktop.ui.tables.table_page import TablePage

MAX_COPY_ROWS = 10_000


def install(page: TablePage) -> None:
    view = page.view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda pos: row_menu(page).popup(view.viewport().mapToGlobal(pos)))
    header = view.horizontalHeader()
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda pos: _column_menu(page, pos))
    copy = QAction("Copy rows", view)
    copy.setShortcut(QKeySequence.StandardKey.Copy)
    copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    copy.triggered.connect(lambda: copy_selection(page))
    view.addAction(copy)
    page.copy_action = copy
    page.empty_state = EmptyState(view.viewport())


def row_menu(page: TablePage) -> QMenu:
    menu = QMenu(page.view)
    rows = page.selected_rows()
    if page.spec.open_kind and len(rows) == 1:
        menu.addAction(f"Open {page.spec.noun}", lambda: page._open_row(rows[0]))
    copy = menu.addAction(f"Copy {len(rows):,} row{'s' if len(rows) != 1 else ''}", lambda: copy_selection(page))
    copy.setEnabled(bool(rows))
    export = menu.addAction("Export selection to CSV…", page._ask_export_selection)
    export.setEnabled(bool(rows) and page.ctx.actor.can("export"))
    return menu


def _column_menu(page: TablePage, pos: QPoint) -> None:
    header = page.view.horizontalHeader()
    menu = QMenu(header)
    for n, column in enumerate(page.spec.columns):
        action = menu.addAction(column.header)
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(n))
        action.setEnabled(n != 0)  # the first column always shows which record a row is
        action.toggled.connect(lambda on, n=n: header.setSectionHidden(n, not on))
    menu.popup(header.mapToGlobal(pos))


def copy_selection(page: TablePage) -> None:
    """Put the selected rows (visible columns, as shown) on the clipboard, read in the background."""
    rows = page.selected_rows()[:MAX_COPY_ROWS]
    if not rows:
        return
    keys, query = page.model.keys_for_rows(rows), page.model.query
    table, db = page.model.table, page.ctx.db
    header = page.view.horizontalHeader()
    columns = [c for n, c in enumerate(page.spec.columns) if not header.isSectionHidden(n)]

    def work(_task: Any) -> str:
        with db.read() as session:
            chosen = keys
            if chosen is None:
                every = tq.fetch_keys(session, table, query)
                chosen = [every[r] for r in rows if r < len(every)]
            data = [r for r in tq.fetch_rows(session, table, chosen) if r is not None]
        lines = ["\t".join(c.header for c in columns)]
        lines += ["\t".join(c.format(r).replace("\t", " ").replace("\n", " ") for c in columns) for r in data]
        return "\n".join(lines) + "\n"

    def done(text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        count = text.count("\n") - 1
        page.count_label.setText(f"Copied {count:,} row{'s' if count != 1 else ''}")

    page.ctx.tasks.run(f"copy {page.spec.name}", work, on_success=done)


class EmptyState(QLabel):
    """A centred line over an empty table ("No contacts match these filters")."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport, objectName="emptyState")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.hide()
        viewport.installEventFilter(self)

    def show_text(self, text: str | None) -> None:
        if not text:
            self.hide()
            return
        self.setText(text)
        self._place()
        self.show()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(0, 0, parent.width(), min(parent.height(), 160))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False
