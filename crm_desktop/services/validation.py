"""Field checks shared by the services; each returns the clean value or raises a message."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_desktop.db.base import money
from crm_desktop.timeutil import parse_day, parse_ts, to_iso

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_SHORT = 255
MAX_LONG = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_MONEY = Decimal("9999999999.99")


class FieldError(ValueError):
    pass


def clean_text(value: Any, *, long: bool = False, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise FieldError("is required")
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if not value:
        if required:
            raise FieldError("is required")
        return None
    if "\x00" in value or (not long and _CONTROL.search(value)) or (long and _CONTROL.search(value)):
        raise FieldError("contains control characters")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):  # cannot be stored as UTF-8
        raise FieldError("contains broken unicode characters")
    limit = MAX_LONG if long else MAX_SHORT
    if len(value) > limit:
        raise FieldError(f"is too long ({len(value)} characters; at most {limit})")
    return value


def normalise_email(value: Any) -> str:
    """Emails are compared trimmed and case-insensitively, so they are stored that way."""
    text = clean_text(value, required=True)
    assert text is not None
    text = text.lower()
    if not EMAIL_RE.match(text):
        raise FieldError(f"'{text}' is not a valid email address")
    return text


def choice(value: Any, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    text = clean_text(value, required=required)
    if text is None:
        return None
    text = text.lower()
    if text not in allowed:
        raise FieldError(f"'{text}' is not one of: {', '.join(allowed)}")
    return text


def amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError("is not an amount")
    try:
        dec = money(value)
    except (InvalidOperation, ValueError) as exc:
        raise FieldError(f"'{value}' is not an amount") from exc
    assert dec is not None
    if not dec.is_finite():
        raise FieldError("is not a finite amount")
    if dec < 0:
        raise FieldError("cannot be negative")
    if dec > MAX_MONEY:
        raise FieldError("is too large")
    return dec


def whole_number(value: Any, *, minimum: int = 0, maximum: int = 1_000_000) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError("is not a whole number")
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise FieldError(f"'{value}' is not a whole number") from exc
    if number < minimum:
        raise FieldError(f"must be at least {minimum}")
    if number > maximum:
        raise FieldError(f"must be at most {maximum}")
    return number


def timestamp(value: Any) -> str | None:
    try:
        return to_iso(value)
    except (ValueError, OverflowError, OSError) as exc:
        raise FieldError(f"'{value}' is not a date and time") from exc


def day(value: Any) -> str | None:
    try:
        d = parse_day(value)
    except (ValueError, OverflowError, OSError) as exc:
        raise FieldError(f"'{value}' is not a date (use YYYY-MM-DD)") from exc
    return d.isoformat() if d else None


def check_order(start: str | None, end: str | None) -> None:
    if start and end and parse_ts(end) < parse_ts(start):  # type: ignore[operator]
        raise FieldError("cannot be before the start date")
