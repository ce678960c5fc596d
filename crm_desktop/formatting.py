"""How values read to a UK user: money as £1,234.50, dates as 26 Nov 2026, codes as words.

Plain functions (no Qt) so the window, the CSV exports and the reports format the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from crm_desktop.timeutil import parse_day, parse_ts

UK = ZoneInfo("Europe/London")


def money(value: Any) -> str:
    """£1,234.50; negative amounts as -£12.00; blank for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def uk_date(value: Any) -> str:
    """26 Nov 2026 (timestamps are shown as the London calendar day)."""
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, str) and len(value.strip()) == 10:
            day = parse_day(value)
        else:
            ts = parse_ts(value)
            day = ts.astimezone(UK).date() if ts else None
    except (ValueError, OverflowError, OSError):
        return str(value)
    return f"{day.day} {day:%b %Y}" if day else ""


def uk_datetime(value: Any) -> str:
    """26 Nov 2026 14:05 in London time."""
    if value is None or value == "":
        return ""
    try:
        ts = parse_ts(value)
    except (ValueError, OverflowError, OSError):
        return str(value)
    if ts is None:
        return ""
    local: datetime = ts.astimezone(UK)
    return f"{local.day} {local:%b %Y %H:%M}"


def humanise(code: Any) -> str:
    """'pending_approval' -> 'Pending approval'."""
    if code is None or code == "":
        return ""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def person(first: Any, last: Any, fallback: Any = "") -> str:
    name = " ".join(p for p in (first, last) if p)
    return name or (str(fallback) if fallback else "")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 contact', '12,345 contacts'."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"
