"""The window's remembered settings (QSettings, organisation 'crm-desktop') and how they combine
with the environment: a variable set in the environment always wins over what was saved here.

Database passwords are not written to QSettings (a plain file on Linux): a URL's password goes to the
OS keychain, and the URL is saved without it.
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import QSettings
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crm_desktop import secrets
from crm_desktop.config import Settings
from crm_desktop.db.engine import normalise_url

ORGANISATION = "crm-desktop"
APPLICATION = "crm-desktop"
_URL_KEYS = {"database_url": "CRM_DATABASE_URL", "platform_database_url": "CRM_PLATFORM_DATABASE_URL"}


def ui_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


def _secret_name(key: str) -> str:
    return f"{key.replace('_', '-')}-password"


def split_password(url: str) -> tuple[str, str | None]:
    """(URL without its password, the password or None)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return url, None
    if not parsed.password:
        return url, None
    return parsed._replace(password=None).render_as_string(hide_password=False), str(parsed.password)


def with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    try:
        return make_url(normalise_url(url)).set(password=password).render_as_string(hide_password=False)
    except ArgumentError:
        return url


def apply_saved(settings: Settings, qs: QSettings, env: dict[str, str] | None = None) -> Settings:
    """Settings with the saved URLs and interval, where the environment does not set them."""
    env = dict(os.environ if env is None else env)
    changes: dict[str, object] = {}
    for key, var in _URL_KEYS.items():
        saved = qs.value(f"database/{key}")
        if saved and not env.get(var):
            try:  # kept by user@host (crm_desktop.secrets), so every URL to that server finds it
                password = secrets.get_secret(secrets.database_secret_name(str(saved)) or _secret_name(key))
            except secrets.KeychainUnavailable:
                password = None
            changes[key] = with_password(str(saved), password)
    if "database_url" in changes and not env.get("CRM_PLATFORM_DATABASE_URL") and not qs.value(
            "database/platform_database_url"):
        changes["platform_database_url"] = changes["database_url"]
    interval = qs.value("sync/interval_minutes")
    if interval is not None and not env.get("CRM_SYNC_INTERVAL_MINUTES"):
        try:
            changes["sync_interval_minutes"] = max(0, int(interval))
        except (TypeError, ValueError):
            pass
    return replace(settings, **changes) if changes else settings  # type: ignore[arg-type]


def save_database_url(qs: QSettings, key: str, url: str) -> None:
    """Save a URL (its password to the keychain; raises KeychainUnavailable if there is none)."""
    bare, password = split_password(url.strip())
    if password:
        secrets.set_secret(secrets.database_secret_name(bare) or _secret_name(key), password)
    if bare:
        qs.setValue(f"database/{key}", bare)
    else:
        qs.remove(f"database/{key}")


def save_sync_interval(qs: QSettings, minutes: int) -> None:
    qs.setValue("sync/interval_minutes", int(minutes))
