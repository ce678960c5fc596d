"""Staff accounts: sign-in with argon2-hashed passwords, lock-out, roles, and admin-only management.

Passwords are never stored, logged or audited in clear: only their argon2id hash is kept, and the audit
diff redacts `passwordHash`. A sign-in attempt that fails is recorded (and committed) before the refusal
is raised, so five wrong passwords lock the account even though each attempt ends in an error.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import STAFF_ROLES, Setting, Staff
from crm_desktop.services import audit, crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import CrmError, PermissionDenied, ValidationError
from crm_desktop.services.passwords import (
    burn_time,
    check_password,
    hash_password,
    hasher,
    needs_rehash,
    verify,
)
from crm_desktop.services.validation import FieldError, choice, clean_text, normalise_email
from crm_desktop.timeutil import iso, now_iso, parse_ts, utcnow

LABEL = "member of staff"
MAX_FAILURES = 5
LOCK_MINUTES = 15
REMEMBER_DAYS = 30
REMEMBER_PREFIX = "remember:"


class SignInFailed(CrmError):
    """Wrong email or password, an inactive account, or a locked one; the message says which plainly."""


@dataclass(frozen=True)
class StaffInfo:
    """A member of staff as the UI and the command line see them (no password hash)."""

    id: str
    email: str
    name: str
    role: str
    active: bool
    has_password: bool
    locked_until: str | None
    created_at: str


def to_actor(staff: Staff) -> Actor:
    return Actor(staff.id, staff.role, staff.name)


def info(staff: Staff) -> StaffInfo:
    return StaffInfo(staff.id, staff.email, staff.name, staff.role, bool(staff.active),
                     bool(staff.passwordHash), staff.lockedUntil, staff.createdAt)


# ---- first run --------------------------------------------------------------------------------------


def needs_first_admin(session: Session) -> bool:
    """True while nobody can sign in as an admin: the window then offers to create the first one."""
    return not session.scalar(select(func.count()).select_from(Staff).where(
        Staff.role == "admin", Staff.active.is_(True), Staff.passwordHash.is_not(None)))


def sign_in_required(session: Session) -> bool:
    """Sign-in is required as soon as any active member of staff has a password."""
    return bool(session.scalar(select(func.count()).select_from(Staff).where(
        Staff.active.is_(True), Staff.passwordHash.is_not(None))))


def create_first_admin(session: Session, email: str, name: str, password: str) -> Staff:
    """Bootstrap: only allowed while no admin can sign in (see needs_first_admin)."""
    if not needs_first_admin(session):
        raise PermissionDenied("An admin already exists; ask them to create your account.")
    bootstrap = Actor("system", "system", "First run")
    return create_staff(session, bootstrap, email=email, name=name, role="admin", password=password)


# ---- sign-in ----------------------------------------------------------------------------------------


def authenticate(session: Session, email: str, password: str) -> Actor:
    """Check an email and password; returns the signed-in Actor or raises SignInFailed.

    Every attempt is audited (signed_in, sign_in_failed, locked_out; entityType 'staff'). The failure
    bookkeeping is committed before SignInFailed is raised so that a caller's rollback cannot undo it.
    """
    wrong = SignInFailed("Wrong email or password.")
    try:
        key = normalise_email(email)
    except FieldError:
        burn_time(password or "")
        raise wrong from None
    # FOR UPDATE: concurrent attempts on one account count one after the other (PostgreSQL; SQLite's
    # write transaction already serialises them).
    staff = session.scalar(select(Staff).where(Staff.email == key).with_for_update())
    now = utcnow()
    if staff is None or not staff.active or not staff.passwordHash:
        burn_time(password or "")
        _log(session, staff.id if staff else "unknown", "sign_in_failed",
             {"why": "unknown account" if staff is None else "inactive or no password"})
        session.commit()
        raise wrong
    if staff.lockedUntil and parse_ts(staff.lockedUntil) > now:  # type: ignore[operator]
        _log(session, staff.id, "sign_in_failed", {"why": "locked"})
        session.commit()
        raise SignInFailed(_locked_message(staff.lockedUntil))
    if staff.lockedUntil:  # the lock has run out: start counting afresh
        staff.lockedUntil = None
        staff.failedLogins = 0
    if not verify(staff.passwordHash, password or ""):
        staff.failedLogins = (staff.failedLogins or 0) + 1
        _log(session, staff.id, "sign_in_failed", {"why": "wrong password", "failures": staff.failedLogins})
        if staff.failedLogins >= MAX_FAILURES:
            staff.lockedUntil = iso(now + timedelta(minutes=LOCK_MINUTES))
            _log(session, staff.id, "locked_out", {"until": staff.lockedUntil})
            session.commit()
            raise SignInFailed(_locked_message(staff.lockedUntil))
        session.commit()
        raise wrong
    staff.failedLogins = 0
    staff.lockedUntil = None
    if needs_rehash(staff.passwordHash):
        staff.passwordHash = hasher().hash(password)  # stronger settings since it was hashed
    _log(session, staff.id, "signed_in", None)
    session.flush()
    return to_actor(staff)


def _locked_message(until: str | None) -> str:
    when = parse_ts(until)
    shown = when.strftime("%H:%M UTC") if when else "later"
    return (f"This account is locked after {MAX_FAILURES} failed sign-ins. Try again after {shown}, "
            "or ask an admin to reset the password.")


def _log(session: Session, staff_id: str, action: str, metadata: dict[str, Any] | None) -> None:
    who = Actor(staff_id, "system", "sign-in") if staff_id != "unknown" else Actor("unknown", "system")
    audit.log_activity(session, who, "staff", staff_id, action, metadata=metadata)


# ---- remember me ------------------------------------------------------------------------------------


def _token_key(token: str) -> str:
    return REMEMBER_PREFIX + hashlib.sha256(token.encode()).hexdigest()


def issue_remember_token(session: Session, actor: Actor) -> str:
    """A random token for the keychain; only its hash is stored (in crm_settings), never the password."""
    token = secrets.token_urlsafe(32)
    expires = iso(utcnow() + timedelta(days=REMEMBER_DAYS))
    session.merge(Setting(key=_token_key(token), value=json.dumps({"staffId": actor.id, "expiresAt": expires}),
                          updatedAt=now_iso()))
    session.flush()
    return token


def authenticate_token(session: Session, token: str) -> Actor | None:
    """The Actor a remembered token stands for, or None when it is unknown, expired or revoked."""
    if not token:
        return None
    row = session.get(Setting, _token_key(token))
    if row is None or not row.value:
        return None
    try:
        data = json.loads(row.value)
        expired = parse_ts(data["expiresAt"]) <= utcnow()  # type: ignore[operator]
    except (ValueError, KeyError, TypeError):
        expired = True
        data = {}
    staff = session.get(Staff, data.get("staffId", ""))
    if expired or staff is None or not staff.active or not staff.passwordHash:
        session.delete(row)
        session.flush()
        return None
    if staff.lockedUntil and parse_ts(staff.lockedUntil) > utcnow():  # type: ignore[operator]
        return None
    _log(session, staff.id, "signed_in", {"how": "remembered"})
    session.flush()
    return to_actor(staff)


def forget_token(session: Session, token: str) -> None:
    row = session.get(Setting, _token_key(token))
    if row is not None:
        session.delete(row)
        session.flush()


def _revoke_tokens(session: Session, staff_id: str) -> None:
    for row in session.scalars(select(Setting).where(Setting.key.like(REMEMBER_PREFIX + "%"))):
        try:
            if json.loads(row.value or "{}").get("staffId") == staff_id:
                session.delete(row)
        except ValueError:
            session.delete(row)


# ---- management (admin only) ------------------------------------------------------------------------


def _clean_role(role: Any) -> str:
    try:
        return choice(role, STAFF_ROLES, required=True)  # type: ignore[return-value]
    except FieldError as exc:
        raise ValidationError({"role": str(exc)}) from exc


def create_staff(session: Session, actor: Actor, *, email: str, name: str, role: str = "staff",
                 password: str | None = None) -> Staff:
    actor.require("manage_staff")
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, fn in (("email", normalise_email), ("name", lambda v: clean_text(v, required=True))):
        try:
            clean[key] = fn(email if key == "email" else name)
        except FieldError as exc:
            errors[key] = str(exc)
    try:
        clean["role"] = _clean_role(role)
    except ValidationError as exc:
        errors.update(exc.errors)
    if password is not None:
        try:
            check_password(password)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    if session.scalar(select(Staff.id).where(Staff.email == clean["email"])):
        raise ValidationError({"email": f"a member of staff already has the email {clean['email']}"})
    now = now_iso()
    staff = Staff(**clean, passwordHash=hash_password(password) if password else None, active=True,
                  failedLogins=0, createdAt=now, updatedAt=now)
    session.add(staff)
    crud.flush(session, LABEL, {"email": ("email", "a member of staff already has that email")})
    audit.log_activity(session, actor, "staff", staff.id, "created",
                       {**{k: {"before": None, "after": v} for k, v in clean.items()},
                        **({"passwordHash": {"before": None, "after": "***"}} if password else {})})
    return staff


def list_staff(session: Session, actor: Actor, *, include_inactive: bool = True) -> list[StaffInfo]:
    actor.require("read")
    stmt = select(Staff).order_by(Staff.name, Staff.id)
    if not include_inactive:
        stmt = stmt.where(Staff.active.is_(True))
    return [info(s) for s in session.scalars(stmt)]


def _get(session: Session, staff_id: str) -> Staff:
    return crud.get_or_404(session, Staff, staff_id, LABEL)


def _other_active_admins(session: Session, staff_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Staff).where(
        Staff.role == "admin", Staff.active.is_(True), Staff.id != staff_id)) or 0


def change_role(session: Session, actor: Actor, staff_id: str, role: str) -> Staff:
    actor.require("manage_staff")
    role = _clean_role(role)
    staff = _get(session, staff_id)
    if staff.role == role:
        return staff
    if staff.role == "admin" and not _other_active_admins(session, staff.id):
        raise ValidationError({"role": "this is the last active admin; make someone else an admin first"})
    changes = {"role": {"before": staff.role, "after": role}}
    staff.role = role
    staff.updatedAt = now_iso()
    audit.log_activity(session, actor, "staff", staff.id, "updated", changes)
    session.flush()
    return staff


def set_active(session: Session, actor: Actor, staff_id: str, active: bool) -> Staff:
    """Deactivate (or reactivate) an account; deactivation also forgets its remembered sign-ins."""
    actor.require("manage_staff")
    staff = _get(session, staff_id)
    if bool(staff.active) == active:
        return staff
    if not active and staff.role == "admin" and not _other_active_admins(session, staff.id):
        raise ValidationError({"active": "this is the last active admin; it cannot be deactivated"})
    staff.active = active
    staff.updatedAt = now_iso()
    if not active:
        _revoke_tokens(session, staff.id)
    audit.log_activity(session, actor, "staff", staff.id, "status_changed",
                       {"active": {"before": not active, "after": active}})
    session.flush()
    return staff


def deactivate(session: Session, actor: Actor, staff_id: str) -> Staff:
    return set_active(session, actor, staff_id, False)


def reset_password(session: Session, actor: Actor, staff_id: str, new_password: str) -> Staff:
    """Admin sets a new password: unlocks the account and forgets its remembered sign-ins."""
    actor.require("manage_staff")
    staff = _get(session, staff_id)
    _set_password(session, actor, staff, new_password)
    return staff


def change_own_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    staff = _get(session, actor.id)
    if not verify(staff.passwordHash, old_password or ""):
        raise ValidationError({"old password": "is not your current password"})
    _set_password(session, actor, staff, new_password)


def _set_password(session: Session, actor: Actor, staff: Staff, new_password: str) -> None:
    staff.passwordHash = hash_password(new_password)
    staff.failedLogins = 0
    staff.lockedUntil = None
    staff.updatedAt = now_iso()
    _revoke_tokens(session, staff.id)
    audit.log_activity(session, actor, "staff", staff.id, "updated",
                       {"passwordHash": {"before": "***", "after": "***"}})
    session.flush()


def find_by_email(session: Session, email: str) -> Staff | None:
    try:
        key = normalise_email(email)
    except FieldError:
        return None
    return session.scalar(select(Staff).where(Staff.email == key))
