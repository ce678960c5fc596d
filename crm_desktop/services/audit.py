"""The audit trail: every create, update, delete and status change goes to crm_activity_log."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crm_desktop.db.models import ActivityLog
from crm_desktop.services.actor import Actor
from crm_desktop.timeutil import now_iso

# Values of these fields are never written to the log in clear.
REDACTED_FIELDS = frozenset({"taxId", "bankDetails", "passwordHash"})


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for the fields whose value changed."""
    changes: dict[str, dict[str, Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            if key in REDACTED_FIELDS:
                old = "***" if old else None
                new = "***" if new else None
            changes[key] = {"before": jsonable(old), "after": jsonable(new)}
    return changes


def log_activity(
    session: Session,
    actor: Actor,
    entity_type: str,
    entity_id: str,
    action: str,
    changed: dict[str, Any] | None = None,
    reason: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    entry = ActivityLog(
        entityType=entity_type,
        entityId=entity_id,
        action=action,
        changedFields=json.dumps(changed, default=jsonable, ensure_ascii=False) if changed else None,
        performedBy=actor.audit_name,
        timestamp=now_iso(),
        reason=reason,
        metadata_=json.dumps(metadata, default=jsonable, ensure_ascii=False) if metadata else None,
    )
    session.add(entry)
    return entry


def row_values(row: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {f: getattr(row, f) for f in fields}
