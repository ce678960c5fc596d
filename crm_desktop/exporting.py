"""Exporting table rows to CSV: spreadsheet-safe cells and an audit entry naming who exported what.

The cell neutraliser lives in crm_desktop.csv_safe (shared with the reports). The file is written to a
temporary name beside the target and renamed when complete, so a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from crm_desktop.csv_safe import neutralise
from crm_desktop.db.engine import Database
from crm_desktop.services.actor import Actor
from crm_desktop.services.audit import jsonable, log_activity


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value  # a negative amount stays a number (neutralising is for text)
    return neutralise(jsonable(value))


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (UTF-8 with BOM so Excel reads £ correctly); returns the number of data rows."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".csv", dir=target.parent)
    written = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow([_cell(h) for h in headers])
            for row in rows:
                writer.writerow([_cell(v) for v in row])
                written += 1
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


def record_export(db: Database, actor: Actor, what: str, rows: int, path: str | Path,
                  details: dict[str, Any] | None = None) -> None:
    """Audit an export: entityType 'report', action 'exported', performed by the member of staff."""
    metadata = {"rows": rows, "file": Path(path).name, **(details or {})}
    db.write(lambda s: log_activity(s, actor, "report", what, "exported", metadata=metadata))


def export_rows(db: Database, actor: Actor, what: str, path: str | Path, headers: Sequence[str],
                rows: Iterable[Sequence[Any]], details: dict[str, Any] | None = None) -> int:
    """Check the right to export, write the file, then record who exported it."""
    actor.require("export")
    written = write_csv(path, headers, rows)
    record_export(db, actor, what, written, path, details)
    return written
