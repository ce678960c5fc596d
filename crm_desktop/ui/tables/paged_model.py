"""One table model for every big list: ordered keys from SQL, rows fetched a page at a time.

The model never holds all rows. A (re)load runs a background task that reads the row count and the
first page (so the table paints at once), then a second that reads the ordered keys of the filtered,
sorted result (crm_desktop.services.table_queries: integer rowids on SQLite, 8 bytes a row). Other
pages are read on demand when the view asks for a row that is not cached, on the TaskRunner, by key
(or by position until the keys arrive), and shown when they arrive (a blank row until then). A small
LRU page cache bounds memory. Sorting is a new SQL query (no proxy model): Qt's proxy would call
data() tens of millions of times over a million rows.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from crm_desktop.services import table_queries as tq
from crm_desktop.ui.context import UiContext

log = logging.getLogger(__name__)

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
ID_ROLE = int(Qt.ItemDataRole.UserRole.value) + 1  # the record's id (str) for a row
MAX_PAGES = 40  # 40 pages x 100 rows of small dicts: well under a megabyte
# Roles as plain ints: data() runs ~1,700 times a repaint, and comparing Python enums is slow.
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_ROLES = frozenset({DISPLAY, ALIGNMENT, TOOLTIP, FOREGROUND, BACKGROUND, ID_ROLE})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True)
class ColumnSpec:
    """How one column looks: key, header, text for a row, SQL sort key (None: not sortable), alignment."""

    key: str
    header: str
    format: Callable[[dict[str, Any]], str]
    sort_key: str | None = None
    align: Qt.AlignmentFlag = LEFT
    width: int = 120
    # The value written to CSV (raw: ISO dates, plain decimals); defaults to the displayed text.
    export: Callable[[dict[str, Any]], Any] | None = None
    # (text colour, background colour) for a row, e.g. enquiry status chips; None for the default.
    colours: Callable[[dict[str, Any]], tuple[str, str] | None] | None = None
    tooltip: bool = False


class _Row:
    """A fetched row with its cells already formatted (on the worker thread, not in data())."""

    __slots__ = ("data", "texts", "colours")

    def __init__(self, data: dict[str, Any], columns: list[ColumnSpec]) -> None:
        self.data = data
        self.texts = [c.format(data) for c in columns]
        self.colours = [c.colours(data) if c.colours is not None else None for c in columns]


def _prepare(rows: list[dict[str, Any] | None], columns: list[ColumnSpec]) -> list[_Row | None]:
    return [None if r is None else _Row(r, columns) for r in rows]


class PagedTableModel(QAbstractTableModel):
    """A read-only table over `table_queries.table(name)`, reloaded when its query or data changes."""

    loaded = Signal(int)  # row count after a (re)load; the first page is there, the keys may follow
    keys_loaded = Signal(int)  # the whole ordered key list has arrived (jumps and exports by key)
    page_loaded = Signal(int)  # page number
    load_failed = Signal(str)  # a message for the view

    def __init__(self, ctx: UiContext, table_name: str, columns: list[ColumnSpec],
                 query: tq.TableQuery | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table = tq.table(table_name)
        self.columns = columns
        self.query = query or tq.TableQuery()
        self.page_size = tq.PAGE_SIZE
        self._count = 0
        self._keys: tq.KeyList | None = None  # None until the background key read arrives
        self._pages: OrderedDict[int, list[_Row | None]] = OrderedDict()
        self._aligns = [int(c.align.value) for c in columns]
        self._pending: set[int] = set()
        self._generation = 0
        self.loading = False
        # When set and true at load time, the key list waits for ensure_keys() (a hidden page
        # shows its count and first rows but does not read a million keys nobody is looking at).
        self.defer_keys: Callable[[], bool] | None = None
        self._keys_wanted = False
        self._colour_cache: dict[str, QColor] = {}

    # ---- loading -------------------------------------------------------------------------------------

    def _alive(self) -> bool:
        """False once the model's Qt object is gone (its page closed while a read was in flight)."""
        return shiboken6.isValid(self)

    def set_query(self, query: tq.TableQuery) -> None:
        self.query = query
        self.reload()

    def set_filters(self, filters: dict[str, Any], search: str) -> None:
        clean = {k: v for k, v in filters.items() if v not in (None, "")}
        self.set_query(replace(self.query, filters=clean, search=search))

    def reload(self) -> None:
        """Read the count and first page again (after a filter, sort, or a change to the data), then the keys."""
        self._generation += 1
        generation, query, table, db = self._generation, self.query, self.table, self.ctx.db
        size, columns = self.page_size, self.columns
        self.loading = True

        def work(_task: Any) -> tuple[int, list[dict[str, Any] | None], tq.KeyList | None]:
            with db.read() as session:
                count = tq.count_rows(session, table, query)
                first = _prepare(tq.fetch_page(session, table, query, 0, size), columns)
                # a small result's keys cost no more than its first page: read them now
                keys = tq.fetch_keys(session, table, query) if count <= size else None
                return count, first, keys

        self.ctx.tasks.run(f"load {table.name}", work,
                           on_success=lambda result: self._alive() and self._counted(generation, query, result),
                           on_error=lambda exc: self._alive() and self._failed(generation, exc))

    def _counted(self, generation: int, query: tq.TableQuery,
                 result: tuple[int, list[dict[str, Any] | None], tq.KeyList | None]) -> None:
        if generation != self._generation:
            return  # a newer query has been asked for; this answer is stale
        count, first, keys = result
        if keys is not None:
            self.install(len(keys), first if len(keys) == count else None, keys)
            self.keys_loaded.emit(len(keys))
            return
        self.install(count, first)
        if self.defer_keys is not None and self.defer_keys():
            self._keys_wanted = True  # read by ensure_keys() when the table is shown
            return
        self._load_keys(generation, query)

    def ensure_keys(self) -> None:
        """Read the key list now if it was deferred (the table has just been shown)."""
        if self._keys_wanted:
            self._load_keys(self._generation, self.query)

    def _load_keys(self, generation: int, query: tq.TableQuery) -> None:
        self._keys_wanted = False
        table, db = self.table, self.ctx.db

        def work(_task: Any) -> tq.KeyList:
            with db.read() as session:
                return tq.fetch_keys(session, table, query)

        self.ctx.tasks.run(f"keys {table.name}", work,
                           on_success=lambda keys: self._alive() and self._keys_arrived(generation, keys),
                           on_error=lambda exc: self._alive() and self._failed(generation, exc))

    def _keys_arrived(self, generation: int, keys: tq.KeyList) -> None:
        if generation != self._generation:
            return
        if len(keys) != self._count:
            # rows were added or removed between the two reads: the key list is the newer truth
            self.install(len(keys), None, keys)
        else:
            self._keys = keys
        self.keys_loaded.emit(len(keys))

    def install(self, count: int, first_page: list[dict[str, Any] | None] | None,
                keys: tq.KeyList | None = None) -> None:
        """Swap in a new result (one model reset); `keys` may follow later."""
        self.beginResetModel()
        self._count = count
        self._keys = keys
        self._keys_wanted = False
        self._pages.clear()
        self._pending.clear()
        if count and first_page is not None:
            self._pages[0] = [r if not isinstance(r, dict) else _Row(r, self.columns) for r in first_page]
        self.endResetModel()
        self.loading = False
        self.loaded.emit(count)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.loading = False
        from crm_desktop.ui.errors import describe  # late: errors imports widgets

        self.load_failed.emit(describe(exc).text)

    def _request_page(self, page: int) -> None:
        if page in self._pending or page in self._pages:
            return
        start = page * self.page_size
        if start >= self._count:
            return
        keys = self._keys[start:start + self.page_size] if self._keys is not None else None
        self._pending.add(page)
        generation, table, db, query, size = self._generation, self.table, self.ctx.db, self.query, self.page_size
        columns = self.columns

        def work(_task: Any) -> list[_Row | None]:
            with db.read() as session:
                if keys is None:  # the key list is still loading: read the page by position
                    rows = tq.fetch_page(session, table, query, start, size)
                else:
                    rows = tq.fetch_rows(session, table, keys)
            return _prepare(rows, columns)

        self.ctx.tasks.run(f"page {table.name}", work,
                           on_success=lambda rows: self._alive() and self._page_arrived(generation, page, rows),
                           on_error=lambda exc: self._alive() and self._page_failed(generation, page, exc))

    def _page_arrived(self, generation: int, page: int, rows: list[_Row | None]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(first + len(rows), self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self.page_loaded.emit(page)

    def _page_failed(self, generation: int, page: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._pending.discard(page)
            self.load_failed.emit(f"Some rows could not be read: {exc}")

    # ---- rows ----------------------------------------------------------------------------------------

    def _entry(self, row: int, fetch: bool = True) -> _Row | None:
        page, offset = divmod(row, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            if fetch:
                self._request_page(page)
            return None
        self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    def row(self, row: int, *, fetch: bool = True) -> dict[str, Any] | None:
        """The cached row dict, or None (and a page request) when its page is not loaded yet."""
        entry = self._entry(row, fetch)
        return entry.data if entry is not None else None

    def keys_for_rows(self, rows: list[int]) -> list[Any] | None:
        """The keys of these rows in table order, or None while the key list is still loading."""
        if self._keys is None:
            return None
        return [self._keys[r] for r in sorted(set(rows)) if 0 <= r < len(self._keys)]

    def position(self, key: Any) -> int:
        """The row of a key (ValueError when it is not in the result or the keys are not loaded yet)."""
        if self._keys is None:
            raise ValueError(key)
        return self._keys.position(key)

    def id_at(self, row: int) -> str | None:
        data = self.row(row, fetch=False)
        return data.get("id") if data else None

    @property
    def total(self) -> int:
        return self._count

    @property
    def keys_ready(self) -> bool:
        return self._keys is not None

    @property
    def key_bytes(self) -> int:
        return self._keys.nbytes if self._keys is not None else 0

    # ---- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """A short dispatcher over pre-formatted cells (called ~1,700 times a repaint)."""
        if role not in _ROLES or not index.isValid():
            return None
        column = index.column()
        if role == ALIGNMENT:
            return self._aligns[column]
        entry = self._entry(index.row())
        if entry is None:
            return None
        if role == DISPLAY:
            return entry.texts[column]
        if role == ID_ROLE:
            return entry.data.get("id")
        if role == TOOLTIP:
            return entry.texts[column] if self.columns[column].tooltip else None
        pair = entry.colours[column]
        if pair is None:
            return None
        return self._colour(pair[0] if role == FOREGROUND else pair[1])

    def chip(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, QColor, QColor] | None:
        """(text, text colour, background) for a coloured cell, or None (for the chip delegate)."""
        entry = self._entry(index.row(), fetch=False)
        if entry is None:
            return None
        pair = entry.colours[index.column()]
        text = entry.texts[index.column()]
        if pair is None or not text:
            return None
        return text, self._colour(pair[0]), self._colour(pair[1])

    def _colour(self, name: str) -> QColor:
        colour = self._colour_cache.get(name)
        if colour is None:
            colour = self._colour_cache[name] = QColor(name)
        return colour

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align.value)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A new SQL query ordered by the column's whitelisted sort key."""
        if not 0 <= column < len(self.columns) or self.columns[column].sort_key is None:
            return
        self.set_query(replace(self.query, sort=self.columns[column].sort_key,
                               descending=order == Qt.SortOrder.DescendingOrder))

    def sort_column(self) -> tuple[int, Qt.SortOrder] | None:
        """The column and order of the current sort (for the header's indicator)."""
        key = self.query.sort or self.table.default_sort
        descending = self.query.descending if self.query.sort else self.table.default_descending
        for n, column in enumerate(self.columns):
            if column.sort_key == key:
                return n, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        return None
