"""The list tables driven as a user would: search, filter, sort, select and export, on both databases."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from crm_desktop.csv_safe import restore
from crm_desktop.db.models import ActivityLog
from crm_desktop.ui.tables import specs
from crm_desktop.ui.tables.paged_model import PagedTableModel
from crm_desktop.ui.tables.table_page import TablePage
from tests.ui.conftest import seed_small, wait_loaded

pytestmark = pytest.mark.qt


def _texts(model: PagedTableModel, column: int) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


@pytest.mark.parametrize("name", sorted(specs.TABLES))
def test_every_model_passes_the_model_tester(name, ui, db, qtbot, qtmodeltester):
    seed_small(db)
    model = PagedTableModel(ui, name, specs.TABLES[name].columns)
    assert wait_loaded(qtbot, model) > 0
    qtmodeltester.check(model)
    # the header sorts by SQL: a new query, not a proxy
    sortable = next(n for n, c in enumerate(model.columns) if c.sort_key)
    wait_loaded(qtbot, model, lambda: model.sort(sortable, Qt.SortOrder.DescendingOrder))
    qtmodeltester.check(model)


def test_find_a_contact_by_part_of_a_name(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    assert wait_loaded(qtbot, page.model) == 4
    with qtbot.waitSignal(page.model.loaded, timeout=10_000) as blocker:
        qtbot.keyClicks(page.search_box, "lovel")  # debounced: one query after typing stops
    assert blocker.args == [1]
    assert page.model.data(page.model.index(0, 0)) == "Ada Lovelace"
    assert page.count_label.text() == "1 contact found"
    # two words, each part of a different column
    assert wait_loaded(qtbot, page.model, lambda: page.set_search("bob exam")) == 1
    assert page.model.id_at(0) == "c-bob"


def test_filters_combine_with_search_and_sort_in_sql(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    wait_loaded(qtbot, page.model)
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("type", "guest")) == 2
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("status", "inactive")) == 1
    assert page.model.id_at(0) == "c-dan"
    wait_loaded(qtbot, page.model, page.clear_filters)
    email = next(n for n, c in enumerate(page.spec.columns) if c.key == "email")
    wait_loaded(qtbot, page.model, lambda: page.view.horizontalHeader().setSortIndicator(
        email, Qt.SortOrder.AscendingOrder))
    assert _texts(page.model, email) == sorted(_texts(page.model, email))
    wait_loaded(qtbot, page.model, lambda: page.view.horizontalHeader().setSortIndicator(
        email, Qt.SortOrder.DescendingOrder))
    assert _texts(page.model, email) == sorted(_texts(page.model, email), reverse=True)


def test_filter_memberships_expiring_soon(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.MEMBERSHIPS)
    qtbot.addWidget(page)
    assert wait_loaded(qtbot, page.model) == 3
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("expiringWithinDays", 30)) == 1
    assert page.model.id_at(0) == "m-0"
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("expiringWithinDays", 90)) == 2
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("tier", "silver")) == 1
    money = next(n for n, c in enumerate(page.spec.columns) if c.key == "planPrice")
    assert page.model.data(page.model.index(0, money)) == "£850.00"


def test_enquiry_filters_owner_and_dates(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.ENQUIRIES)
    qtbot.addWidget(page)
    assert wait_loaded(qtbot, page.model) == 3
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("owner", "marley")) == 1
    wait_loaded(qtbot, page.model, page.clear_filters)
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("status", "booked")) == 1
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("createdFrom", "2000-01-02")) == 1
    assert wait_loaded(qtbot, page.model, lambda: page.set_filter("createdTo", "2001-01-01")) == 0


def test_export_a_selection_to_csv(ui, db, qtbot, tmp_path):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    wait_loaded(qtbot, page.model)  # sorted by name: Brown, Delevingne, Lovelace, Marley
    selection = page.view.selectionModel()
    for row in (0, 3):
        selection.select(page.model.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    path = tmp_path / "chosen.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000) as blocker:
        page.export_selection(str(path))
    assert blocker.args == [str(path), 2]
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["Name", "Email", "Phone"]
    assert [r[1] for r in rows[1:]] == ["dan@example.com", "bob@example.com"]
    business = page.spec.columns.index(next(c for c in page.spec.columns if c.key == "businessName"))
    # formula-like cells are neutralised with a leading quote (and restorable)
    assert rows[1][business] == "'-1+2"
    assert rows[2][business] == "'=HYPERLINK(\"http://evil\")"
    assert restore(rows[2][business]) == "=HYPERLINK(\"http://evil\")"
    with db.read() as s:
        entry = s.scalars(select(ActivityLog).where(ActivityLog.action == "exported")).one()
    assert (entry.entityType, entry.performedBy, entry.entityId) == ("report", "staff-ada", "table:contacts")
    assert json.loads(entry.metadata_)["rows"] == 2


def test_export_all_filtered_rows(ui, db, qtbot, tmp_path):
    seed_small(db)
    page = TablePage(ui, specs.ENQUIRIES)
    qtbot.addWidget(page)
    wait_loaded(qtbot, page.model)
    wait_loaded(qtbot, page.model, lambda: page.set_filter("owner", "ada"))
    path = tmp_path / "all.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000) as blocker:
        page.export_all(str(path))
    assert blocker.args[1] == 2
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["Status"] for r in rows} == {"new", "booked"}
    assert {r["Budget"] for r in rows} == {"2500.00"}


def test_viewer_cannot_export(db, qtbot, tmp_path):
    from crm_desktop.services.actor import Actor
    from tests.ui.conftest import make_ui

    seed_small(db)
    viewer = make_ui(db, Actor("viv", "viewer", "Viv Viewer"))
    page = TablePage(viewer, specs.CONTACTS)
    qtbot.addWidget(page)
    wait_loaded(qtbot, page.model)
    page.view.selectAll()
    page.export_selection(str(tmp_path / "no.csv"))
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=10_000)
    assert "not allowed to export" in page.message.text()
    assert not (tmp_path / "no.csv").exists()
    viewer.tasks.wait(5000)


def test_double_click_opens_the_record(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.ENQUIRIES)
    qtbot.addWidget(page)
    wait_loaded(qtbot, page.model)
    page.show()
    qtbot.waitExposed(page)
    opened: list[tuple[str, str]] = []
    page.open_requested.connect(lambda kind, rid: opened.append((kind, rid)))
    rect = page.view.visualRect(page.model.index(0, 1))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # press sets the row
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [("enquiry", page.model.id_at(0))]  # once, the row double-clicked
    page.view.setCurrentIndex(page.model.index(1, 0))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened[-1] == ("enquiry", page.model.id_at(1))


def test_tables_refresh_when_the_change_bus_says_so(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    page.show()
    assert wait_loaded(qtbot, page.model) == 4
    from crm_desktop.services import contacts

    db.write(lambda s: contacts.create_contact(s, ui.actor, {"type": "guest", "email": "new@example.com"}))
    assert wait_loaded(qtbot, page.model, lambda: ui.changes.notify("contact")) == 5
    # a hidden page does not reload on every change; it catches up when shown
    page.hide()
    db.write(lambda s: contacts.create_contact(s, ui.actor, {"type": "guest", "email": "new2@example.com"}))
    ui.changes.notify("contact")
    qtbot.wait(400)
    assert page.model.total == 5
    assert wait_loaded(qtbot, page.model, page.show) == 6


def test_a_bad_filter_value_is_shown_not_raised(ui, db, qtbot):
    page = TablePage(ui, specs.ENQUIRIES)
    qtbot.addWidget(page)
    wait_loaded(qtbot, page.model)
    with qtbot.waitSignal(page.model.load_failed, timeout=10_000):
        page.model.set_filters({"createdFrom": "not a date"}, "")
    assert "not a date" in page.message.text()


def test_pages_load_lazily_first_by_position_then_by_key(ui, db, qtbot, qtmodeltester):
    """Count and first page first (paint at once), the key list after; rows load page by page."""
    seed_small(db)
    model = PagedTableModel(ui, "contacts", specs.CONTACTS.columns)
    model.page_size = 1  # four pages of one row: every page after the first is fetched on demand
    assert wait_loaded(qtbot, model) == 4
    assert model.data(model.index(0, 0)) == "Dan Brown"  # the first page came with the count
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        assert model.data(model.index(2, 0)) is None  # not cached: asks for the page
    assert model.data(model.index(2, 0)) == "Ada Lovelace"
    if not model.keys_ready:
        qtbot.waitSignal(model.keys_loaded, timeout=10_000).wait()
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.data(model.index(3, 0))
    assert model.data(model.index(3, 0)) == "Bob Marley"
    assert model.keys_for_rows([3, 0]) is not None and len(model.keys_for_rows([3, 0])) == 2
    qtmodeltester.check(model)


def test_closing_a_page_while_it_loads_is_harmless(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    page.model.page_size = 1
    page.model.reload()
    page.deleteLater()  # gone before the background read answers
    qtbot.wait(50)
    ui.tasks.wait(10_000)
    qtbot.wait(50)  # the queued results arrive for a deleted model and are ignored


def test_a_refresh_keeps_the_selection_and_a_new_row_appears(ui, db, qtbot):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    page.show()
    wait_loaded(qtbot, page.model)  # Brown, Delevingne, Lovelace, Marley
    page.view.selectRow(2)
    assert page.model.id_at(2) == "c-ada"
    from crm_desktop.services import contacts

    db.write(lambda s: contacts.create_contact(s, ui.actor, {"type": "guest", "email": "a@example.com",
                                                            "lastName": "Aardvark"}))
    with qtbot.waitSignal(page.model.keys_loaded, timeout=10_000):
        ui.changes.notify("contact")  # e.g. after a sync: the table refreshes by itself
    assert page.model.total == 5
    assert page.selected_rows() == [3] and page.model.id_at(3) == "c-ada"  # moved down one, still selected


def test_copy_rows_hide_columns_and_the_empty_state(ui, db, qtbot):
    from PySide6.QtGui import QGuiApplication

    from crm_desktop.ui.tables import table_actions

    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    page.show()
    wait_loaded(qtbot, page.model)
    page.view.horizontalHeader().setSectionHidden(2, True)  # what the header menu's Phone toggle does
    page.view.selectRow(2)
    menu = table_actions.row_menu(page)
    assert [a.text() for a in menu.actions()] == ["Open contact", "Copy 1 row", "Export selection to CSV…"]
    QGuiApplication.clipboard().clear()
    page.copy_action.trigger()
    qtbot.waitUntil(lambda: "Lovelace" in QGuiApplication.clipboard().text(), timeout=10_000)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:3] == ["Name", "Email", "Type"]  # Phone hidden: not copied
    assert lines[1].split("\t")[:3] == ["Ada Lovelace", "ada.lovelace@example.com", "Owner"]
    assert not page.empty_state.isVisible()
    wait_loaded(qtbot, page.model, lambda: page.set_search("nobody-by-this-name"))
    assert page.empty_state.isVisible() and page.empty_state.text() == "No contacts match these filters."


def test_a_hidden_page_reads_its_keys_when_shown(ui, db, qtbot, tmp_path):
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    page.model.page_size = 1  # more than one page: the key list is a separate read
    assert wait_loaded(qtbot, page.model) == 4  # count and first rows, for a hidden page too
    qtbot.wait(100)
    assert not page.model.keys_ready
    page.view.selectRow(3)  # exporting before the keys arrive reads them in the export task
    with qtbot.waitSignal(page.exported, timeout=10_000) as blocker:
        page.export_selection(str(tmp_path / "one.csv"))
    assert blocker.args[1] == 1 and "bob@example.com" in (tmp_path / "one.csv").read_text(encoding="utf-8-sig")
    with qtbot.waitSignal(page.model.keys_loaded, timeout=10_000):
        page.show()
    assert page.model.keys_ready and len(page.model.keys_for_rows([0, 1, 2, 3])) == 4


def test_new_contact_from_the_list_opens_the_saved_record(ui, db, qtbot):
    pytest.importorskip("crm_desktop.ui.dialogs.contact_dialog")
    seed_small(db)
    page = TablePage(ui, specs.CONTACTS)
    qtbot.addWidget(page)
    page.show()
    wait_loaded(qtbot, page.model)
    dialog = page.new_record()
    assert dialog is not None and dialog.isVisible()
    dialog.fields["email"].setText("zoe@example.com")
    dialog.fields["lastName"].setText("Zebedee")
    with qtbot.waitSignal(page.open_requested, timeout=10_000) as opened:
        dialog.submit()
    assert opened.args[0] == "contact"
    qtbot.waitUntil(lambda: page.model.total == 5, timeout=10_000)  # the list refreshed itself
    assert page.model.id_at(4) == opened.args[1]  # Zebedee sorts last
