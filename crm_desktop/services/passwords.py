"""Staff passwords: the policy, and argon2id hashing and checking. The clear password is never kept.

argon2id at the OWASP minimum (19 MiB, 2 passes): about 30 ms a check here, so sign-in stays snappy.
`burn_time` makes an unknown email cost as much as a wrong password, so timing does not reveal accounts.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from crm_desktop.services.errors import ValidationError

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_HASHER = dict(time_cost=2, memory_cost=19_456, parallelism=1)


def hasher() -> PasswordHasher:
    return PasswordHasher(**_HASHER)


def hash_password(password: str) -> str:
    return hasher().hash(check_password(password))


def check_password(password: Any) -> str:
    """The password policy: at least MIN_PASSWORD characters, no control characters, not absurdly long."""
    if not isinstance(password, str) or not password:
        raise ValidationError({"password": "is required"})
    if len(password) < MIN_PASSWORD:
        raise ValidationError({"password": f"is too short (at least {MIN_PASSWORD} characters)"})
    if len(password) > MAX_PASSWORD:
        raise ValidationError({"password": f"is too long (at most {MAX_PASSWORD} characters)"})
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise ValidationError({"password": "contains control characters"})
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in password):
        raise ValidationError({"password": "contains broken unicode characters"})
    return password


def verify(stored_hash: str | None, password: Any) -> bool:
    if not isinstance(password, str):
        password = ""  # still spend the time: a wrong type answers like a wrong password
    try:
        return bool(stored_hash) and hasher().verify(stored_hash, password)  # type: ignore[arg-type]
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    except UnicodeError:  # broken unicode cannot be anyone's password
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_hex(16))


def burn_time(password: Any) -> None:
    """Verify against a throwaway hash so an unknown email takes as long as a wrong password."""
    verify(_dummy_hash(), password)
