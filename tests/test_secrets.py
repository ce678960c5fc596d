"""The keychain gateway: real keychains only (plain-text backends refused), database passwords by
user@host kept out of URLs, and secrets blanked out of log messages."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import EncryptedKeyring, PlaintextKeyring
from sqlalchemy import event

from crm_desktop import secrets
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database

CANARY = "sk_test_CANARY51Hx9e"


class FileKeyringOfAnotherName(keyring.backend.KeyringBackend):
    """A file-backed backend that does not say so in its name."""

    priority = 1  # type: ignore[assignment]
    file_path = "/tmp/somewhere.cfg"

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("must never be asked to store a secret")

    def delete_password(self, service, username):
        pass


class Chain(ChainerBackend):
    def __init__(self, backends):
        self._chain = backends

    @property
    def backends(self):  # type: ignore[override]
        return self._chain


def test_memory_keychain_round_trip(memory_keyring):
    secrets.set_secret(secrets.STRIPE_KEY, CANARY)
    assert secrets.get_secret(secrets.STRIPE_KEY) == CANARY
    assert memory_keyring.store[(secrets.SERVICE, secrets.STRIPE_KEY)] == CANARY
    assert "MemoryKeyring" in secrets.describe_keychain()
    secrets.delete_secret(secrets.STRIPE_KEY)
    assert secrets.get_secret(secrets.STRIPE_KEY) is None


@pytest.mark.parametrize("make", [
    lambda p: _with_path(PlaintextKeyring(), p),
    lambda p: _with_path(object.__new__(EncryptedKeyring), p),  # no crypto library needed to refuse it
    lambda p: FileKeyringOfAnotherName(),
    lambda p: fail.Keyring(),
    lambda p: null.Keyring(),
], ids=["plaintext", "encrypted-file", "file-backed", "fail", "null"])
def test_insecure_or_missing_keychains_are_refused_plainly(tmp_path, make):
    backend = make(tmp_path / "keyring_pass.cfg")
    keyring.set_keyring(backend)
    with pytest.raises(secrets.KeychainUnavailable) as err:
        secrets.set_secret(secrets.STRIPE_KEY, CANARY)
    message = str(err.value)
    assert "No usable keychain" in message and "CRM_STRIPE_API_KEY" in message and CANARY not in message
    assert not (tmp_path / "keyring_pass.cfg").exists()
    with pytest.raises(secrets.KeychainUnavailable):
        secrets.get_secret(secrets.STRIPE_KEY)
    assert secrets.describe_keychain().startswith("unavailable: ")
    # ... and the app still works: no key, no exception.
    assert AppContext(Settings.from_env()).stripe_api_key() is None


def _with_path(backend, path):
    backend.file_path = str(path)
    return backend


def test_a_chain_uses_only_its_secure_members(tmp_path, memory_keyring):
    plain = _with_path(PlaintextKeyring(), tmp_path / "plain.cfg")
    keyring.set_keyring(Chain([plain, memory_keyring]))
    secrets.set_secret(secrets.STRIPE_KEY, CANARY)
    assert memory_keyring.store[(secrets.SERVICE, secrets.STRIPE_KEY)] == CANARY
    assert not (tmp_path / "plain.cfg").exists()
    keyring.set_keyring(Chain([plain]))
    with pytest.raises(secrets.KeychainUnavailable, match="plain file"):
        secrets.get_secret(secrets.STRIPE_KEY)


def test_database_url_is_stored_without_its_password(memory_keyring):
    bare = secrets.remember_database_url("postgresql://crm:Pa55-CANARY@db.office.local:5432/crm")
    assert bare == "postgresql://crm@db.office.local:5432/crm"
    assert secrets.database_secret_name(bare) == "db-password:crm@db.office.local"
    assert memory_keyring.store[(secrets.SERVICE, "db-password:crm@db.office.local")] == "Pa55-CANARY"
    assert secrets.remember_database_url("sqlite:////tmp/crm.sqlite3") == "sqlite:////tmp/crm.sqlite3"
    assert secrets.database_secret_name("sqlite:////tmp/x.sqlite3") is None


def test_no_keychain_means_a_password_cannot_be_remembered(tmp_path):
    keyring.set_keyring(_with_path(PlaintextKeyring(), tmp_path / "p.cfg"))
    with pytest.raises(secrets.KeychainUnavailable):
        secrets.remember_database_url("postgresql://crm:Pa55-CANARY@db/crm")
    assert not (tmp_path / "p.cfg").exists()


def test_the_password_goes_to_the_driver_not_the_url(memory_keyring):
    secrets.set_secret("db-password:crm@127.0.0.1", "Pa55-CANARY")
    ctx = AppContext(Settings.from_env({"CRM_DATABASE_URL": "postgresql://crm@127.0.0.1:1/crm"}))
    seen = {}

    @event.listens_for(ctx.db.engine, "do_connect")
    def capture(_d, _r, _a, cparams):
        seen.update(cparams)

    with pytest.raises(Exception) as err:  # nothing listens on port 1
        with ctx.db.engine.connect():
            pass
    assert seen.get("password") == "Pa55-CANARY"
    assert "Pa55-CANARY" not in str(ctx.db.engine.url) and "Pa55-CANARY" not in repr(ctx.db.url)
    assert "Pa55-CANARY" not in str(err.value)
    ctx.close()


def test_registered_secrets_never_reach_a_log_message(memory_keyring, caplog):
    secrets.set_secret(secrets.STRIPE_KEY, CANARY)
    logger = logging.getLogger("crm_desktop.test")
    with caplog.at_level(logging.DEBUG):
        logger.debug("calling Stripe with %s", CANARY)
        try:
            raise RuntimeError(f"bad key {CANARY}")
        except RuntimeError:
            logger.exception("failed")
    assert "calling Stripe with ***" in caplog.text
    assert CANARY not in caplog.text


def test_sqlite_databases_need_no_keychain(tmp_path):
    keyring.set_keyring(fail.Keyring())
    db = Database(f"sqlite:///{tmp_path}/x.sqlite3")
    secrets.use_keychain_password(db.engine)
    with db.engine.connect():
        pass
    db.dispose()


def test_settings_keep_a_database_password_by_user_at_host(memory_keyring, tmp_path):
    from PySide6.QtCore import QSettings

    from crm_desktop.ui import preferences

    qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    preferences.save_database_url(qs, "database_url", "postgresql://crm:Pa55-CANARY@db.office.local/crm")
    qs.sync()
    assert "Pa55-CANARY" not in (tmp_path / "s.ini").read_text()
    assert memory_keyring.store[(secrets.SERVICE, "db-password:crm@db.office.local")] == "Pa55-CANARY"
    # The engine finds the same entry for any URL to that server without a password.
    assert secrets.database_secret_name("postgresql://crm@db.office.local:5433/other") == \
        "db-password:crm@db.office.local"
