"""Platform `user` rows: owners become owner contacts (keyed by userId), admins become staff who can
be assigned enquiries; guests and customers become contacts only when they enquire or book, matched
by email (their user rows are read and left alone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select

from crm_desktop.db.models import Contact, Membership, Property, Staff
from crm_desktop.services.validation import clean_text
from crm_desktop.sync.linking import link_pending
from crm_desktop.sync.platform_writer import RowRejected, Writer, as_dict, email_of, field
from crm_desktop.timeutil import to_iso

GUEST_ROLES = ("guest", "customer")


# What platform forms get typed into a required name box when there is nothing to say.
PLACEHOLDER_NAMES = frozenset({"-", "--", "---", ".", "..", "...", "?", "_", "n/a", "na", "none", "null",
                               "unknown", "tbc", "nil"})


def clean_name(value: Any) -> str | None:
    """A name (part) with spaces tidied, or None for a placeholder ('-', '.', 'n/a', '') rather than a name."""
    text = " ".join(str(value or "").split())
    return None if not text or text.casefold() in PLACEHOLDER_NAMES else text


def split_name(name: Any) -> tuple[str | None, str | None]:
    """First word, and the rest (None when the name has one word); placeholder words are dropped."""
    words = [w for w in str(name or "").split() if clean_name(w)]
    if not words:
        return None, None
    return words[0], (" ".join(words[1:]) or None)


def prefetch(w: Writer, rows: Sequence[Mapping[str, Any]]) -> None:
    emails = []
    for r in rows:
        try:
            emails.append(email_of(r["email"]))
        except RowRejected:
            pass
    user_ids = [str(r["id"]) for r in rows if r["id"] is not None]
    w.load_contacts(emails=emails, user_ids=user_ids)
    # Who has something waiting to be linked (so link_pending runs only where it can find work).
    waiting: set[str] = set()
    for i in range(0, max(len(user_ids), len(emails)), 500):
        ids, mails = user_ids[i:i + 500], emails[i:i + 500]
        waiting.update(w.session.scalars(select(Property.platformOwnerId).where(
            Property.ownerId.is_(None), Property.platformOwnerId.in_(ids))).all())
        for uid, mail in w.session.execute(select(Membership.platformUserId, Membership.customerEmail).where(
                Membership.contactId.is_(None),
                or_(Membership.platformUserId.in_(ids), Membership.customerEmail.in_(mails)))).all():
            waiting.update(v for v in (uid, mail) if v)
    w.extra["waiting"] = waiting


def apply(w: Writer, row: Mapping[str, Any]) -> str:
    user_id = field("id", clean_text, row["id"], required=True)
    role = (clean_text(row["role"]) or "guest").lower()
    email = email_of(row["email"])
    updated = to_iso(row["updated_at"])
    if w.erased(email=email, user_id=user_id, updated_at=updated):
        return "unchanged"
    if role == "owner":
        return _owner(w, row, user_id, email)
    if role == "admin":
        return _staff(w, row, user_id, email)
    if role in GUEST_ROLES:
        return "unchanged"  # a guest becomes a contact when they enquire or book (matched by email)
    raise RowRejected(f"role '{row['role']}' is not guest, customer, owner or admin")


def _owner(w: Writer, row: Mapping[str, Any], user_id: str, email: str) -> str:
    first, last = split_name(row["name"])
    reason = f"platform sync: user {user_id}"
    desired: dict[str, Any] = {
        "type": "owner", "email": email, "userId": user_id,
        "firstName": field("name", clean_text, first), "lastName": field("name", clean_text, last),
    }
    # Platform blanks never erase what the CRM has (staff may have typed a phone number).
    for key, column in (("phone", "phone"), ("businessName", "company_name")):
        value = field(column, clean_text, row[column])
        if value is not None:
            desired[key] = value
    by_user = w.contacts_by_user.get(user_id)
    by_email = w.contact_by_email(email)
    if by_user is None and by_email is not None and by_email.get("userId") not in (None, user_id):
        raise RowRejected(f"email {email} already belongs to platform user {by_email['userId']}")
    if by_user is not None and by_email is not None and by_email["id"] != by_user["id"]:
        raise RowRejected(f"email {email} already belongs to another CRM contact")
    current = by_user or by_email
    if current is None:
        contact = w.insert(Contact, {**desired, "status": "active", "createdAt": to_iso(row["created_at"]) or w.now,
                                     "updatedAt": w.now, "version": 1}, entity="contact", reason=reason)
        w.remember_contact(contact)
        _link(w, contact)
        return "created"
    old_email = current["email"]
    was_owner = current["type"] == "owner" and current.get("userId") == user_id
    changes = w.update(Contact, current, desired, entity="contact", reason=reason)
    if "email" in changes:
        w.contacts_by_email.pop(old_email, None)
    w.remember_contact(current)
    if not was_owner:
        _link(w, current)
    return "updated" if changes else "unchanged"


def _link(w: Writer, contact: dict[str, Any]) -> None:
    if contact.get("userId") in w.extra["waiting"] or contact["email"] in w.extra["waiting"]:
        w.flush()
        link_pending(w.session, contact)


def _staff(w: Writer, row: Mapping[str, Any], user_id: str, email: str) -> str:
    reason = f"platform sync: admin user {user_id}"
    name = field("name", clean_text, row["name"]) or email
    tbl = Staff.__table__
    current = w.session.execute(select(tbl).where(tbl.c.platformUserId == user_id)).first()
    if current is None:
        current = w.session.execute(select(tbl).where(tbl.c.email == email)).first()
        if current is not None and current.platformUserId not in (None, user_id):
            raise RowRejected(f"staff email {email} already belongs to platform user {current.platformUserId}")
    if current is None:
        w.insert(Staff, {"email": email, "name": name, "role": "staff", "platformUserId": user_id,
                         "active": True, "failedLogins": 0, "createdAt": w.now, "updatedAt": w.now},
                 entity="staff", reason=reason)
        return "created"
    changes = w.update(Staff, as_dict(current), {"email": email, "name": name, "platformUserId": user_id},
                       entity="staff", reason=reason)
    return "updated" if changes else "unchanged"
