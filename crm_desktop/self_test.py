"""`--self-test`: open (or create) the database, run the migrations, report the keychain, exit 0.

Used to check a packaged app on a new machine: it exercises the frozen Alembic files, the SQLite or
PostgreSQL driver and keyring's backend discovery, and prints nothing secret.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from crm_desktop import __version__
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import DatabaseUnavailable, redact_url
from crm_desktop.db.migrate import upgrade


def run_self_test(settings: Settings, ui_check: Callable[[Settings], str] | None = None) -> int:
    """0 when everything works; 2 (and a one-line reason on stderr) when something does not."""
    ctx = AppContext(settings)
    try:
        ctx.check_reachable()
        _, after = upgrade(ctx.db.engine)
    except DatabaseUnavailable as exc:
        print(f"self-test: FAILED: {exc}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    from crm_desktop.secrets import describe_keychain

    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    print(f"crm-desktop {__version__}{frozen}")
    print(f"database: {redact_url(settings.database_url)} (schema {after})")
    print(f"keychain: {describe_keychain()}")
    if ui_check is not None:
        try:
            print(f"window: {ui_check(settings)}")
        except Exception as exc:  # noqa: BLE001 - reported, with the exit code, never a traceback
            print(f"self-test: FAILED: the window cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    print("self-test: OK")
    return 0
