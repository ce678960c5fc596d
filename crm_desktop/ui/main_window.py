"""The main window: a sidebar of pages, a toolbar with Sync now and a global search, a status bar.

Pages come from PAGES (key, title, factory); add one with a line, e.g.
`PAGES.append(("reports", "Reports", lambda ctx: ReportsView(ctx)))` before the window is built, or
`window.add_page(key, title, widget)` after. Records open with open_contact / open_enquiry /
open_property / open_membership, which show crm_desktop.ui.details.<kind>_detail when it exists.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.ui.context import UiContext
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.status_bar import CrmStatusBar
from crm_desktop.ui.sync_controller import SyncController
from crm_desktop.ui.tables import specs
from crm_desktop.ui.tables.table_page import TablePage

log = logging.getLogger(__name__)

PageFactory = Callable[[UiContext], QWidget]


def _dashboard(ctx: UiContext) -> QWidget:
    view_cls = _optional("crm_desktop.ui.dashboard", "DashboardView")
    if view_cls is None:
        return _placeholder("Dashboard", "The dashboard is not part of this build yet.")
    return view_cls(ctx)


def _table(spec: specs.TableSpec) -> PageFactory:
    def factory(ctx: UiContext) -> QWidget:
        return TablePage(ctx, spec)

    factory.eager = True  # type: ignore[attr-defined]  # reads nothing until load_pages()
    return factory


# (key, title, factory): the sidebar's pages, in order. Other modules may append before the window is built.
PAGES: list[tuple[str, str, PageFactory]] = [
    ("dashboard", "Dashboard", _dashboard),
    ("contacts", "Contacts", _table(specs.CONTACTS)),
    ("properties", "Properties", _table(specs.PROPERTIES)),
    ("enquiries", "Enquiries", _table(specs.ENQUIRIES)),
    ("pipeline", "Pipeline", lambda ctx: importlib.import_module("crm_desktop.ui.pipeline").PipelineBoard(ctx)),
    ("memberships", "Memberships", _table(specs.MEMBERSHIPS)),
    ("activity", "Activity", _table(specs.ACTIVITY)),
    ("reports", "Reports", lambda ctx: importlib.import_module("crm_desktop.ui.reports_view").ReportsView(ctx)),
]

# kind -> (module under crm_desktop.ui.details, class name)
DETAILS = {
    "contact": ("contact_detail", "ContactDetail"),
    "enquiry": ("enquiry_detail", "EnquiryDetail"),
    "property": ("property_detail", "PropertyDetail"),
    "membership": ("membership_detail", "MembershipDetail"),
}


def _optional(module: str, name: str) -> type | None:
    """A class from a module that may not exist in this build (imported when first needed)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def _placeholder(title: str, text: str) -> QWidget:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.addWidget(QLabel(title, objectName="pageTitle"))
    layout.addWidget(QLabel(text, objectName="hint", wordWrap=True))
    layout.addStretch(1)
    return widget


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext, qsettings: QSettings | None = None,
                 sync: SyncController | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.qs = qsettings
        self.setWindowTitle("CRM Desktop")
        self.resize(1320, 820)
        self.pages: dict[str, QWidget] = {}
        self._page_titles: dict[str, str] = {}
        self._containers: dict[str, QWidget] = {}
        self._details: dict[tuple[str, str], QWidget] = {}
        self.sync = sync or SyncController(ctx, parent=self)

        self.nav = QListWidget(objectName="sidebar")
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setMinimumWidth(150)
        self.stack = QStackedWidget(objectName="pages")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([180, 1140])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.status = CrmStatusBar(ctx, self.sync)
        self.setStatusBar(self.status)
        self._build_toolbar()
        # Pages that read the database as soon as they exist are built by load_pages() (after the
        # database is open and someone has signed in) or when first shown; a placeholder until then.
        self._pending: dict[str, PageFactory] = {}
        self._ready = False
        for key, title, factory in PAGES:
            if getattr(factory, "eager", False):
                self.add_page(key, title, self._make(title, factory))
            else:
                self._pending[key] = factory
                self.add_page(key, title, _placeholder(title, "Loading…"))
        self.nav.currentRowChanged.connect(self._on_nav)
        self._shortcuts()
        self.sync.set_interval(ctx.app.settings.sync_interval_minutes)
        self.restore_state()

    # ---- pages --------------------------------------------------------------------------------------------

    def _make(self, title: str, factory: PageFactory) -> QWidget:
        try:
            return factory(self.ctx)
        except Exception as exc:  # one broken page must not stop the window from opening
            log.exception("page %s failed to build", title)
            return _placeholder(title, f"This page could not be opened: {exc}")

    def _connect(self, widget: QWidget) -> None:
        if isinstance(widget, TablePage):
            widget.settings = self.qs
            widget._restore()
            widget.open_requested.connect(self.open_record)
        if hasattr(widget, "open_record") and hasattr(widget.open_record, "connect"):
            widget.open_record.connect(self.open_record)

    def _build_pending(self, key: str) -> QWidget:
        """Build a deferred page in place of its placeholder (same sidebar row and stack index)."""
        factory = self._pending.pop(key, None)
        if factory is None:
            return self.pages[key]
        widget = self._make(self._page_titles[key], factory)
        self._connect(widget)
        self.pages[key] = widget
        container = self._containers[key]
        if isinstance(container, QScrollArea):
            container.setWidget(widget)  # deletes the placeholder
        return widget

    def _on_nav(self, row: int) -> None:
        item = self.nav.item(row)
        key = item.data(Qt.ItemDataRole.UserRole) if item else None
        if key in self._pending and self._ready:
            self._build_pending(key)

    def add_page(self, key: str, title: str, widget: QWidget) -> None:
        """Add a page to the sidebar (keyboard Ctrl+1..9 follows the order)."""
        self._connect(widget)
        self.pages[key] = widget
        self._page_titles[key] = title
        container: QWidget = widget
        if not isinstance(widget, TablePage):
            # A wide page (e.g. a board of columns) scrolls instead of forcing the window's minimum width.
            container = QScrollArea(widgetResizable=True, objectName=f"scroll_{key}")
            container.setFrameShape(QFrame.Shape.NoFrame)
            container.setWidget(widget)
        self._containers[key] = container
        self.stack.addWidget(container)
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)

    def show_page(self, key: str) -> QWidget:
        """Show a page (building it first if it was deferred) and return its widget."""
        widget = self._build_pending(key)
        self.nav.setCurrentRow(self.stack.indexOf(self._containers[key]))
        return widget

    def current_page_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else "dashboard"

    def load_pages(self) -> None:
        """Build the deferred pages and start loading every page (each in the background)."""
        self._ready = True
        built = {key for key in list(self._pending) if self._build_pending(key)}
        for key, widget in self.pages.items():
            if key in built:
                continue  # a new page loads itself
            if isinstance(widget, TablePage):
                widget.model.reload()
            elif hasattr(widget, "reload") and callable(widget.reload):
                widget.reload()

    # ---- toolbar, search, shortcuts ---------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", objectName="mainToolbar", movable=False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)
        self.sync_action = QAction("⟳  Sync now", self, objectName="syncNow")
        self.sync_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.sync_action.setToolTip("Fetch new owners, properties, enquiries and payments (F5)")
        self.sync_action.triggered.connect(self.sync.sync_now)
        bar.addAction(self.sync_action)
        self.settings_action = QAction("Settings", self, objectName="settings")
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        bar.addAction(self.settings_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.global_search = QLineEdit(objectName="globalSearch", clearButtonEnabled=True,
                                       placeholderText="Search contacts…  (Ctrl+K)")
        self.global_search.setFixedWidth(320)
        self.global_search.returnPressed.connect(self.run_global_search)
        bar.addWidget(self.global_search)
        self.sync.running_changed.connect(lambda running: self.sync_action.setEnabled(not running))
        self.sync.finished.connect(self._sync_finished)
        self._search_debounce = QTimer(self, singleShot=True, interval=300)
        self._search_debounce.timeout.connect(lambda: self.run_global_search(focus_table=False))
        self.global_search.textEdited.connect(lambda _t: self._search_debounce.start())

    def _shortcuts(self) -> None:
        self.shortcuts: dict[str, QShortcut] = {}
        for sequence in ("Ctrl+F", "Ctrl+K"):
            self.shortcuts[sequence] = QShortcut(QKeySequence(sequence), self, self.focus_search)
        for n in range(min(9, self.nav.count())):
            self.shortcuts[f"Ctrl+{n + 1}"] = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self,
                                                        lambda row=n: self.nav.setCurrentRow(row))

    def focus_search(self) -> None:
        self.global_search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.global_search.selectAll()

    def run_global_search(self, focus_table: bool = True) -> None:
        """Show the contacts page searched for the global box's text (as you type, or on Enter)."""
        self._search_debounce.stop()
        page = self.pages.get("contacts")
        if isinstance(page, TablePage):
            self.show_page("contacts")
            if focus_table:  # Enter: the first match is selected, ready for Enter to open it
                def select_first(count: int) -> None:
                    page.model.loaded.disconnect(select_first)
                    if count:
                        page.view.selectRow(0)

                page.model.loaded.connect(select_first)
                page.view.setFocus()
            page.set_search(self.global_search.text().strip())

    def _sync_finished(self, outcome) -> None:  # noqa: ANN001 - a SyncOutcome
        """A sync the user started and that failed gets a dialog; the timer's failures stay in the status bar."""
        if not outcome.ok and outcome.manual and outcome.error is not None:
            show_error(self, "Sync failed", outcome.error)

    # ---- records --------------------------------------------------------------------------------------

    def open_record(self, kind: str, record_id: str) -> QWidget | None:
        """Show a record's detail in its own window (one per record; a second open raises it)."""
        if not record_id or kind not in DETAILS:
            return None
        existing = self._details.get((kind, record_id))
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        module, name = DETAILS[kind]
        try:
            view_cls = _optional(f"crm_desktop.ui.details.{module}", name)
            if view_cls is None:
                self.status.showMessage(f"Opening a {kind} is not available in this build.", 5000)
                return None
            widget = view_cls(self.ctx, record_id)
        except Exception as exc:
            show_error(self, f"Could not open the {kind}", exc)
            return None
        widget.setParent(self, Qt.WindowType.Window)
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        widget.setWindowTitle(f"{kind.title()} – CRM Desktop")
        widget.resize(980, 720)
        if hasattr(widget, "title_changed"):
            widget.title_changed.connect(lambda t, w=widget: w.setWindowTitle(f"{t} – CRM Desktop"))
        if hasattr(widget, "open_record"):
            widget.open_record.connect(self.open_record)
        widget.destroyed.connect(lambda _o=None, k=(kind, record_id): self._details.pop(k, None))
        self._details[(kind, record_id)] = widget
        widget.show()
        return widget

    def open_contact(self, contact_id: str) -> QWidget | None:
        return self.open_record("contact", contact_id)

    def open_enquiry(self, enquiry_id: str) -> QWidget | None:
        return self.open_record("enquiry", enquiry_id)

    def open_property(self, property_id: str) -> QWidget | None:
        return self.open_record("property", property_id)

    def open_membership(self, membership_id: str) -> QWidget | None:
        return self.open_record("membership", membership_id)

    # ---- settings and state -----------------------------------------------------------------------------

    def open_settings(self) -> None:
        from crm_desktop.ui.preferences import ui_settings
        from crm_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx.app.settings, self.qs or ui_settings(), self)
        if dialog.exec():
            self.sync.set_interval(dialog.interval.value())
            if dialog.restart_needed:
                self.status.showMessage("The new database address is used from the next start.", 8000)

    def restore_state(self) -> None:
        qs = self.qs
        if qs is None:
            self.nav.setCurrentRow(0)
            return
        geometry = qs.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = qs.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last = qs.value("window/page", "dashboard")
        key = last if last in self.pages else next(iter(self.pages))
        self.nav.setCurrentRow(self.stack.indexOf(self._containers[key]))  # built when the data may load

    def save_state(self) -> None:
        if self.qs is None:
            return
        self.qs.setValue("window/geometry", self.saveGeometry())
        self.qs.setValue("window/splitter", self.splitter.saveState())
        self.qs.setValue("window/page", self.current_page_key())
        for widget in self.pages.values():
            if isinstance(widget, TablePage):
                widget.save_state()
        self.qs.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_state()
        self.sync.cancel()
        self.ctx.tasks.cancel_all()
        super().closeEvent(event)
