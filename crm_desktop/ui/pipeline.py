"""The pipeline board: a column per enquiry status with a card per enquiry; drag a card to another
column to move it along the pipeline (new → contacted → negotiating → booked, or lost / spam).

The board shows a bounded set: the newest CARDS_PER_COLUMN enquiries of each status matching the
filters (the header shows the full count), so a QListWidget per column is enough; the Enquiries table
is the place for the whole list. Moves run `enquiries.change_status` from the version on the card, so
a card someone else moved in the meantime is reported as a conflict and the board reloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDropEvent, QFont, QPainter, QPainterPath
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from crm_desktop.db import counters
from crm_desktop.db.models import ENQUIRY_STATUSES, PRIORITIES, Contact, Enquiry, Property, Staff
from crm_desktop.search.contacts_index import contact_search_clause
from crm_desktop.services import enquiries
from crm_desktop.services.errors import ConflictError
from crm_desktop.ui.charts import pounds
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.common import CHIP_COLOURS, DASH, LoadingView, day, friendly_error, humanise

CARDS_PER_COLUMN = 200
SEARCH_CONTACTS = 1_000  # guests matching the search box, at most
CARD_ROLE = Qt.ItemDataRole.UserRole + 1
CARD_MIME = "application/x-crm-enquiry-ids"
COLUMN_STYLE = (
    "QListWidget { background: transparent; border: none; }"
    "QScrollBar:vertical { width: 8px; background: transparent; margin: 0; }"
    "QScrollBar::handle:vertical { background: #cbd5e1; border-radius: 4px; min-height: 30px; }"
    "QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }"
    "QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: transparent; }"
)


@dataclass(frozen=True)
class Card:
    id: str
    version: int
    status: str
    guest: str
    property_title: str
    event_date: str | None
    budget: Decimal | None
    priority: str | None
    created_at: str
    assignee: str | None


@dataclass(frozen=True)
class BoardFilter:
    search: str | None = None
    priority: str | None = None
    assigned_to: str | None = None


@dataclass(frozen=True)
class BoardData:
    columns: dict[str, list[Card]]
    totals: dict[str, int]
    more: frozenset[str] = frozenset()  # filtered columns with more matches than shown (not counted)


CARD_COLUMNS = (Enquiry.id, Enquiry.version, Enquiry.status, Enquiry.guestName, Enquiry.guestEmail,
                Enquiry.propertyId, Enquiry.eventDate, Enquiry.estimatedBudget, Enquiry.priority,
                Enquiry.createdAt, Enquiry.assignedToAdminId)


def load_board(session, actor, filt: BoardFilter) -> BoardData:  # noqa: ANN001
    """Worker thread: the newest cards of every status.

    Without a search, each column is one range scan of idx_crm_enquiries_status_createdAt (or of
    idx_crm_enquiries_assigned for "assigned to me"), newest first with a LIMIT, so a column of a million
    enquiries costs what one of ten does; unfiltered totals come from the trigger-kept counters. A search
    first finds the guests through the contacts' search index (at most SEARCH_CONTACTS), then their
    enquiries through idx_crm_enquiries_contactId.
    """
    actor.require("read")
    where: list = []
    if filt.priority:
        where.append(Enquiry.priority == filt.priority)
    if filt.assigned_to:
        where.append(Enquiry.assignedToAdminId == filt.assigned_to)
    rows: dict[str, list[Any]] = {}
    totals: dict[str, int] = {}
    more: set[str] = set()
    if filt.search and filt.search.strip():
        clause = contact_search_clause(session.get_bind().dialect.name, filt.search)
        guests = list(session.scalars(select(Contact.id).where(clause).limit(SEARCH_CONTACTS))) \
            if clause is not None else []
        found: list[Any] = []
        for start in range(0, len(guests), 500):
            found += session.execute(select(*CARD_COLUMNS).where(
                Enquiry.contactId.in_(guests[start:start + 500]), *where)).all()
        found.sort(key=lambda r: (r.createdAt, r.id), reverse=True)
        for status in ENQUIRY_STATUSES:
            matching = [r for r in found if r.status == status]
            rows[status] = matching[:CARDS_PER_COLUMN]
            totals[status] = len(matching)
    else:
        exact = counters.read(session.connection(), "enquiries.status") if not where else {}
        for status in ENQUIRY_STATUSES:
            rows[status] = session.execute(select(*CARD_COLUMNS).where(Enquiry.status == status, *where)
                                           .order_by(Enquiry.createdAt.desc(), Enquiry.id.desc())
                                           .limit(CARDS_PER_COLUMN)).all()
            totals[status] = exact.get(status, (0, 0))[0] if not where else len(rows[status])
            if where and len(rows[status]) == CARDS_PER_COLUMN:
                more.add(status)  # counting a filtered million is not worth a slow board
    property_ids = {r.propertyId for items in rows.values() for r in items if r.propertyId}
    titles = dict(session.execute(select(Property.id, Property.title).where(Property.id.in_(property_ids))).all()) \
        if property_ids else {}
    names = dict(session.execute(select(Staff.id, Staff.name)).all())
    columns = {status: [Card(r.id, r.version, r.status, r.guestName or r.guestEmail or "(no name)",
                             titles.get(r.propertyId, "General enquiry"), r.eventDate, r.estimatedBudget,
                             r.priority, r.createdAt,
                             names.get(r.assignedToAdminId) if r.assignedToAdminId else None)
                        for r in items]
               for status, items in rows.items()}
    return BoardData(columns, totals, frozenset(more))


def total_text(total: int, shown: int, more: bool = False) -> str:
    if more:
        return f"{shown:,}+"
    return f"{total:,}" if total <= shown else f"{shown} of {total:,}"


class CardDelegate(QStyledItemDelegate):
    """A white card: priority strip, guest in bold, the property, event date and budget, who has it."""

    HEIGHT = 78

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802 - Qt API
        return QSize(option.rect.width() or 200, self.HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        card: Card | None = index.data(CARD_ROLE)
        if card is None:
            return super().paint(painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect.adjusted(4, 3, -4, -3)
        path = QPainterPath()
        path.addRoundedRect(r, 6, 6)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillPath(path, QColor("#eef2ff" if selected else "#ffffff"))
        painter.setPen(QColor("#6366f1" if selected else "#e5e7eb"))
        painter.drawPath(path)
        strip = QPainterPath()
        strip.addRoundedRect(r.left(), r.top(), 5, r.height(), 2, 2)
        painter.fillPath(strip, QColor(CHIP_COLOURS.get(card.priority or "", "#cbd5e1")))
        fm = option.fontMetrics
        x, width = r.left() + 13, r.width() - 20
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#111827"))
        line = fm.height() + 2
        name_width = width - (30 if card.assignee else 0)
        painter.drawText(QRect(x, r.top() + 6, name_width, fm.height()), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(card.guest, Qt.TextElideMode.ElideRight, name_width))
        painter.setFont(option.font)
        painter.setPen(QColor("#4b5563"))
        painter.drawText(QRect(x, r.top() + 6 + line, width, fm.height()), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(card.property_title, Qt.TextElideMode.ElideRight, width))
        painter.setPen(QColor("#6b7280"))
        details = f"{day(card.event_date) if card.event_date else 'No date'} · " \
                  f"{pounds(card.budget) if card.budget is not None else DASH}"
        painter.drawText(QRect(x, r.top() + 6 + 2 * line, width, fm.height()), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(details, Qt.TextElideMode.ElideRight, width))
        if card.assignee:
            initials = "".join(p[0] for p in card.assignee.split()[:2]).upper()
            badge = QRect(r.right() - 30, r.top() + 5, 24, 20)
            painter.setBrush(QColor("#e0e7ff"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(badge, 10, 10)
            painter.setPen(QColor("#3730a3"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, initials)
        painter.restore()


class StatusColumn(QListWidget):
    """One status: cards can be dragged out of it and dropped into it."""

    card_dropped = Signal(str, str)  # (enquiry id, this column's status)

    def __init__(self, status: str) -> None:
        super().__init__()
        self.status = status
        self.setItemDelegate(CardDelegate(self))
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self.setSpacing(0)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet(COLUMN_STYLE)
        self.setMinimumWidth(140)

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt API
        return [*super().mimeTypes(), CARD_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: ANN001, N802 - Qt API
        """The dragged cards' enquiry ids travel with the drag, so a drop needs nothing else."""
        mime = super().mimeData(items)
        ids = [card.id for item in items if (card := item.data(CARD_ROLE)) is not None]
        mime.setData(CARD_MIME, QByteArray("\n".join(ids).encode()))
        return mime

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        """Never let Qt move the item itself: the board moves the enquiry, then redraws from the database."""
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if event.source() is self:
            return
        for enquiry_id in bytes(event.mimeData().data(CARD_MIME).data()).decode().split():
            self.card_dropped.emit(enquiry_id, self.status)

    def cards(self) -> list[Card]:
        return [c for i in range(self.count()) if (c := self.item(i).data(CARD_ROLE)) is not None]


class PipelineBoard(LoadingView):
    WATCH = frozenset({"enquiry", "staff"})

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.board: BoardData | None = None
        self.moving = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        title = QLabel("Pipeline")
        title.setObjectName("heading")
        head.addWidget(title)
        head.addSpacing(16)
        self.search = QLineEdit(placeholderText="Filter by guest name, email or phone…", clearButtonEnabled=True)
        self.search.setMinimumWidth(200)
        self.search.setMaximumWidth(300)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.priority = QComboBox()
        self.priority.addItem("Any priority", None)
        for p in PRIORITIES:
            self.priority.addItem(humanise(p), p)
        self.priority.currentIndexChanged.connect(lambda _i: self.reload())
        self.mine = QCheckBox("Assigned to me")
        self.mine.toggled.connect(lambda _c: self.reload())
        head.addWidget(self.search)
        head.addWidget(self.priority)
        head.addWidget(self.mine)
        head.addStretch(1)
        hint = QLabel("Drag a card to move it; double-click to open")
        hint.setObjectName("subheading")
        hint.setToolTip(f"Each column shows its newest {CARDS_PER_COLUMN} enquiries that match the filters; "
                        "the header gives the full count. The Enquiries table lists them all.")
        hint.setMinimumWidth(0)
        head.addWidget(hint)
        outer.addLayout(head)
        outer.addWidget(self.banner)

        row = QHBoxLayout()
        row.setSpacing(10)
        self.columns: dict[str, StatusColumn] = {}
        self.headers: dict[str, QLabel] = {}
        for status in ENQUIRY_STATUSES:
            frame = QFrame()
            frame.setObjectName("boardColumn")
            frame.setStyleSheet("QFrame#boardColumn { background: #f3f4f6; border-radius: 8px; border-top: 4px solid "
                                f"{CHIP_COLOURS[status]}; }}")
            lay = QVBoxLayout(frame)
            lay.setContentsMargins(6, 8, 6, 6)
            header = QLabel(humanise(status))
            header.setStyleSheet("font-weight: 600; padding-left: 6px; background: transparent;")
            column = StatusColumn(status)
            column.card_dropped.connect(self.move_enquiry)
            column.itemDoubleClicked.connect(lambda item: self._open(item))
            column.itemActivated.connect(lambda item: self._open(item))
            lay.addWidget(header)
            lay.addWidget(column, 1)
            row.addWidget(frame, 1)
            self.columns[status] = column
            self.headers[status] = header
        outer.addLayout(row, 1)
        self.reload()

    # ---- loading ------------------------------------------------------------------------------------
    def current_filter(self) -> BoardFilter:
        return BoardFilter(search=self.search.text().strip() or None, priority=self.priority.currentData(),
                           assigned_to=self.ctx.actor.id if self.mine.isChecked() else None)

    def reload(self) -> None:
        self._filter = self.current_filter()  # read on the UI thread; the task only sees plain data
        super().reload()

    def fetch(self, session) -> BoardData:  # noqa: ANN001
        return load_board(session, self.ctx.actor, self._filter)

    def show_data(self, data: BoardData) -> None:
        self.board = data
        can_write = self.ctx.actor.can("write")
        for column in self.columns.values():  # a viewer (or an offline window) can look, not move
            column.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop if can_write
                                   else QAbstractItemView.DragDropMode.NoDragDrop)
        for status, column in self.columns.items():
            cards = data.columns.get(status, [])
            shown = total_text(data.totals.get(status, 0), len(cards), status in data.more)
            self.headers[status].setText(f"{humanise(status)}  ·  {shown}")
            column.clear()
            for card in cards:
                item = QListWidgetItem(card.guest)
                item.setData(CARD_ROLE, card)
                item.setToolTip(f"{card.guest} — {card.property_title}\nReceived {day(card.created_at)}"
                                + (f"\nAssigned to {card.assignee}" if card.assignee else ""))
                column.addItem(item)

    def card(self, enquiry_id: str) -> Card | None:
        if self.board is None:
            return None
        return next((c for cards in self.board.columns.values() for c in cards if c.id == enquiry_id), None)

    # ---- moving -------------------------------------------------------------------------------------
    def move_enquiry(self, enquiry_id: str, new_status: str) -> None:
        """What a drop does: change the status from the card's version, then reload the board."""
        card = self.card(enquiry_id)
        if card is None or card.status == new_status:
            return
        self._move_card_locally(card, new_status)
        actor, version = self.ctx.actor, card.version
        self.moving += 1

        def failed(exc: BaseException) -> None:
            self.moving -= 1
            if isinstance(exc, ConflictError):
                self.banner.show_message(f"“{card.guest}” was not moved: someone else changed it first. The board "
                                         "now shows the latest state.", "warning")
            else:
                self.banner.show_message(f"“{card.guest}” was not moved. {friendly_error(exc)}", "error")
            self.reload()

        def done(_result: Any) -> None:
            self.moving -= 1

        self.write(f"move enquiry to {new_status}",
                   lambda s: enquiries.change_status(s, actor, enquiry_id, new_status, expected_version=version,
                                                     reason="Moved on the pipeline board").id,
                   ("enquiry", "interaction", "property"), on_done=done, on_error=failed)

    def _move_card_locally(self, card: Card, new_status: str) -> None:
        """Show the move at once; the reload that follows the write replaces it with the database's view."""
        source, target = self.columns[card.status], self.columns[new_status]
        for i in range(source.count()):
            if (c := source.item(i).data(CARD_ROLE)) is not None and c.id == card.id:
                item = source.takeItem(i)
                target.insertItem(0, item)
                break

    def _open(self, item: QListWidgetItem) -> None:
        card: Card | None = item.data(CARD_ROLE)
        if card is not None:
            self.open_record.emit("enquiry", card.id)
