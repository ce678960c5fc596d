"""`--self-test`: open (or create) the database, run the migrations, report the keychain, exit 0."""

from __future__ import annotations

import sys

from crm_desktop import __version__
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import DatabaseUnavailable, redact_url
from crm_desktop.db.migrate import upgrade


def run_self_test(settings: Settings) -> int:
    ctx = AppContext(settings)
    try:
        ctx.check_reachable()
        _, after = upgrade(ctx.db.engine)
    except DatabaseUnavailable as exc:
        print(f"self-test: FAILED: {exc}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    from crm_desktop.secrets import KeychainUnavailable, _usable_backend, backend_name

    try:
        _usable_backend()
        keychain = backend_name()
    except KeychainUnavailable as exc:
        keychain = f"unavailable ({exc})"
    print(f"crm-desktop {__version__}")
    print(f"database: {redact_url(settings.database_url)} (schema {after})")
    print(f"keychain: {keychain}")
    print("self-test: OK")
    return 0
