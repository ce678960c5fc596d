"""The composition root: builds the database handles and hands them to whoever needs them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from crm_desktop.config import Settings
from crm_desktop.db.engine import Database, DatabaseUnavailable, redact_url

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings

    @cached_property
    def db(self) -> Database:
        return _open(self.settings.database_url)

    @cached_property
    def platform_db(self) -> Database:
        if self.settings.platform_database_url == self.settings.database_url:
            return self.db
        return _open(self.settings.platform_database_url)

    def stripe_api_key(self) -> str | None:
        from crm_desktop.secrets import stripe_api_key

        return stripe_api_key(self.settings.stripe_api_key_env)

    def check_reachable(self) -> None:
        """Open a connection once, turning driver errors into one clear sentence."""
        try:
            with self.db.engine.connect():
                pass
        except OperationalError as exc:
            raise DatabaseUnavailable(
                f"Cannot reach the CRM database {redact_url(self.settings.database_url)}: "
                f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}"
            ) from exc

    def require_schema(self) -> None:
        """Commands other than `init` need the CRM tables; say how to get them."""
        self.check_reachable()
        if not inspect(self.db.engine).has_table("crm_contacts"):
            raise DatabaseUnavailable(
                f"The CRM tables are missing in {redact_url(self.settings.database_url)}. "
                "Run `python main.py init` first."
            )

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
        if "platform_db" in self.__dict__ and self.platform_db is not self.db:
            self.platform_db.dispose()


def _open(url: str) -> Database:
    """A Database whose server password (when the URL has none) comes from the keychain, by user@host."""
    from crm_desktop.secrets import use_keychain_password

    db = Database(url)
    use_keychain_password(db.engine)
    return db
