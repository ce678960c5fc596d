"""The durable Stripe events cursor (crm_sync_cursors row 'stripe:events'), as JSON:

    {"created": <last applied event's created>, "seen": {event id: created, ...}, "listedAt": <epoch>}

`created` is where the next pass lists from, minus an overlap window, so events that become visible
late are not missed; `seen` remembers the ids applied inside that window so they are not applied again;
`listedAt` is the last time the event list was read to the end, which says whether Stripe still holds
every event since (it keeps them 30 days) or a full reconcile is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import SyncCursor
from crm_desktop.timeutil import now_iso

CURSOR_SOURCE = "stripe:events"
OVERLAP_SECONDS = 5 * 60
EVENT_RETENTION_SECONDS = 30 * 24 * 3600


@dataclass
class CursorState:
    created: int | None = None
    seen: dict[str, int] = field(default_factory=dict)
    listed_at: int | None = None

    @classmethod
    def from_text(cls, text: str | None) -> CursorState:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(int(data["created"]) if data.get("created") is not None else None,
                       {str(k): int(v) for k, v in (data.get("seen") or {}).items()},
                       int(data["listedAt"]) if data.get("listedAt") is not None else None)
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()  # an unreadable cursor means a full reconcile, which is always safe

    def to_text(self) -> str:
        return json.dumps({"created": self.created, "seen": dict(sorted(self.seen.items())),
                           "listedAt": self.listed_at}, sort_keys=True)

    def list_from(self) -> int | None:
        return None if self.created is None else self.created - OVERLAP_SECONDS

    def needs_reconcile(self, now: int) -> bool:
        return self.created is None or self.listed_at is None or \
            now - self.listed_at > EVENT_RETENTION_SECONDS - OVERLAP_SECONDS

    def is_applied(self, event_id: str, created: object) -> bool:
        """Seen in the window, or older than the window (a malformed time is never 'applied')."""
        if event_id in self.seen:
            return True
        start = self.list_from()
        return start is not None and isinstance(created, int) and created < start

    def advance(self, event_id: str, created: int) -> None:
        self.created = max(self.created or created, created)
        self.seen[event_id] = created
        floor = self.created - OVERLAP_SECONDS
        self.seen = {k: v for k, v in self.seen.items() if v >= floor}


def load_cursor(session: Session, *, lock: bool = False) -> CursorState:
    """Read the cursor; with lock=True (inside a write transaction) other desktops wait for it (PostgreSQL)."""
    stmt = select(SyncCursor).where(SyncCursor.source == CURSOR_SOURCE)
    if lock:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    return CursorState.from_text(row.position if row else None)


def save_cursor(session: Session, state: CursorState) -> None:
    text = state.to_text()
    row = session.get(SyncCursor, CURSOR_SOURCE)
    if row is None:
        session.add(SyncCursor(source=CURSOR_SOURCE, position=text, updatedAt=now_iso()))
    elif row.position != text:
        row.position, row.updatedAt = text, now_iso()
