"""The write path every entity service shares: validate, check the version, apply, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.services import audit
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ConflictError, NotFoundError, ValidationError
from crm_desktop.services.listing import unsearchable
from crm_desktop.services.validation import FieldError
from crm_desktop.timeutil import now_iso

Cleaner = Callable[[Any], Any]


def clean_fields(data: dict[str, Any], cleaners: dict[str, Cleaner]) -> dict[str, Any]:
    """Run each field's cleaner; collect every problem into one ValidationError."""
    unknown = sorted(set(data) - set(cleaners))
    errors: dict[str, str] = {f: "is not a field that can be set" for f in unknown}
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key in unknown:
            continue
        try:
            clean[key] = cleaners[key](value)
        except FieldError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    return clean


def get_or_404(session: Session, model: type, row_id: str, label: str):
    if not isinstance(row_id, str) or len(row_id) > 200 or unsearchable(row_id):  # never a valid id
        raise NotFoundError(f"No {label} with id {str(row_id)[:60]!r}.")
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"No {label} with id {row_id}.")
    return row


def check_version(row: Any, expected_version: int | None, label: str) -> None:
    """Optimistic locking: the caller says which version it edited; a newer one is a conflict."""
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            f"This {label} was changed by someone else since you opened it (your copy: version "
            f"{expected_version}, saved: version {row.version}). Reload it and make your change again."
        )


def apply_update(row: Any, clean: dict[str, Any], *, touch: str | None = "updatedAt") -> dict[str, Any]:
    """Set the changed fields; return the audit diff (empty when nothing changed)."""
    before = {k: getattr(row, k) for k in clean}
    changes = audit.diff(before, clean)
    for key in changes:
        setattr(row, key, clean[key])
    if changes and touch:
        setattr(row, touch, now_iso())
    return changes


def flush(session: Session, label: str, unique_messages: dict[str, tuple[str, str]] | None = None) -> None:
    """Flush, turning database constraint failures into the errors a user understands."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            f"This {label} was changed by someone else while you were saving. Reload it and try again."
        ) from exc
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        for needle, (field, message) in (unique_messages or {}).items():
            if needle.lower() in text:
                raise ValidationError({field: message}) from exc
        raise ValidationError({"record": f"breaks a database rule ({type(exc.orig).__name__})"}) from exc


def record(session: Session, actor: Actor, entity: str, row: Any, action: str, changes: dict[str, Any] | None,
           reason: str | None = None) -> None:
    audit.log_activity(session, actor, entity, row.id, action, changes, reason)


def update_entity(session: Session, actor: Actor, model: type, label: str, row_id: str,
                  changes: dict[str, Any], cleaners: dict[str, Cleaner], *, expected_version: int | None,
                  reason: str | None, status_field: str | None = None,
                  validate: Callable[[Any, dict[str, Any]], None] | None = None,
                  unique_messages: dict[str, tuple[str, str]] | None = None):
    """The shared update path: load, check the version, clean, validate, apply, flush and audit.

    The audit action is `status_changed` when `status_field` changed, else `updated`; nothing is written
    (not even an audit entry) when no value really changed.
    """
    actor.require("write")
    row = get_or_404(session, model, row_id, label)
    check_version(row, expected_version, label)
    clean = clean_fields(changes, cleaners)
    if validate:
        validate(row, clean)
    old_status = getattr(row, status_field) if status_field else None
    changed = apply_update(row, clean)
    if changed:
        flush(session, label, unique_messages)
        status_moved = status_field is not None and getattr(row, status_field) != old_status
        record(session, actor, label, row, "status_changed" if status_moved else "updated", changed, reason)
    return row
