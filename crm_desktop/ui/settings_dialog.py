"""Settings: the database addresses, the Stripe key (kept in the OS keychain, only ever shown masked)
and how often to sync. A computer without a keychain gets a clear message instead of a stored key."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import secrets
from crm_desktop.config import Settings
from crm_desktop.db.engine import redact_url
from crm_desktop.ui import preferences

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, qs: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.settings, self.qs = settings, qs
        self.restart_needed = False
        layout = QVBoxLayout(self)
        layout.setSpacing(14)

        db_box = QGroupBox("Databases")
        form = QFormLayout(db_box)
        self.crm_url = QLineEdit(preferences.split_password(settings.database_url)[0])
        self.crm_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                                      placeholderText="unchanged (stored in the keychain)")
        self.platform_url = QLineEdit(preferences.split_password(settings.platform_database_url)[0])
        self.platform_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                                           placeholderText="unchanged (stored in the keychain)")
        form.addRow("CRM database", self.crm_url)
        form.addRow("Password", self.crm_password)
        form.addRow("Platform database", self.platform_url)
        form.addRow("Password", self.platform_password)
        note = QLabel("e.g. sqlite:///C:/crm/crm.sqlite3 or postgresql://user@host/crm. Changes take effect "
                      "the next time the window opens; CRM_DATABASE_URL and CRM_PLATFORM_DATABASE_URL in the "
                      "environment take precedence (and are what the command line uses).",
                      objectName="hint", wordWrap=True)
        form.addRow(note)
        layout.addWidget(db_box)

        stripe_box = QGroupBox("Stripe")
        sform = QFormLayout(stripe_box)
        self.stripe_current = QLabel(objectName="maskedKey")
        self.stripe_key = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText="sk_live_… or rk_live_…")
        self.stripe_remove = QPushButton("Remove saved key")
        self.stripe_remove.clicked.connect(self._remove_key)
        row = QHBoxLayout()
        row.addWidget(self.stripe_current, 1)
        row.addWidget(self.stripe_remove)
        sform.addRow("Saved key", row)
        sform.addRow("New key", self.stripe_key)
        self.keychain_message = QLabel(objectName="inlineError", wordWrap=True)
        self.keychain_message.hide()
        sform.addRow(self.keychain_message)
        layout.addWidget(stripe_box)

        sync_box = QGroupBox("Sync")
        yform = QFormLayout(sync_box)
        self.interval = QSpinBox(minimum=0, maximum=24 * 60, suffix=" minutes")
        self.interval.setSpecialValueText("Off (only when I click Sync now)")
        self.interval.setValue(settings.sync_interval_minutes)
        yform.addRow("Sync automatically every", self.interval)
        layout.addWidget(sync_box)

        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show_key()

    def _show_key(self) -> None:
        if self.settings.stripe_api_key_env:
            self.stripe_current.setText(f"{secrets.mask(self.settings.stripe_api_key_env)} "
                                        "(from CRM_STRIPE_API_KEY in the environment)")
            self.stripe_remove.setEnabled(False)
            return
        try:
            saved = secrets.get_secret(secrets.STRIPE_KEY)
        except secrets.KeychainUnavailable as exc:
            self._keychain_unavailable(exc)
            return
        self.stripe_current.setText(secrets.mask(saved) if saved else "None saved")
        self.stripe_remove.setEnabled(bool(saved))

    def _keychain_unavailable(self, exc: BaseException) -> None:
        self.stripe_current.setText("Keychain unavailable")
        self.stripe_key.setEnabled(False)
        self.stripe_remove.setEnabled(False)
        self.keychain_message.setText(f"{exc} Database passwords cannot be saved either.")
        self.keychain_message.show()

    def _remove_key(self) -> None:
        try:
            secrets.delete_secret(secrets.STRIPE_KEY)
        except secrets.KeychainUnavailable as exc:
            self._keychain_unavailable(exc)
            return
        self._show_key()

    def save(self) -> None:
        """Save everything or nothing visible: errors are shown in the dialog, which stays open."""
        try:
            key = self.stripe_key.text().strip()
            if key:
                secrets.set_secret(secrets.STRIPE_KEY, key)
                self.stripe_key.clear()
            for name, url_edit, password_edit, current in (
                    ("database_url", self.crm_url, self.crm_password, self.settings.database_url),
                    ("platform_database_url", self.platform_url, self.platform_password,
                     self.settings.platform_database_url)):
                url = url_edit.text().strip()
                if not url:
                    continue
                password = password_edit.text()
                full = preferences.with_password(url, password) if password else url
                if full != preferences.split_password(current)[0] or password:
                    preferences.save_database_url(self.qs, name, full)
                    self.restart_needed = True
            preferences.save_sync_interval(self.qs, self.interval.value())
        except secrets.KeychainUnavailable as exc:
            self.error.setText(f"{exc} Nothing secret was saved.")
            self.error.show()
            return
        log.info("settings saved (CRM database %s)", redact_url(self.crm_url.text()))
        self.accept()
