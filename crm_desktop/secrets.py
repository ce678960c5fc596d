"""Secrets in the OS keychain through `keyring`, behind one small gateway.

A plain-text keyring backend (keyrings.alt's PlaintextKeyring and friends) is refused: it would write
the secret to a file. With no usable keychain, callers get KeychainUnavailable with a plain message.
"""

from __future__ import annotations

import logging
import threading

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "crm-desktop"
STRIPE_KEY = "stripe-api-key"
_lock = threading.Lock()  # some backends are not thread-safe

_REFUSED_BACKENDS = ("keyrings.alt.file", "PlaintextKeyring", "EncryptedKeyring", "keyring.backends.fail")


class KeychainUnavailable(RuntimeError):
    pass


def backend_name(backend: KeyringBackend | None = None) -> str:
    backend = backend or keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _usable_backend() -> KeyringBackend:
    backend = keyring.get_keyring()
    name = backend_name(backend)
    if any(bad in name for bad in _REFUSED_BACKENDS) or "chainer" in name.lower() and not _chainer_ok(backend):
        raise KeychainUnavailable(
            "No secure keychain is available on this computer (found: "
            f"{type(backend).__name__}). Secrets cannot be saved; set them in the environment instead."
        )
    return backend


def _chainer_ok(backend: KeyringBackend) -> bool:
    backends = getattr(backend, "backends", [])
    return bool(backends) and not any(
        any(bad in backend_name(b) for bad in _REFUSED_BACKENDS) for b in backends
    )


def get_secret(name: str) -> str | None:
    with _lock:
        backend = _usable_backend()
        try:
            return backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise KeychainUnavailable(f"The keychain could not be read: {type(exc).__name__}") from exc


def set_secret(name: str, value: str) -> None:
    with _lock:
        backend = _usable_backend()
        try:
            backend.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise KeychainUnavailable(f"The keychain could not be written: {type(exc).__name__}") from exc


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
        return env_value
    try:
        return get_secret(STRIPE_KEY)
    except KeychainUnavailable as exc:
        log.info("keychain unavailable: %s", exc)
        return None
