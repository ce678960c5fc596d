"""A report as text: an aligned table for the terminal, JSON, or spreadsheet-safe CSV."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from crm_desktop import csv_safe
from crm_desktop.reports.model import Column, Report

FORMATS = ("table", "json", "csv")


def cell_text(column: Column, value: Any) -> str:
    """How a value is shown in a table or the window (CSV and JSON keep exact values)."""
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if column.kind in ("percent", "hours") and isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def to_table(report: Report) -> str:
    header = [c.header for c in report.columns]
    body = [[cell_text(c, row.get(c.key)) for c in report.columns] for row in report.rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if col.numeric else cell.ljust(w)
            for cell, w, col in zip(cells, widths, report.columns, strict=True)
        ).rstrip()

    params = ", ".join(f"{k} {v}" for k, v in report.params.items())
    out = [report.title + (f" ({params})" if params else ""), line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in body] or ["(no rows)"]
    out += [f"Note: {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def to_json(report: Report) -> str:
    """Money, percentages and hours as exact decimal strings ("1234.50"), never floats."""
    doc = {
        "report": report.name,
        "title": report.title,
        "params": report.params,
        "columns": [{"key": c.key, "header": c.header, "kind": c.kind} for c in report.columns],
        "rows": [{c.key: _json_value(row.get(c.key)) for c in report.columns} for row in report.rows],
        "notes": report.notes,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def to_csv(report: Report) -> str:
    """Header row of column keys, then the values; text cells neutralised (see crm_desktop.csv_safe)."""
    rows: list[list[Any]] = [[c.key for c in report.columns]]
    rows += [report.values(row) for row in report.rows]
    return csv_safe.write_rows(rows)


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    return to_table(report)
