"""Secrets in the OS keychain through `keyring`, behind one small gateway.

What lives here: the Stripe key, database passwords (by `user@host`, so a URL can be stored and shown
without its password), the sensitive-data key and remember-me tokens. Never in a file, a log, an
export or a message: every value read or written here is also registered with a logging record factory
that blanks it out of any log message (defence in depth, for a library that logs a URL or a header).

A plain-text keyring backend (keyrings.alt's PlaintextKeyring and any other file-backed or keyrings.alt
backend) is refused: it would write the secret to a file. Through keyring's chainer, only the secure
backends in the chain are used. With no usable keychain, callers get KeychainUnavailable with a plain
message saying what still works; the app itself keeps running.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger(__name__)

SERVICE = "crm-desktop"
STRIPE_KEY = "stripe-api-key"
DB_PASSWORD_PREFIX = "db-password:"
_lock = threading.RLock()  # some backends are not thread-safe

# Backends that keep secrets in a file (or nowhere): refused by module or class name.
_REFUSED_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")
_REFUSED_NAMES = ("plaintext", "encryptedkeyring", "uncryptedfilekeyring", "filekeyring")

NO_KEYCHAIN_ADVICE = (
    "The app works without it, but cannot remember the Stripe key or database passwords: set "
    "CRM_STRIPE_API_KEY in the environment, or install and unlock a keychain (GNOME Keyring or KWallet "
    "on Linux; macOS and Windows have one built in)."
)


class KeychainUnavailable(RuntimeError):
    """No secure keychain: the message says so plainly and what still works."""


def backend_name(backend: KeyringBackend | None = None) -> str:
    backend = backend or keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def refused_reason(backend: KeyringBackend) -> str | None:
    """Why a backend must not hold secrets, or None when it is a real keychain."""
    for cls in type(backend).__mro__:
        module, name = cls.__module__, cls.__name__.lower()
        if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
            return "there is no keychain"
        if module.startswith("keyrings.alt") or any(bad in name for bad in _REFUSED_NAMES):
            return "it stores secrets in a plain file"
    if hasattr(backend, "file_path"):  # any file-backed backend, whatever it is called
        return "it stores secrets in a plain file"
    return None


def _secure_backends(backend: KeyringBackend) -> list[KeyringBackend]:
    if isinstance(backend, ChainerBackend):
        return [b for b in getattr(backend, "backends", []) if refused_reason(b) is None]
    return [backend] if refused_reason(backend) is None else []


def _usable_backend() -> KeyringBackend:
    """The keychain to use; KeychainUnavailable when there is no secure one."""
    backend = keyring.get_keyring()
    secure = _secure_backends(backend)
    if secure:
        return secure[0]
    inner = getattr(backend, "backends", None) or [backend]
    reason = refused_reason(inner[0]) or "there is no keychain"
    raise KeychainUnavailable(
        f"No usable keychain on this computer ({backend_name(inner[0])}: {reason}, so it is not used). "
        + NO_KEYCHAIN_ADVICE
    )


def describe_keychain() -> str:
    """One line for --self-test and the settings: which keychain, or why there is none."""
    try:
        return backend_name(_usable_backend())
    except KeychainUnavailable as exc:
        return f"unavailable: {exc}"


def get_secret(name: str) -> str | None:
    with _lock:
        backend = _usable_backend()
        try:
            value = backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise KeychainUnavailable(f"The keychain could not be read ({type(exc).__name__}). "
                                      + NO_KEYCHAIN_ADVICE) from None
    register_secret(value)
    return value


def set_secret(name: str, value: str) -> None:
    register_secret(value)
    with _lock:
        backend = _usable_backend()
        try:
            backend.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise KeychainUnavailable(f"The keychain could not be written ({type(exc).__name__}). "
                                      + NO_KEYCHAIN_ADVICE) from None


def delete_secret(name: str) -> None:
    with _lock:
        backend = _usable_backend()
        try:
            backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass


def mask(secret: str | None) -> str:
    """What the UI shows for a secret: its kind and last four characters only."""
    if not secret:
        return ""
    prefix = secret.split("_")[0] + "_" if "_" in secret[:8] else ""
    return f"{prefix}…{secret[-4:]}" if len(secret) > 8 else "••••"


def stripe_api_key(env_value: str | None) -> str | None:
    """The Stripe key: the environment first, else the keychain (None when neither has one)."""
    if env_value:
        register_secret(env_value)
        return env_value
    try:
        return get_secret(STRIPE_KEY)
    except KeychainUnavailable as exc:
        log.info("keychain unavailable: %s", exc)
        return None


# ---- database passwords, by user@host ---------------------------------------------------------------


def database_secret_name(url: str) -> str | None:
    """The keychain entry for a database URL's password ('db-password:user@host'), None for SQLite."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        return None
    if parsed.get_backend_name() == "sqlite" or not parsed.username or not parsed.host:
        return None
    return f"{DB_PASSWORD_PREFIX}{parsed.username}@{parsed.host}"


def remember_database_url(url: str) -> str:
    """Put a URL's password in the keychain; returns the URL without it (the form to store and show).

    Raises KeychainUnavailable when the URL has a password and there is no keychain to keep it.
    """
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        return url
    if not parsed.password:
        return url
    name = database_secret_name(url)
    if name:
        set_secret(name, str(parsed.password))
    return parsed._replace(password=None).render_as_string(hide_password=False)  # .set() ignores None


def use_keychain_password(engine: Engine) -> None:
    """Connections of this engine get the keychain's password for user@host when the URL has none.

    The password goes straight to the driver at connect time, so it is never part of the engine's URL
    (nothing that prints or logs the URL can show it). Looked up once, on the first connection.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite" or url.password or not url.username or not url.host:
        return
    name = f"{DB_PASSWORD_PREFIX}{url.username}@{url.host}"
    cache: dict[str, str | None] = {}

    @event.listens_for(engine, "do_connect")
    def _password(_dialect: Any, _rec: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        if cparams.get("password"):
            return
        if "value" not in cache:
            try:
                cache["value"] = get_secret(name)
            except KeychainUnavailable as exc:
                log.info("no database password from the keychain: %s", exc)
                cache["value"] = None
        if cache["value"]:
            cparams["password"] = cache["value"]


# ---- keeping secrets out of logs --------------------------------------------------------------------

_known: set[str] = set()
_installed = False


def register_secret(value: str | None) -> None:
    """Remember a secret's value so any log message that would contain it shows *** instead."""
    global _installed
    if not value or len(value) < 6:  # too short to blank out safely (would mangle ordinary words)
        return
    with _lock:
        _known.add(value)
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                if type(record) is logging.LogRecord:
                    record.__class__ = _RedactedRecord
                if record.exc_info and _known:  # tracebacks are formatted later: do it now, redacted
                    record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                return record

            logging.setLogRecordFactory(factory)
            _installed = True


def redact(text: str) -> str:
    for value in list(_known):
        if value in text:
            text = text.replace(value, "***")
    return text


class _RedactedRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 - logging's name
        return redact(super().getMessage())
