"""Bank details and tax ids: encrypted at rest with a key that is not in the database.

The key (a Fernet key) lives in the OS keychain of the staff allowed to see these fields, under
`sensitive-data-key`. The database holds, per value, `enc1:<hint>:<token>`: the Fernet token and a hint of
the last four characters, so every role can see '•••• 1234' but only an admin on a computer holding the
key can reveal the value. A known plaintext encrypted with the key (crm_settings `sensitive_key_check`)
tells a wrong key from a missing one. Every reveal and every export is audited; the audit never holds
the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session

from crm_desktop import secrets as keychain
from crm_desktop.db.models import Contact, Setting
from crm_desktop.services import audit, crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import CrmError, ValidationError
from crm_desktop.services.validation import FieldError, clean_text
from crm_desktop.timeutil import now_iso

KEY_NAME = "sensitive-data-key"
FIELDS = ("taxId", "bankDetails")
PREFIX = "enc1:"
_CHECK_KEY = "sensitive_key_check"
_CHECK_TEXT = b"crm-desktop sensitive data key check"
MASK = "••••"
UNSET: Any = object()


class SensitiveKeyMissing(CrmError):
    """This computer cannot read or write sensitive fields."""


MISSING_MESSAGE = "This computer does not hold the key to sensitive data; ask an admin."


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise ValidationError({"field": f"'{field}' is not a sensitive field ({', '.join(FIELDS)})"})


# ---- the key ----------------------------------------------------------------------------------------


def _keychain_key() -> str | None:
    try:
        return keychain.get_secret(KEY_NAME)
    except keychain.KeychainUnavailable as exc:
        raise SensitiveKeyMissing(f"{MISSING_MESSAGE} ({exc})") from exc


def load_key(session: Session) -> Fernet:
    """The key from the keychain, checked against the database; SensitiveKeyMissing otherwise."""
    raw = _keychain_key()
    if not raw:
        raise SensitiveKeyMissing(MISSING_MESSAGE)
    keychain.register_secret(raw)  # blanked from any log message from now on
    try:
        fernet = Fernet(raw.encode())
    except (ValueError, TypeError) as exc:
        raise SensitiveKeyMissing("The key to sensitive data in this computer's keychain is damaged; "
                                  "ask an admin for it again.") from exc
    check = session.get(Setting, _CHECK_KEY)
    if check is None or not check.value:  # a key no database knows would split the data between keys
        raise SensitiveKeyMissing("This database has no key to sensitive data yet; an admin creates one "
                                  "with `python main.py staff key create`.")
    try:
        fernet.decrypt(check.value.encode())
    except InvalidToken as exc:
        raise SensitiveKeyMissing("This computer's key to sensitive data is not the one this database "
                                  "uses; ask an admin for the right key.") from exc
    return fernet


def has_key(session: Session) -> bool:
    try:
        load_key(session)
    except SensitiveKeyMissing:
        return False
    return True


def create_key(session: Session, actor: Actor) -> str:
    """First use: an admin makes the key, which goes into their keychain. Refused once the DB has one."""
    actor.require("sensitive")
    check = session.get(Setting, _CHECK_KEY)
    if check is not None and check.value:
        raise ValidationError({"key": "this database already has a key to sensitive data; import it instead"})
    key = Fernet.generate_key().decode()
    session.merge(Setting(key=_CHECK_KEY, value=Fernet(key.encode()).encrypt(_CHECK_TEXT).decode(),
                          updatedAt=now_iso()))
    session.flush()
    keychain.set_secret(KEY_NAME, key)
    audit.log_activity(session, actor, "staff", actor.id, "created", metadata={"what": "sensitive data key"})
    return key


def import_key(session: Session, actor: Actor, key: str) -> None:
    """Store a key an admin handed over, after checking it opens this database's data."""
    actor.require("sensitive")
    key = (key or "").strip()
    try:
        fernet = Fernet(key.encode())
    except (ValueError, TypeError) as exc:
        raise ValidationError({"key": "is not a key to sensitive data"}) from exc
    check = session.get(Setting, _CHECK_KEY)
    if check is None or not check.value:
        raise ValidationError({"key": "this database has no key yet; create one instead"})
    try:
        fernet.decrypt(check.value.encode())
    except InvalidToken as exc:
        raise ValidationError({"key": "is not the key this database uses"}) from exc
    keychain.set_secret(KEY_NAME, key)


def export_key(session: Session, actor: Actor) -> str:
    """The key, for an admin to hand to another admin's computer (audited)."""
    actor.require("sensitive")
    load_key(session)
    audit.log_activity(session, actor, "staff", actor.id, "exported", metadata={"what": "sensitive data key"})
    return _keychain_key() or ""


# ---- values -----------------------------------------------------------------------------------------


def _hint(field: str, value: str) -> str:
    """The last four letters/digits (of the account number for JSON bank details); none for short values."""
    source = value
    if field == "bankDetails":
        try:
            data = json.loads(value)
            if isinstance(data, dict):
                source = str(data.get("accountNumber") or data.get("iban") or value)
        except ValueError:
            pass
    tail = "".join(ch for ch in source if ch.isalnum())
    return tail[-4:] if len(tail) >= 8 else ""


def seal(fernet: Fernet, field: str, value: str | None) -> str | None:
    """Encrypt one value for storage; also used by the sync for values it copies from the platform."""
    if value is None or value == "":
        return None
    return f"{PREFIX}{_hint(field, value)}:{fernet.encrypt(value.encode()).decode()}"


def _open(fernet: Fernet, stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise CrmError("This value was stored without encryption; an admin should enter it again.")
    token = stored.split(":", 2)[2]
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SensitiveKeyMissing("This value was encrypted with another key; ask an admin.") from exc


def masked(contact: Contact, field: str) -> str:
    """What everyone sees: '•••• 1234', '••••' for a short value, '' when empty. Needs no key."""
    _check_field(field)
    stored = getattr(contact, field)
    if not stored:
        return ""
    if stored.startswith(PREFIX):
        hint = stored[len(PREFIX):].split(":", 1)[0]
        return f"{MASK} {hint}" if hint else MASK
    return MASK


def _clean(field: str, value: Any) -> str | None:
    try:
        text = clean_text(value, long=field == "bankDetails")
    except FieldError as exc:
        raise ValidationError({field: str(exc)}) from exc
    if text is not None and len(text) > 2000:
        raise ValidationError({field: f"is too long ({len(text)} characters; at most 2000)"})
    return text


def set_sensitive(session: Session, actor: Actor, contact_id: str, *, tax_id: Any = UNSET,
                  bank_details: Any = UNSET, reason: str | None = None) -> Contact:
    """Set (or clear, with None) a contact's tax id and bank details; admins only, key required."""
    actor.require("write")
    actor.require("sensitive")
    values = {f: v for f, v in (("taxId", tax_id), ("bankDetails", bank_details)) if v is not UNSET}
    errors: dict[str, str] = {}
    clean: dict[str, str | None] = {}
    for field, value in values.items():
        try:
            clean[field] = _clean(field, value)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    contact = crud.get_or_404(session, Contact, contact_id, "contact")
    fernet = load_key(session)
    changes: dict[str, Any] = {}
    for field, value in clean.items():
        before = getattr(contact, field)
        if value is None and before is None:
            continue
        setattr(contact, field, seal(fernet, field, value))
        changes[field] = {"before": "***" if before else None, "after": "***" if value else None}
    if changes:
        contact.updatedAt = now_iso()
        crud.flush(session, "contact")
        audit.log_activity(session, actor, "contact", contact.id, "updated", changes, reason)
    return contact


def reveal(session: Session, actor: Actor, contact_id: str, field: str) -> str:
    """The clear value of one field, for an admin who asked to see it; audited as 'revealed'."""
    actor.require("sensitive")
    _check_field(field)
    contact = crud.get_or_404(session, Contact, contact_id, "contact")
    stored = getattr(contact, field)
    if not stored:
        return ""
    value = _open(load_key(session), stored)
    audit.log_activity(session, actor, "contact", contact.id, "revealed", metadata={"field": field})
    session.flush()
    return value


def export_values(session: Session, actor: Actor, contact_ids: Iterable[str],
                  fields: Iterable[str] = FIELDS, purpose: str = "export") -> dict[str, dict[str, str]]:
    """Clear values for an export the admin asked to include them in; each contact audited 'exported'."""
    actor.require("sensitive")
    actor.require("export")
    fields = tuple(fields)
    for field in fields:
        _check_field(field)
    fernet = load_key(session)
    out: dict[str, dict[str, str]] = {}
    for contact_id in contact_ids:
        contact = crud.get_or_404(session, Contact, contact_id, "contact")
        values = {f: _open(fernet, getattr(contact, f)) for f in fields if getattr(contact, f)}
        out[contact.id] = values
        audit.log_activity(session, actor, "contact", contact.id, "exported",
                           metadata={"fields": sorted(values), "purpose": purpose})
    session.flush()
    return out
