"""Spreadsheet-safe CSV cells: text that a spreadsheet would run as a formula is neutralised, reversibly.

A cell whose text starts with `=`, `+`, `-`, `@`, tab, CR or LF can be executed as a formula when the
file is opened in Excel or LibreOffice (CSV injection). `neutralise` puts an apostrophe in front of such
text; spreadsheets treat a leading apostrophe as "this is text" and hide it. So that the change can always
be undone, text that already starts with an apostrophe gets one more: `restore` then removes exactly one
leading apostrophe from any cell that has one, and `restore(neutralise(x)) == x` for every string x.

Numbers (int, Decimal) are written as they are: a negative amount stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"


def neutralise(cell: Any) -> Any:
    """The cell as it should be written to a CSV file (strings may gain one leading apostrophe)."""
    if not isinstance(cell, str) or not cell:
        return cell
    if cell.startswith(DANGEROUS_STARTS) or cell.startswith(QUOTE):
        return QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """The original text of a cell read back from a file written with `neutralise`."""
    if cell.startswith(QUOTE):
        return cell[1:]
    return cell


def write_rows(rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (RFC 4180 quoting, CRLF line ends) with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if c is None else neutralise(c) for c in row])
    return out.getvalue()


def read_rows(text: str) -> list[list[str]]:
    """Rows read back from `write_rows` output, with the original text of every cell."""
    return [[restore(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
