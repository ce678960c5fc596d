"""Tombstones for erased people: a keyed hash of their email or platform id, never the value itself,
so a later sync does not bring them back (unless they return on the platform after the erasure)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Setting, Tombstone
from crm_desktop.timeutil import now_iso, parse_ts

_SALT_KEY = "tombstone_salt"


def _salt(session: Session) -> bytes:
    row = session.get(Setting, _SALT_KEY)
    if row is None or not row.value:
        row = Setting(key=_SALT_KEY, value=secrets.token_hex(32), updatedAt=now_iso())
        session.merge(row)
        session.flush()
        row = session.get(Setting, _SALT_KEY)
    return bytes.fromhex(row.value)  # type: ignore[union-attr, arg-type]


def tombstone_key(session: Session, kind: str, value: str) -> str:
    """kind is 'email' or 'user'; emails are trimmed and lower-cased first."""
    norm = value.strip().lower() if kind == "email" else value.strip()
    return hmac.new(_salt(session), f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()


def add_tombstone(session: Session, kind: str, value: str | None) -> None:
    if not value:
        return
    key = tombstone_key(session, kind, value)
    if session.get(Tombstone, key) is None:
        session.add(Tombstone(keyHash=key, erasedAt=now_iso()))


def is_erased(session: Session, *, email: str | None = None, user_id: str | None = None,
              platform_updated_at: str | None = None) -> bool:
    """True when the person was erased and has not come back on the platform since.

    `platform_updated_at` is the platform row's last change: a row changed after the erasure means the
    person returned (signed up or enquired again), so they are synced afresh.
    """
    keys = []
    if email:
        keys.append(tombstone_key(session, "email", email))
    if user_id:
        keys.append(tombstone_key(session, "user", user_id))
    if not keys:
        return False
    erased = session.scalars(select(Tombstone.erasedAt).where(Tombstone.keyHash.in_(keys))).all()
    if not erased:
        return False
    if platform_updated_at:
        latest = max(parse_ts(e) for e in erased)
        if parse_ts(platform_updated_at) > latest:  # type: ignore[operator]
            return False
    return True
