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
    """What the Reports view plots, as data (the core draws nothing).

    Bars: one per distinct `label_key` value, the sum of `value_key` (or the number of rows when
    `value_key` is None), over the rows matching `where` (key, value); rows labelled "all" are totals and
    are left out. `top` keeps the largest N; `sort_labels` orders by label (months). Stages: the values of
    the `stages` columns of the first matching row, as a funnel.
    """

    label_key: str
    value_key: str | None
    title: str
    where: tuple[str, str] | None = None
    top: int | None = None
    sort_labels: bool = False
    stages: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "funnel" if self.stages else "bar"


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


def chart_points(report: Report) -> tuple[list[str], list[int | Decimal]]:
    """The labels and values to plot for a report (see Chart); empty lists when there is nothing."""
    chart = report.chart
    if chart is None:
        return [], []
    rows = [r for r in report.rows if chart.where is None or r.get(chart.where[0]) == chart.where[1]]
    if chart.stages:
        if not rows:
            return [], []
        return [report.column(k).header for k in chart.stages], [rows[0].get(k) or 0 for k in chart.stages]
    totals: dict[str, int | Decimal] = {}
    for row in rows:
        label = row.get(chart.label_key)
        if label is None or label == "all":
            continue
        value = 1 if chart.value_key is None else (row.get(chart.value_key) or 0)
        totals[str(label)] = totals.get(str(label), 0) + value
    items = list(totals.items())
    if chart.top:
        items = sorted(items, key=lambda kv: kv[1], reverse=True)[:chart.top]
    elif chart.sort_labels:
        items.sort()
    return [k for k, _ in items], [v for _, v in items]


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
