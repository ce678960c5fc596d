"""What a sync pass reports: per-table counts, progress callbacks and cancellation (plain data only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TableCounts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    set_aside: int = 0


@dataclass
class SyncSummary:
    """The result of one pass: counts per (source, table), rejects with reasons, notes for the user."""

    tables: dict[str, TableCounts] = field(default_factory=dict)
    rejects: list[tuple[str, str, str]] = field(default_factory=list)  # (table, external id, reason)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False

    def table(self, name: str) -> TableCounts:
        return self.tables.setdefault(name, TableCounts())

    @property
    def changed(self) -> int:
        return sum(t.created + t.updated for t in self.tables.values())


# progress(stage, done, total): total may be 0 when unknown.
ProgressFn = Callable[[str, int, int], None]


def no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


class CancelToken:
    """Set from the UI thread; checked by the sync between batches (a batch is never half-applied)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()
