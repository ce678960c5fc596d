"""Configuration from the environment, with the desktop defaults. Secrets are never printed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "crm-desktop"


def data_dir() -> Path:
    """Where the app keeps its files (overridable with CRM_DATA_DIR, e.g. in tests)."""
    override = os.environ.get("CRM_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'crm.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    platform_database_url: str
    stripe_api_base: str | None = None
    # Read from the environment only; the keychain is consulted by crm_desktop.secrets.
    stripe_api_key_env: str | None = field(default=None, repr=False)
    smtp_url: str | None = field(default=None, repr=False)
    sync_interval_minutes: int = 15

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        db_url = env.get("CRM_DATABASE_URL") or default_database_url()
        interval = env.get("CRM_SYNC_INTERVAL_MINUTES", "15")
        return cls(
            database_url=db_url,
            platform_database_url=env.get("CRM_PLATFORM_DATABASE_URL") or db_url,
            stripe_api_base=env.get("CRM_STRIPE_API_BASE") or None,
            stripe_api_key_env=env.get("CRM_STRIPE_API_KEY") or None,
            smtp_url=env.get("CRM_SMTP_URL") or None,
            sync_interval_minutes=int(interval) if interval.isdigit() else 15,
        )
