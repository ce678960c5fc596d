"""Canaries: plant a Stripe key, a database password, a tax id and bank details, drive the app's paths
(init, sync with the Stripe key set, exports, the offline replica, DEBUG logs, the self-test, errors),
then search every file the app wrote and everything it printed. None of the canaries may appear."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from crm_desktop import cli, secrets
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact
from crm_desktop.exporting import export_rows
from crm_desktop.offline.mode import refresh_replica
from crm_desktop.offline.replica import Replica
from crm_desktop.services import sensitive
from crm_desktop.sync.platform_tables import create_platform_schema
from tests.offline.conftest import files_bytes
from tests.service_helpers import owner
from tests.stripe.servers import FakeStripe

STRIPE_KEY = "sk_test_CANARYstripeKEY4242"
DB_PASSWORD = "CANARY-db-pass-9911"
TAX_ID = "CANARY-TAX-GB99887766"
BANK = "CANARY-BANK-GB29NWBK60161331926819"
CANARIES = (STRIPE_KEY, DB_PASSWORD, TAX_ID, BANK)


@pytest.fixture
def debug_logs(isolated_env: Path):  # noqa: ANN201
    """The app's own log file, at DEBUG, plus a second DEBUG file of everything (all loggers)."""
    from crm_desktop.ui.errors import setup_logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    setup_logging(logging.DEBUG)
    everything = logging.FileHandler(isolated_env / "logs" / "everything.log", encoding="utf-8")
    everything.setLevel(logging.DEBUG)
    everything.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root.addHandler(everything)
    root.setLevel(logging.DEBUG)
    yield isolated_env / "logs"
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def _run(capsys, *argv: str) -> tuple[int, str]:  # noqa: ANN001
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_no_canary_in_any_file_or_output(crm_url, tmp_path, isolated_env, debug_logs, monkeypatch, capsys,
                                         memory_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    printed: list[str] = []
    url = make_url(crm_url.replace("postgresql://", "postgresql+psycopg://", 1))
    # The database password lives in the keychain by user@host; the URL in the settings has none.
    # (PostgreSQL here trusts local connections, so the password is sent and ignored.)
    if url.get_backend_name() == "postgresql":
        secrets.set_secret(secrets.database_secret_name(crm_url), DB_PASSWORD)
    secrets.set_secret(secrets.STRIPE_KEY, STRIPE_KEY)
    platform = tmp_path / "platform.sqlite3"
    pdb = Database(f"sqlite:///{platform}")
    create_platform_schema(pdb.engine)
    pdb.dispose()
    stripe = FakeStripe().start()
    monkeypatch.setenv("CRM_DATABASE_URL", crm_url)
    monkeypatch.setenv("CRM_PLATFORM_DATABASE_URL", f"sqlite:///{platform}")
    monkeypatch.setenv("CRM_STRIPE_API_BASE", stripe.url)
    exports = tmp_path / "exports"
    exports.mkdir()
    try:
        code, text = _run(capsys, "-v", "init")
        printed.append(text)
        assert code == 0, text

        ctx = AppContext(Settings.from_env())
        from crm_desktop.services.actor import Actor

        admin = Actor("staff-admin", "admin", "Ada Admin")
        o = owner(ctx.db, admin, email="olive@canary.example")
        ctx.db.write(lambda s: sensitive.create_key(s, admin))
        ctx.db.write(lambda s: sensitive.set_sensitive(s, admin, o.id, tax_id=TAX_ID, bank_details=BANK))

        refresh_replica(ctx)  # this computer keeps an offline copy: each sync below refreshes it
        before = Replica().refreshed_at
        code, text = _run(capsys, "-v", "sync")  # platform + Stripe, with the key from the keychain
        printed.append(text)
        assert code == 0, text
        assert Replica().refreshed_at > before
        assert stripe.requests  # Stripe was really called, with the key
        stripe.fail("/v1/", (401, {}), (401, {}), (401, {}), (401, {}))
        code, text = _run(capsys, "-v", "sync")  # Stripe refuses the key: the error path
        printed.append(text)

        for name in ("owners", "memberships"):
            code, text = _run(capsys, "report", name, "--format", "csv", "--output", str(exports / f"{name}.csv"))
            printed.append(text)
            assert code == 0, text
        export_rows(ctx.db, admin, "contacts", exports / "contacts.csv", ["email", "taxId"],
                    [[o.email, sensitive.masked(o, "taxId")]])

        refresh_replica(ctx, full=True)
        reader = Replica().reader()
        with reader.read() as s:
            assert [(c.email, c.taxId, c.bankDetails) for c in s.query(Contact)] == [(o.email, None, None)]
        reader.dispose()
        ctx.close()

        code, text = _run(capsys, "--self-test")
        printed.append(text)
        assert code == 0, text

        # Errors: the server is gone (password from the keychain for user@host, and one in the URL).
        for bad in ("postgresql://postgres@127.0.0.1:1/crm", f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:1/crm"):
            monkeypatch.setenv("CRM_DATABASE_URL", bad)
            code, text = _run(capsys, "-v", "sync")
            printed.append(text)
            assert code == 2 and "error:" in text
            code, text = _run(capsys, "--self-test")
            printed.append(text)
            assert code == 2
    finally:
        stripe.stop()

    for handler in logging.getLogger().handlers:
        handler.flush()
    written = files_bytes(tmp_path)  # data folder, logs, replica, exports, the SQLite CRM and platform files
    assert any(p.suffix == ".log" and p.stat().st_size for p in written), "the DEBUG logs were written"
    assert any(p.name == "replica.sqlite3" for p in written)
    haystacks = {str(p): data for p, data in written.items()}
    haystacks["stdout/stderr"] = "\n".join(printed).encode()
    haystacks["captured log"] = caplog.text.encode()
    leaks = [(where, canary) for where, data in haystacks.items() for canary in CANARIES if canary.encode() in data]
    assert leaks == []
