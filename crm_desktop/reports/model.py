"""A report as plain data: named columns (with a kind that says how to format them) and rows of values.

Reports are built in the core and handed to the command line, the window and CSV export unchanged;
only plain values (str, int, Decimal, None) are in the rows, so they can cross threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crm_desktop.db.base import CENT

# Column kinds: how a value is shown. Money is pounds and pence; percent and hours have two decimals.
KINDS = ("text", "int", "money", "percent", "hours")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Chart:
    """What the Reports view plots: one bar per row, labelled by `label_key`, height from `value_key`."""

    label_key: str
    value_key: str
    title: str


@dataclass
class Report:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    chart: Chart | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def values(self, row: dict[str, Any]) -> list[Any]:
        return [row.get(c.key) for c in self.columns]


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """part / whole in per cent, to two decimals; 0.00 when whole is 0 (never a division error)."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def pence_to_pounds(pence: object) -> Decimal:
    """A SQL sum of whole pence (int, Decimal or None) as exact pounds."""
    if pence is None:
        return Decimal("0.00")
    return (Decimal(int(pence)) / 100).quantize(CENT)


def two_places(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
