"""The durable cursor of one platform table (crm_sync_cursors row `platform:<table>`), as JSON:

    {"at": "<latest updated_at applied>", "window": {"<row id>": ["<content digest>", "<updated_at>"]}}

A pass re-reads the rows from OVERLAP before `at` (rows can become visible late). The window holds a
digest of each row already applied inside that span, so a re-read row whose content has not changed
is skipped: a second run writes nothing, and a staff correction of a platform-owned field (a name, a
title) is not reverted by a mere re-read. A row edited again in the same second has a new digest, so
it is applied. An oversized window (a bulk import stamping thousands of rows at once) is dropped:
those rows are then re-applied, which is harmless, only slower.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_desktop.db.models import SyncCursor
from crm_desktop.timeutil import iso, now_iso, parse_ts

OVERLAP = timedelta(minutes=10)
MAX_WINDOW = 20_000


@dataclass
class CursorState:
    at: datetime | None = None
    window: dict[str, list[str]] = field(default_factory=dict)

    @property
    def since(self) -> datetime | None:
        return self.at - OVERLAP if self.at else None

    def is_known(self, row_id: str, digest: str) -> bool:
        entry = self.window.get(row_id)
        return entry is not None and entry[0] == digest

    def advanced(self, applied: Iterable[tuple[str, str, datetime | None]], at: datetime | None) -> CursorState:
        """The state after a batch: `applied` is (row id, digest, updated_at) of the rows it covered."""
        new_at = max((t for t in (self.at, at) if t is not None), default=None)
        window = dict(self.window)
        for row_id, digest, ts in applied:
            if ts is not None:
                window[row_id] = [digest, iso(ts)]  # type: ignore[list-item]
        return CursorState(new_at, _pruned(window, new_at))

    def to_text(self) -> str:
        return json.dumps({"at": iso(self.at), "window": self.window}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str | None) -> CursorState:
        if not text:
            return cls()
        if not text.lstrip().startswith("{"):  # a bare timestamp
            return cls(parse_ts(text))
        data = json.loads(text)
        return cls(parse_ts(data.get("at")), dict(data.get("window") or {}))


def _pruned(window: dict[str, list[str]], at: datetime | None) -> dict[str, list[str]]:
    if at is None:
        return {}
    floor = at - OVERLAP
    kept = {k: v for k, v in window.items() if parse_ts(v[1]) >= floor}  # type: ignore[operator]
    return kept if len(kept) <= MAX_WINDOW else {}


def digest(row: Mapping[str, Any]) -> str:
    text = json.dumps(dict(row), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def load(session: Session, source: str) -> CursorState:
    row = session.get(SyncCursor, source)
    return CursorState.from_text(row.position if row is not None else None)


def save(session: Session, source: str, state: CursorState) -> None:
    """Write the cursor in the batch's transaction: forward only (another desktop may be ahead); at the
    same point, the two windows are merged. Nothing is written when nothing changed."""
    current = session.execute(select(SyncCursor.position).where(SyncCursor.source == source)).first()
    if current is None:
        session.add(SyncCursor(source=source, position=state.to_text(), updatedAt=now_iso()))
        session.flush()
        return
    stored = CursorState.from_text(current.position)
    if stored.at is not None and (state.at is None or stored.at > state.at):
        return
    if stored.at == state.at:
        state = CursorState(state.at, _pruned({**stored.window, **state.window}, state.at))
    text = state.to_text()
    if text != current.position:
        session.execute(update(SyncCursor).where(SyncCursor.source == source)
                        .values(position=text, updatedAt=now_iso()))
