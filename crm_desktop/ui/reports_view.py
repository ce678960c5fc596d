"""The Reports page: pick a report and its options, see a chart and the table, export it to CSV, and run
the daily jobs by hand. Reports are built by crm_desktop.reports in a background task; only the plain
Report (rows of str/int/Decimal) comes back to the window."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.exporting import export_rows
from crm_desktop.reports.catalog import REPORTS, ReportOptions, run_report
from crm_desktop.reports.model import Report, chart_points
from crm_desktop.reports.render import cell_text
from crm_desktop.timeutil import utcnow
from crm_desktop.ui.charts import TIER_COLOURS, BarChart, FunnelChart, plain_number, pounds
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.details.common import LoadingView, friendly_error

log = logging.getLogger(__name__)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# Reports that can have a row per owner: the window shows at most this many (export writes them all).
DEFAULT_ROW_LIMIT = 1000


class ReportTableModel(QAbstractTableModel):
    """A finished report's rows (small: a report is a summary, or capped for per-owner lists)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Report | None = None

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self.report = report
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() or self.report is None else len(self.report.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() or self.report is None else len(self.report.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.report is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.report.columns[section].header
        return section + 1

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.report is None or not index.isValid():
            return None
        column = self.report.columns[index.column()]
        value = self.report.rows[index.row()].get(column.key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(column, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == SORT_ROLE:  # numbers sort as numbers; blanks first
            if value is None:
                return float("-inf") if column.numeric else ""
            return float(value) if isinstance(value, int | Decimal) else str(value).lower()
        return None


class ReportsView(LoadingView):
    """Report picker and options on top, the chart above the table, notes below."""

    WATCH: frozenset[str] = frozenset()  # reports can be heavy: they run when asked, not on every change

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.report: Report | None = None
        self._options = ReportOptions(today=utcnow().date())
        self._report_name = next(iter(REPORTS))

        self.picker = QComboBox()
        for spec in REPORTS.values():
            self.picker.addItem(spec.title, spec.name)
        self.month = QLineEdit(placeholderText="YYYY-MM", maxLength=7)
        self.month.setToolTip("Only this month (for memberships: the month to measure churn in)")
        self.owner = QLineEdit(placeholderText="owner id (blank: all)")
        self.prop = QLineEdit(placeholderText="property id")
        self.today = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.today.setDate(QDate.currentDate())
        self.today.setToolTip("The day the report is as of (memberships: in force, expiring, churn month)")
        self.limit = QSpinBox(minimum=1, maximum=1_000_000, value=DEFAULT_ROW_LIMIT)
        self.limit.setToolTip("Most rows to show (export writes every row)")
        self.run_button = QPushButton("Run")
        self.export_button = QPushButton("Export CSV…")
        self.jobs_button = QPushButton("Run daily jobs")
        self.jobs_button.setToolTip("Membership statuses, segments and renewal reminders (once a day; "
                                    "a second run the same day only reports)")
        self._option_widgets = {"month": self.month, "owner_id": self.owner, "property_id": self.prop,
                                "today": self.today, "limit": self.limit}

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Report"))
        bar.addWidget(self.picker)
        for label, widget in (("Month", self.month), ("Owner", self.owner), ("Property", self.prop),
                              ("As of", self.today), ("Rows", self.limit)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.run_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.jobs_button)

        self.bar_chart = BarChart("")
        self.funnel_chart = FunnelChart("")
        self.charts = QStackedWidget()
        self.charts.addWidget(self.bar_chart)
        self.charts.addWidget(self.funnel_chart)
        self.model = ReportTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self._unsorted()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.charts)
        split.addWidget(self.table)
        split.setSizes([260, 420])
        self.notes = QLabel(wordWrap=True, objectName="hint")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        title = QLabel("Reports", objectName="heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.notes)

        self.table.doubleClicked.connect(self._open_row)
        self.table.setToolTip("Double-click a row to open its owner or property")
        self.picker.currentIndexChanged.connect(self._report_changed)
        self.run_button.clicked.connect(self.reload)
        for edit in (self.month, self.owner, self.prop):
            edit.returnPressed.connect(self.reload)
        self.export_button.clicked.connect(self._ask_export)
        self.jobs_button.clicked.connect(self.run_daily_jobs)
        self.export_button.setEnabled(ctx.actor.can("export"))
        self.jobs_button.setEnabled(ctx.actor.can("write"))
        self._enable_options()

    def _unsorted(self) -> None:
        """The report's own row order (totals first, months in order) until staff click a header."""
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)

    # ---- options -----------------------------------------------------------------------------------

    def _enable_options(self) -> None:
        used = REPORTS[self.picker.currentData()].options
        for key, widget in self._option_widgets.items():
            widget.setEnabled(key in used)

    def _report_changed(self) -> None:
        self._enable_options()
        self.reload()

    def current_options(self) -> ReportOptions:
        used = REPORTS[self.picker.currentData()].options

        def text(key: str, edit: QLineEdit) -> str | None:
            return (edit.text().strip() or None) if key in used else None
        qd = self.today.date()
        return ReportOptions(
            today=date(qd.year(), qd.month(), qd.day()),
            owner_id=text("owner_id", self.owner), property_id=text("property_id", self.prop),
            month=text("month", self.month),
            limit=self.limit.value() if "limit" in used else None,
        )

    def select_report(self, name: str) -> None:
        """Show a report by name (loads it, also when it is already the chosen one)."""
        index = self.picker.findData(name)
        if index == self.picker.currentIndex():
            self.reload()
        else:
            self.picker.setCurrentIndex(index)

    # ---- loading (LoadingView) ---------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """The first report runs when the page is first shown, not when the window starts."""
        super().showEvent(event)
        if not self._started:
            self.reload()

    def reload(self) -> None:
        # Read the widgets here, on the UI thread; the worker only sees this frozen copy.
        self._report_name, self._options = self.picker.currentData(), self.current_options()
        self.banner.hide()
        super().reload()

    def fetch(self, session) -> Report:  # noqa: ANN001 - a Session, on the worker thread
        return run_report(session, self.ctx.actor, self._report_name, self._options)

    def show_data(self, report: Report) -> None:
        self.report = report
        self.model.set_report(report)
        self._unsorted()
        self.table.resizeColumnsToContents()
        labels, values = chart_points(report)
        chart = report.chart
        if chart is not None and chart.kind == "funnel":
            self.funnel_chart.title = chart.title
            self.funnel_chart.set_data(labels, values)
            self.charts.setCurrentWidget(self.funnel_chart)
        else:
            money = chart is not None and chart.value_key is not None and \
                report.column(chart.value_key).kind == "money"
            self.bar_chart.title = chart.title if chart else ""
            self.bar_chart.value_format = pounds if money else plain_number
            colours = [TIER_COLOURS[t] for t in labels] if labels and all(t in TIER_COLOURS for t in labels) \
                else None
            self.bar_chart.set_data(labels, values, colours=colours)
            self.charts.setCurrentWidget(self.bar_chart)
        self.charts.setVisible(bool(labels))
        rows = len(report.rows)
        shown = f"{rows} row{'s' if rows != 1 else ''}"
        if self._options.limit and rows >= self._options.limit:
            shown += f" (the first {rows}; export writes them all)"
        self.notes.setText(f"{report.title}: {shown}. " + " ".join(report.notes))

    def _open_row(self, index: QModelIndex) -> None:
        """Open the owner (or property) a row is about, through the window's open_record."""
        if self.report is None or not index.isValid():
            return
        row = self.report.rows[self.proxy.mapToSource(index).row()]
        for key, kind in (("property_id", "property"), ("owner_id", "contact")):
            if row.get(key) and row[key] != "all":
                self.open_record.emit(kind, row[key])
                return

    # ---- export ------------------------------------------------------------------------------------

    def _ask_export(self) -> None:
        default = str(Path.home() / f"report-{self._report_name}-{date.today().isoformat()}.csv")
        path, _ = QFileDialog.getSaveFileName(self, "Export report to CSV", default, "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str, on_done=None) -> None:  # noqa: ANN001 - Callable[[int], None] | None
        """Run the current report again without the row cap and write every row (spreadsheet-safe)."""
        name, options = self.picker.currentData(), replace(self.current_options(), limit=None)
        db, actor = self.ctx.db, self.ctx.actor

        def work(_task) -> int:  # noqa: ANN001
            with db.read() as session:
                report = run_report(session, actor, name, options)
            return export_rows(db, actor, f"report:{name}", path, [c.header for c in report.columns],
                               (report.values(r) for r in report.rows),
                               {"params": {k: str(v) for k, v in report.params.items()}})

        def done(written: int) -> None:
            self.banner.show_message(f"Exported {written} rows to {path}.", "info")
            if on_done:
                on_done(written)

        self.ctx.tasks.run("export report", work, on_success=done,
                           on_error=lambda exc: self.banner.show_message(
                               f"The export failed: {friendly_error(exc)}", "error"))

    # ---- daily jobs --------------------------------------------------------------------------------

    def run_daily_jobs(self, on_done=None) -> None:  # noqa: ANN001 - Callable[[DailyReport], None] | None
        """Run the daily jobs now for the 'As of' day (each runs once a day across desktops)."""
        from crm_desktop.jobs.daily import run_daily_jobs

        qd = self.today.date()
        day = date(qd.year(), qd.month(), qd.day())
        app = self.ctx.app
        self.jobs_button.setEnabled(False)

        def done(result) -> None:  # noqa: ANN001 - a DailyReport
            self.jobs_button.setEnabled(True)
            lines = [f"{r.job.replace('_', ' ')}: {r.message}" for r in result.results]
            self.banner.show_message(f"Daily jobs for {result.day} — " + "; ".join(lines), "info")
            if result.changed:
                self.ctx.changes.notify("membership", "contact", "interaction", "activity")
            if self.picker.currentData() in ("segments", "outbox", "memberships"):
                self.reload()
            if on_done:
                on_done(result)

        def failed(exc: BaseException) -> None:
            self.jobs_button.setEnabled(True)
            self.banner.show_message(f"The daily jobs failed: {friendly_error(exc)}", "error")

        self.ctx.tasks.run("daily jobs", lambda _t: run_daily_jobs(app, day), on_success=done, on_error=failed)
