"""The status bar: which database is in use (password hidden), online or offline, the last sync and
its result, and while a sync runs its progress with a Cancel button."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from crm_desktop.db.engine import redact_url
from crm_desktop.formatting import uk_datetime
from crm_desktop.ui.context import UiContext
from crm_desktop.ui.sync_controller import SyncController, SyncOutcome


class CrmStatusBar(QStatusBar):
    def __init__(self, ctx: UiContext, sync: SyncController) -> None:
        super().__init__()
        self.setObjectName("statusBar")
        self.database = QLabel(objectName="statusDatabase")
        self.database.setText(f"Database: {redact_url(ctx.app.settings.database_url)}")
        self.database.setToolTip(redact_url(ctx.app.settings.database_url))
        self.online = QLabel(objectName="statusOnline")
        self.last_sync = QLabel("Not synced yet", objectName="statusSync")
        self.progress = QProgressBar(objectName="syncProgress", maximumWidth=180, textVisible=True)
        self.progress.hide()
        self.cancel = QPushButton("Cancel", objectName="cancelSync")
        self.cancel.hide()
        self.cancel.clicked.connect(sync.cancel)
        self.addWidget(self.database)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.cancel)
        self.addPermanentWidget(self.last_sync)
        self.addPermanentWidget(self.online)
        self.set_online(None)
        sync.started.connect(self._sync_started)
        sync.progress.connect(self._sync_progress)
        sync.finished.connect(self._sync_finished)

    def set_online(self, online: bool | None, detail: str = "") -> None:
        """None: not known yet. The offline work (issue 6) may call this with what it knows."""
        text, state = {None: ("● Connecting…", "unknown"), True: ("● Online", "online"),
                       False: ("● Offline", "offline")}[online]
        self.online.setText(text)
        self.online.setProperty("state", state)
        self.online.setToolTip(detail)
        self.online.style().unpolish(self.online)
        self.online.style().polish(self.online)

    def show_previous_sync(self, finished_at: str, status: str) -> None:
        """The last pass recorded in the database (this desktop or another), until this window syncs."""
        if self.progress.isVisible():
            return
        result = "finished" if status in ("ok", "finished", "success", "succeeded") else status
        self.last_sync.setText(f"Last sync {uk_datetime(finished_at)}: {result}")

    def _sync_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.setFormat("Syncing…")
        self.progress.show()
        self.cancel.show()
        self.cancel.setEnabled(True)
        self.last_sync.setText("Syncing…")

    def _sync_progress(self, stage: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{stage} %p%")
        else:
            self.progress.setRange(0, 0)
        self.last_sync.setText(f"Syncing {stage}… {done:,}" + (f" of {total:,}" if total else ""))

    def _sync_finished(self, outcome: SyncOutcome) -> None:
        self.progress.hide()
        self.cancel.hide()
        when = uk_datetime(outcome.finished_at)
        if outcome.ok:
            self.last_sync.setText(f"Last sync {when}: {outcome.text}")
            self.last_sync.setProperty("state", "ok")
            self.set_online(True)
        else:
            self.last_sync.setText(f"Sync failed {when}: {outcome.text}")
            self.last_sync.setProperty("state", "error")
            if outcome.error is not None:
                self.set_online(False, outcome.text)
        self.last_sync.setToolTip(outcome.text)
        self.last_sync.style().unpolish(self.last_sync)
        self.last_sync.style().polish(self.last_sync)
