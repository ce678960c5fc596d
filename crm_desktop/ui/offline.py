"""Offline mode in the window: keep the replica fresh while online, switch to it when the shared
database cannot be reached (at start or later), and come back online applying the outbox.

`OfflineController.install(window)` is all the window needs; launch.py calls `go_offline` when the
database does not open. While offline the UiContext's `app` is an OfflineAppContext (reads come from
the replica, which refuses writes), its actor a read-only copy of the signed-in person, and
`ctx.offline` the OfflineSession: the note dialog sends notes and calls to its outbox instead.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget
from shiboken6 import Shiboken

from crm_desktop.offline.mode import (
    OfflineAppContext,
    OfflineSession,
    offline_actor,
    probe,
    read_only,
    refresh_replica,
)
from crm_desktop.offline.outbox import CONFLICT, PENDING, ApplyReport
from crm_desktop.offline.replica import Replica
from crm_desktop.ui.context import DEFAULT_ACTOR
from crm_desktop.ui.offline_banner import ConflictsDialog, OfflineBanner

log = logging.getLogger(__name__)

PROBE_MS = 30_000  # how often to check the shared database (offline: is it back? online: still there?)
QUICK_REFRESH_EVERY = 10  # probes: online, the copy takes in other desktops' changes every 5 minutes
AFTER_CHANGE_MS = 10_000  # and this long after a change made in this window
TITLE_SUFFIX = " — OFFLINE (read-only copy)"


class OfflineController(QObject):
    went_offline = Signal(str)
    back_online = Signal(object)  # ApplyReport
    replica_refreshed = Signal(object)  # RefreshReport
    reachable_again = Signal()

    def __init__(self, window: QMainWindow, replica: Replica | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx  # type: ignore[attr-defined]
        self.replica = replica or Replica()
        self._refreshing = False
        self._again: bool | None = None  # a refresh asked for while one ran (True: a full one)
        self._reconnecting = False
        self._probing = False
        self.monitoring = False  # the online health check runs only after the database opened once
        self.banner = OfflineBanner()
        self.banner.reconnect_clicked.connect(self.reconnect)
        self.banner.conflicts_clicked.connect(self.show_conflicts)
        self._wrap_central_widget()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._probe)
        self.timer.start(PROBE_MS)
        self.dialog: ConflictsDialog | None = None
        self._online_actor = self.ctx.actor
        self._probes = 0
        self.after_change = QTimer(self, singleShot=True, interval=AFTER_CHANGE_MS)
        self.after_change.timeout.connect(self.refresh)
        self.ctx.changes.changed.connect(self._changed)
        sync = getattr(window, "sync", None)
        if sync is not None:  # the replica follows every successful sync, in full
            sync.finished.connect(lambda outcome: outcome.ok and self.refresh(full=True))

    @classmethod
    def install(cls, window: QMainWindow, replica: Replica | None = None) -> OfflineController:
        existing = getattr(window, "offline", None)
        if isinstance(existing, OfflineController):
            return existing
        controller = cls(window, replica)
        window.offline = controller  # type: ignore[attr-defined]
        return controller

    def _wrap_central_widget(self) -> None:
        body = self.window.takeCentralWidget()
        container = QWidget(objectName="offlineContainer")
        lay = QVBoxLayout(container)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.banner)
        if body is not None:
            lay.addWidget(body, 1)
        self.window.setCentralWidget(container)

    def _guard(self, fn: Any) -> Any:
        """A task callback that does nothing once the window is gone (a result may arrive after it)."""
        def call(*args: Any) -> None:
            if Shiboken.isValid(self) and Shiboken.isValid(self.window):
                fn(*args)
            else:
                log.debug("window closed; dropped a late task result")
        return call

    @property
    def offline(self) -> bool:
        return getattr(self.ctx, "offline", None) is not None

    # ---- online: the replica --------------------------------------------------------------------

    def refresh(self, full: bool = False) -> None:
        """Refresh the replica in the background (quick on open/read, full after a sync)."""
        if self.offline:
            return
        if self._refreshing:  # one at a time; ask again when this one ends (a full one wins)
            self._again = bool(self._again) or full
            return
        self._refreshing, self._again = True, None
        app = self.ctx.app

        def finished() -> None:
            self._refreshing = False
            if self._again is not None:
                self.refresh(full=self._again)

        def done(report: Any) -> None:
            finished()
            self.replica_refreshed.emit(report)

        def failed(exc: BaseException) -> None:
            log.warning("offline copy not refreshed: %s", exc)
            finished()

        actor = self.ctx.actor
        self.ctx.tasks.run("refresh the offline copy",
                           lambda _t: refresh_replica(app, self.replica, full=full, signed_in=actor),
                           on_success=self._guard(done), on_error=self._guard(failed))

    # ---- going offline ----------------------------------------------------------------------------

    def go_offline(self, reason: str) -> bool:
        """Switch the window to the replica; False when there is no offline copy to switch to."""
        if self.offline:
            return True
        if not self.replica.exists or self.replica.refreshed_at is None:
            return False
        live = self.ctx.app
        signed_in = offline_actor(self.replica, self.ctx.actor)
        session = OfflineSession(self.replica, live.settings, reason, actor=signed_in)
        self._online_actor = self.ctx.actor  # restored on reconnect (DEFAULT_ACTOR: nobody signed in yet)
        self.ctx.app = OfflineAppContext(live.settings, self.replica)
        self.ctx.offline = session
        self.ctx.actor = read_only(signed_in or self.ctx.actor)
        live.close()
        log.warning("working offline on the copy from %s: %s", session.refreshed_at, reason)
        self._set_sync_enabled(False)
        status = getattr(self.window, "status", None)
        if status is not None and hasattr(status, "set_online"):
            status.set_online(False, reason)
        self.window.setWindowTitle(self.window.windowTitle().replace(TITLE_SUFFIX, "") + TITLE_SUFFIX)
        self.banner.show_offline(session.refreshed_at, reason, session.live_label)
        self._update_counts()
        if hasattr(self.window, "load_pages"):
            self.window.load_pages()
        self.went_offline.emit(reason)
        return True

    def _set_sync_enabled(self, enabled: bool) -> None:
        sync = getattr(self.window, "sync", None)
        action = getattr(self.window, "sync_action", None)
        if sync is not None:
            if enabled:
                sync.set_interval(self.ctx.app.settings.sync_interval_minutes)
            else:
                sync.timer.stop()
        if action is not None:
            action.setEnabled(enabled)

    # ---- checking the connection -------------------------------------------------------------------

    def _probe(self) -> None:
        if self._probing or self._reconnecting or (not self.offline and not self.monitoring):
            log.debug("connection check skipped (running: %s, reconnecting: %s, monitoring: %s)",
                      self._probing, self._reconnecting, self.monitoring)
            return
        self._probing = True
        settings = self.ctx.offline.live_settings if self.offline else self.ctx.app.settings

        def done(problem: str | None) -> None:
            log.debug("connection check: %s", problem or "reachable")
            self._probing = False
            if self.offline and problem is None:
                self.banner.set_busy(False, "Reconnect now")
                self.reachable_again.emit()
            elif not self.offline and problem is not None:
                self.go_offline(problem)
            elif not self.offline:
                self._probes += 1
                if self._probes % QUICK_REFRESH_EVERY == 0:
                    self.refresh()

        def failed(exc: BaseException) -> None:
            self._probing = False
            log.warning("connection check failed: %s", exc)

        log.debug("connection check started")
        self.ctx.tasks.run("check the database connection", lambda _t: probe(settings),
                           on_success=self._guard(done), on_error=self._guard(failed))

    # ---- coming back -------------------------------------------------------------------------------

    def reconnect(self) -> None:
        """Reach the shared database again, apply the outbox once, refresh the copy, reload the window."""
        session: OfflineSession | None = getattr(self.ctx, "offline", None)
        if session is None or self._reconnecting:
            return
        self._reconnecting = True
        self.banner.set_busy(True)

        def done(result: Any) -> None:
            self._reconnecting = False
            app, report, _refreshed = result
            self._back_online(session, app, report)

        def failed(exc: BaseException) -> None:
            self._reconnecting = False
            self.banner.set_busy(False)
            self.banner.setToolTip(str(exc))
            status = getattr(self.window, "status", None)
            if status is not None:
                status.showMessage(f"Still offline: {exc}", 10_000)

        self.ctx.tasks.run("reconnect to the database", lambda _t: session.reconnect(),
                           on_success=self._guard(done), on_error=self._guard(failed))

    def _back_online(self, session: OfflineSession, app: Any, report: ApplyReport) -> None:
        offline_app = self.ctx.app
        self.ctx.app = app
        self.ctx.offline = None
        self.ctx.actor = self._online_actor  # never the offline identity: that was not checked
        offline_app.close()
        self.banner.hide()
        self.banner.set_busy(False)
        self.window.setWindowTitle(self.window.windowTitle().replace(TITLE_SUFFIX, ""))
        self._set_sync_enabled(True)
        self.monitoring = True
        status = getattr(self.window, "status", None)
        if status is not None:
            if hasattr(status, "set_online"):
                status.set_online(True)
            sent = len(report.applied) + len(report.already)
            status.showMessage(f"Back online. {sent} note(s) logged offline were added"
                               + (f"; {len(report.conflicts)} need checking." if report.conflicts else "."),
                               15_000)
        if self._online_actor is DEFAULT_ACTOR:  # opened offline: sign in now, as at a normal start
            from crm_desktop.ui.sign_in_dialog import gate

            gate(self.window, self._reload_pages)
        else:
            self._reload_pages()
        self.back_online.emit(report)
        if report.conflicts or report.failed:
            self.show_conflicts(outbox=session.outbox)

    def _reload_pages(self) -> None:
        if hasattr(self.window, "load_pages"):
            self.window.load_pages()
        self.ctx.changes.notify("interaction", "contact")

    # ---- the outbox in the window --------------------------------------------------------------------

    def _changed(self, entities: frozenset) -> None:
        if self.offline:
            if "interaction" in entities:
                self._update_counts()
        elif self.monitoring and entities - {"sync"}:
            self.after_change.start()  # a write in this window: copy it soon (quick, incremental)

    def _update_counts(self) -> None:
        session = getattr(self.ctx, "offline", None)
        if session is None:
            return
        counts = session.outbox.counts()
        self.banner.set_counts(counts.get(PENDING, 0), counts.get(CONFLICT, 0))

    def show_conflicts(self, outbox: Any = None) -> ConflictsDialog | None:
        session = getattr(self.ctx, "offline", None)
        outbox = outbox or (session.outbox if session else None)
        if outbox is None:
            return None
        entries = outbox.entries(CONFLICT)
        if not entries:
            return None
        self.dialog = ConflictsDialog(entries, self.window)
        self.dialog.apply_anyway.connect(lambda eid: self._decide(outbox, eid, apply=True))
        self.dialog.discard.connect(lambda eid: self._decide(outbox, eid, apply=False))
        self.dialog.open()
        return self.dialog

    def _decide(self, outbox: Any, entry_id: str, *, apply: bool) -> None:
        if not apply:
            outbox.discard(entry_id)
        else:
            outbox.apply_anyway(entry_id)
            if not self.offline:  # online: apply it now
                app = self.ctx.app
                self.ctx.tasks.run("add the note", lambda _t: outbox.apply(app.db),
                                   on_success=self._guard(lambda _r: self.ctx.changes.notify("interaction", "contact")))
        self._update_counts()


def submit_offline_note(dialog: Any) -> None:
    """NoteDialog.submit while offline: keep the note or call in the outbox (validated there)."""
    from crm_desktop.services.errors import ValidationError

    session: OfflineSession = dialog.ctx.offline
    values = dialog.values()
    actor = session.actor
    if dialog.busy:
        return
    dialog.busy = True
    dialog.buttons.setEnabled(False)

    def work(_t: Any) -> str:
        return session.outbox.add(actor, dialog.contact_id, values.get("type") or "note", values.get("content"),
                                  subject=values.get("subject"), direction=values.get("direction"),
                                  related_enquiry_id=dialog.related_enquiry_id).id

    def failed(exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and "type" in exc.errors:
            exc.errors.setdefault("type", "only notes and calls can be logged while offline")
        dialog._failed(exc)

    dialog.ctx.tasks.run("keep the note for later", work, on_success=dialog._saved, on_error=failed)
