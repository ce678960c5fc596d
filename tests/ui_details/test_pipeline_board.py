"""The pipeline board: cards by status, a drop moves the enquiry, conflicts reload the board."""

from __future__ import annotations

from crm_desktop.db.models import Enquiry
from crm_desktop.services import enquiries
from crm_desktop.ui.pipeline import PipelineBoard

from .conftest import screenshot


def _board(ctx, qtbot) -> PipelineBoard:  # noqa: ANN001
    board = PipelineBoard(ctx)
    qtbot.addWidget(board)
    board.show()  # hidden views only note that they are stale
    qtbot.waitUntil(lambda: board.board is not None, timeout=10_000)
    return board


def _ids(board: PipelineBoard, status: str) -> list[str]:
    return [c.id for c in board.columns[status].cards()]


def test_board_columns_match_the_database(ctx, demo, qtbot):
    board = _board(ctx, qtbot)
    with ctx.db.read() as s:
        for status in board.columns:
            expected = sorted(e.id for e in s.query(Enquiry).filter(Enquiry.status == status))
            assert sorted(_ids(board, status)) == expected
            assert board.headers[status].text().endswith(f"{len(expected)}")
    screenshot(board, "pipeline-board", (1400, 780))


def _drop(source, target, row: int = 0) -> None:  # noqa: ANN001
    """What a drag from `source` onto `target` delivers: the dragged item's mime data, dropped."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDropEvent

    mime = source.mimeData([source.item(row)])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    target.dropEvent(event)


def test_dropping_a_card_moves_the_enquiry(ctx, demo, qtbot):
    board = _board(ctx, qtbot)
    card = board.columns["new"].cards()[0]
    with qtbot.waitSignal(board.loaded, timeout=10_000):  # the write announces 'enquiry'; the board reloads
        _drop(board.columns["new"], board.columns["negotiating"])
        assert card.id in _ids(board, "negotiating")  # shown at once, before the write finishes
    with ctx.db.read() as s:
        e = s.get(Enquiry, card.id)
        assert (e.status, e.version) == ("negotiating", card.version + 1)
    assert card.id in _ids(board, "negotiating") and card.id not in _ids(board, "new")


def test_a_card_moved_elsewhere_is_a_conflict(ctx, demo, qtbot):
    board = _board(ctx, qtbot)
    card = board.columns["contacted"].cards()[0]
    ctx.db.write(lambda s: enquiries.change_status(s, ctx.actor, card.id, "lost"))  # another desktop
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.move_enquiry(card.id, "booked")
    assert "someone else changed it first" in board.banner.label.text()
    with ctx.db.read() as s:
        assert s.get(Enquiry, card.id).status == "lost"
    assert card.id in _ids(board, "lost")


def test_filters_narrow_the_board(ctx, demo, qtbot):
    board = _board(ctx, qtbot)
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.priority.setCurrentIndex(board.priority.findData("high"))
    with ctx.db.read() as s:
        high = s.query(Enquiry).filter(Enquiry.priority == "high").count()
    assert sum(len(c.cards()) for c in board.columns.values()) == high


def test_search_finds_cards_by_guest(ctx, demo, qtbot):
    board = _board(ctx, qtbot)
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.search.setText("harry")
    with ctx.db.read() as s:
        from crm_desktop.db.models import Contact

        harries = {c.id for c in s.query(Contact).filter(Contact.firstName == "Harry")}
        expected = sorted(e.id for e in s.query(Enquiry).filter(Enquiry.contactId.in_(harries)))
    shown = sorted(c.id for column in board.columns.values() for c in column.cards())
    assert expected and shown == expected
