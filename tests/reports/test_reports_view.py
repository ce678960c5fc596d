"""The Reports page: report picker, chart and table from the hand-checked data, CSV export, daily jobs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from crm_desktop import csv_safe
from crm_desktop.db.models import ActivityLog
from tests.ui.conftest import make_ui

pytestmark = pytest.mark.qt


@pytest.fixture
def view(db, dataset, qtbot):
    from crm_desktop.ui.reports_view import ReportsView

    ui = make_ui(db)
    widget = ReportsView(ui)
    qtbot.addWidget(widget)
    widget.today.setDate(QDate(2026, 3, 15))
    widget.show()
    yield widget
    ui.tasks.cancel_all()
    ui.tasks.wait(10_000)
    assert not ui.task_errors, ui.task_errors


def _load(qtbot, view, action) -> None:
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        action()


def _cells(view, row: int) -> list[str]:
    return [view.proxy.index(row, c).data() for c in range(view.proxy.columnCount())]


def test_memberships_table_and_tier_chart(qtbot, view):
    _load(qtbot, view, lambda: view.select_report("memberships"))
    assert view.proxy.rowCount() == 4
    assert _cells(view, 3)[:4] == ["all", "2", "96.33", "1,156.00"]
    assert view.bar_chart.labels() == ("bronze", "silver", "gold")
    assert view.bar_chart.values() == (Decimal("0.00"), Decimal("25.50"), Decimal("70.83"))
    assert not view.owner.isEnabled() and view.month.isEnabled()
    assert "4 rows" in view.notes.text()


def test_funnel_chart_and_sorting_owners(qtbot, view):
    _load(qtbot, view, lambda: view.select_report("funnel"))
    assert view.charts.currentWidget() is view.funnel_chart
    assert view.funnel_chart.values() == (8, 7, 5, 3)
    _load(qtbot, view, lambda: view.select_report("owners"))
    revenue = [c.key for c in view.report.columns].index("total_revenue")
    view.table.sortByColumn(revenue, Qt.SortOrder.DescendingOrder)
    assert [_cells(view, r)[1] for r in range(3)] == ["Alice Able", "Bob Baker", "Cara Cole"]
    view.table.sortByColumn(revenue, Qt.SortOrder.AscendingOrder)
    assert _cells(view, 0)[1] == "Cara Cole"  # 0.00 sorts as a number, not as text


def test_bad_option_is_shown_in_the_banner(qtbot, view):
    view.select_report("funnel")
    qtbot.waitUntil(lambda: not view.loading, timeout=15_000)
    view.month.setText("2026-13")
    _load(qtbot, view, view.reload)
    assert view.banner.isVisible()
    assert "month: must be YYYY-MM" in view.banner.findChild(type(view.notes)).text()


def test_export_writes_every_row_safely_and_is_audited(qtbot, view, tmp_path, db):
    _load(qtbot, view, lambda: view.select_report("owners"))
    view.limit.setValue(1)
    _load(qtbot, view, view.reload)
    assert view.proxy.rowCount() == 1
    path = tmp_path / "owners.csv"
    written = []
    view.export_csv(str(path), on_done=written.append)
    qtbot.waitUntil(lambda: bool(written), timeout=15_000)
    assert written == [3]  # the export is not capped by the window's row limit
    rows = csv_safe.read_rows(path.read_text(encoding="utf-8-sig"))
    assert rows[0][:3] == ["Owner id", "Name", "Email"]
    assert [r[1] for r in rows[1:]] == ["Alice Able", "Bob Baker", "Cara Cole"]
    with db.read() as s:
        entry = s.scalars(select(ActivityLog).where(ActivityLog.entityId == "report:owners")).one()
    assert entry.action == "exported" and entry.performedBy == "staff-ada"


def test_run_daily_jobs_from_the_page(qtbot, view):
    _load(qtbot, view, lambda: view.select_report("segments"))
    assert view.proxy.rowCount() == 0
    done = []
    with qtbot.waitSignal(view.loaded, timeout=30_000):  # the segments list reloads after the jobs
        view.run_daily_jobs(on_done=done.append)
    assert done and done[0].day == "2026-03-15"
    assert "renewal reminders: 1 renewal reminder(s) written to the outbox" in \
        view.banner.findChild(type(view.notes)).text()
    assert view.proxy.rowCount() == 4
    assert view.bar_chart.labels() == ("at_risk", "churning", "inactive", "premium")


def test_the_window_has_a_reports_page(db, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from crm_desktop.ui.main_window import MainWindow
    from crm_desktop.ui.reports_view import ReportsView

    ui = make_ui(db)
    window = MainWindow(ui, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("reports")
    assert isinstance(page, ReportsView)
    qtbot.waitUntil(lambda: page.report is not None, timeout=15_000)  # first shown: it loads itself
    assert page.report.name == "owners"
    ui.tasks.cancel_all()
    ui.tasks.wait(10_000)


def test_daily_jobs_run_once_a_day_from_the_window(db, dataset, qtbot):
    from datetime import UTC, datetime

    from crm_desktop.ui.daily_jobs import DailyJobs

    ui = make_ui(db)
    now = [datetime(2026, 3, 15, 8, 0, tzinfo=UTC)]
    changed = []
    ui.changes.changed.connect(changed.append)
    jobs = DailyJobs(ui, clock=lambda: now[0])
    with qtbot.waitSignal(jobs.finished, timeout=30_000) as blocker:
        jobs.start(first_delay_ms=50)
    assert blocker.args[0].day == "2026-03-15" and all(r.ran for r in blocker.args[0].results)
    assert changed and "membership" in changed[0]
    assert jobs.check() is False  # same day: nothing started
    now[0] = datetime(2026, 3, 16, 0, 5, tzinfo=UTC)
    with qtbot.waitSignal(jobs.finished, timeout=30_000) as blocker:
        assert jobs.check() is True
    assert blocker.args[0].day == "2026-03-16"
    jobs.timer.stop()
    ui.tasks.wait(10_000)
    assert not ui.task_errors


def test_rows_keep_the_report_order_until_a_header_is_clicked(qtbot, view):
    _load(qtbot, view, lambda: view.select_report("funnel"))
    assert [_cells(view, r)[:2] for r in range(2)] == [["all", "all"], ["month", "2026-01"]]
    view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert _cells(view, 0)[1] == "website"
    _load(qtbot, view, view.reload)
    assert _cells(view, 0)[:2] == ["all", "all"]


def test_double_click_opens_the_owner(qtbot, view, dataset):
    _load(qtbot, view, lambda: view.select_report("owners"))
    with qtbot.waitSignal(view.open_record, timeout=5_000) as blocker:
        view.table.doubleClicked.emit(view.proxy.index(1, 2))
    assert blocker.args == ["contact", dataset["o2"]]
