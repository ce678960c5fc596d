"""Timestamps as the CRM stores them: fixed-width ISO-8601 UTC text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, date, datetime

_FMT = "%Y-%m-%dT%H:%M:%S.{ms}Z"


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime | None) -> str | None:
    """Format an aware (or naive meaning UTC) datetime as 'YYYY-MM-DDTHH:MM:SS.mmmZ'."""
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime(_FMT.format(ms=f"{dt.microsecond // 1000:03d}"))


def now_iso() -> str:
    return iso(utcnow())  # type: ignore[return-value]


def parse_ts(value: object) -> datetime | None:
    """Parse any timestamp the platform or Stripe uses into an aware UTC datetime.

    Accepts epoch seconds (int/float or digit strings), ISO-8601 with 'Z' or an offset, and naive
    text ('2026-02-02 10:15:00', meaning UTC). Raises ValueError on anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        # Values this large are milliseconds, not seconds.
        seconds = value / 1000 if abs(value) > 10_000_000_000 else value
        return datetime.fromtimestamp(seconds, UTC)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return parse_ts(int(text))
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a timestamp: {value!r}") from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def to_iso(value: object) -> str | None:
    """Normalise any accepted timestamp form to the CRM's stored text."""
    return iso(parse_ts(value))


def parse_day(value: object) -> date | None:
    """A calendar day from 'YYYY-MM-DD' or any timestamp form."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    dt = parse_ts(value)
    return dt.date() if dt else None
