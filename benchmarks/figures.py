"""One benchmark figure next to its target and the raw limit measured in the same run, and the table."""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """`value` in `unit`; `target` is a bound (`<`: at most, `>=`: at least, or a ratio to raw);
    `raw` is the same work done the fastest plain way in the same run, so `ratio` = value / raw."""

    name: str
    value: float | None
    unit: str
    target: str = ""
    raw: float | None = None
    raw_label: str = ""
    note: str = ""
    ok: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.raw:
            return None
        return self.value / self.raw


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(fn: Callable[[], object]) -> float:
    """Wall time of one call in milliseconds."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table (also readable as plain text)."""
    head = ("figure", "value", "unit", "target", "met", "raw limit (same run)", "raw", "ratio", "note")
    rows = [head, tuple("---" for _ in head)]
    for f in figures:
        met = "" if f.ok is None else ("yes" if f.ok else "NO")
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        rows.append((f.name, fmt(f.value), f.unit, f.target, met, f.raw_label, fmt(f.raw), ratio, f.note))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    return "\n".join("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows)


def machine() -> str:
    """nproc, RAM, CPU model, Python/SQLite versions and the date: what the figures were measured on."""
    import sqlite3

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    return (f"{os.cpu_count()} CPUs ({cpu}), {ram} RAM, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


def rss_mb() -> float:
    """This process's resident set size in MB (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
