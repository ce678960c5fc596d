"""The offline outbox: notes and calls applied exactly once, checked against the contact's version."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Interaction
from crm_desktop.offline.outbox import APPLIED, CONFLICT, DISCARDED, PENDING
from crm_desktop.services import contacts
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import PermissionDenied, ValidationError
from tests.service_helpers import owner

DEAD_URL = "postgresql://postgres@127.0.0.1:1/crm"


def _interactions(db, key=None):
    with db.read() as s:
        stmt = select(func.count()).select_from(Interaction)
        if key:
            stmt = stmt.where(Interaction.externalKey == key)
        return s.scalar(stmt)


@pytest.fixture
def contact(db, admin, replica):
    o = owner(db, admin)
    replica.refresh(db)
    return o


def test_a_note_is_applied_once_even_when_apply_runs_again(db, admin, outbox, contact):
    entry = outbox.add(admin, contact.id, "note", "Prefers email after 6pm")
    assert entry.status == PENDING and entry.seen_version == contact.version
    assert _interactions(db) == 0  # nothing reaches the live database while offline

    report = outbox.apply(db)
    assert report.applied == [entry.id]
    assert _interactions(db, entry.key) == 1
    again = outbox.apply(db)
    assert again.done == 0 and _interactions(db, entry.key) == 1
    applied = outbox.get(entry.id)
    assert applied.status == APPLIED and applied.interaction_id
    with db.read() as s:
        row = s.get(Interaction, applied.interaction_id)
        assert (row.type, row.content, row.performedBy) == ("note", "Prefers email after 6pm", admin.id)


def test_a_crash_between_commit_and_marking_does_not_apply_twice(db, admin, outbox, contact, replica):
    entry = outbox.add(admin, contact.id, "phone", "Left a voicemail")
    outbox.apply(db)
    with replica.engine.begin() as conn:  # as if the app died before marking the entry applied
        conn.execute(text("UPDATE offline_outbox SET status = 'pending' WHERE id = :i"), {"i": entry.id})
    report = outbox.apply(db)
    assert report.already == [entry.id] and report.applied == []
    assert _interactions(db, entry.key) == 1


def test_a_changed_contact_is_a_conflict_kept_for_the_user(db, admin, outbox, contact):
    entry = outbox.add(admin, contact.id, "note", "Wants the gold tier")
    db.write(lambda s: contacts.update_contact(s, admin, contact.id, {"city": "Bath"}))  # someone else, online

    report = outbox.apply(db)
    assert report.conflicts == [entry.id]
    flagged = outbox.get(entry.id)
    assert flagged.status == CONFLICT and "changed while you were offline" in flagged.problem
    assert _interactions(db, entry.key) == 0
    assert outbox.apply(db).done == 0  # stays flagged until the user decides

    outbox.apply_anyway(entry.id)
    assert outbox.apply(db).applied == [entry.id]
    assert outbox.apply(db).done == 0
    assert _interactions(db, entry.key) == 1


def test_discarding_keeps_the_entry(db, admin, outbox, contact):
    entry = outbox.add(admin, contact.id, "note", "Duplicate of the call")
    db.write(lambda s: contacts.update_contact(s, admin, contact.id, {"city": "York"}))
    outbox.apply(db)
    outbox.discard(entry.id)
    assert outbox.get(entry.id).status == DISCARDED
    assert outbox.apply(db).done == 0 and _interactions(db, entry.key) == 0


def test_our_own_calls_do_not_conflict_with_each_other(db, admin, outbox, contact):
    first = outbox.add(admin, contact.id, "phone", "Called: no answer")
    second = outbox.add(admin, contact.id, "phone", "Called again: booked a viewing")
    report = outbox.apply(db)
    assert report.applied == [first.id, second.id] and not report.conflicts
    assert _interactions(db) == 2


def test_a_removed_contact_is_a_conflict(db, admin, outbox, contact):
    entry = outbox.add(admin, contact.id, "note", "Asked to be called back")
    with db.write_session() as s:
        s.execute(text("DELETE FROM crm_activity_log"))
        s.execute(text("DELETE FROM crm_contacts WHERE id = :i"), {"i": contact.id})
    assert outbox.apply(db).conflicts == [entry.id]
    assert "removed" in outbox.get(entry.id).problem


def test_an_unreachable_database_keeps_entries_pending(admin, outbox, contact):
    entry = outbox.add(admin, contact.id, "note", "Will confirm dates")
    dead = Database(DEAD_URL)
    try:
        report = outbox.apply(dead)
    finally:
        dead.dispose()
    assert entry.id in report.failed and "unreachable" in report.failed[entry.id]
    assert outbox.get(entry.id).status == PENDING


def test_only_notes_and_calls_with_content_by_staff_who_may_write(admin, outbox, contact):
    with pytest.raises(ValidationError) as err:
        outbox.add(admin, contact.id, "email", "")
    assert set(err.value.errors) == {"type", "content"}
    with pytest.raises(ValidationError, match="offline copy"):
        outbox.add(admin, "no-such-contact", "note", "hello")
    with pytest.raises(PermissionDenied):
        outbox.add(Actor("v", "viewer", "Vic Viewer"), contact.id, "note", "hello")
    assert outbox.entries() == []


def test_offline_notes_are_logged_as_the_last_person_signed_in_here(db, admin, replica, outbox):
    from crm_desktop.db.models import Staff
    from crm_desktop.offline.mode import offline_actor
    from crm_desktop.services.actor import Actor

    o = owner(db, admin)
    replica.refresh(db)
    default = Actor("admin", "admin", "Administrator")
    assert replica.signed_in is None and offline_actor(replica, default) == default  # no staff accounts
    with db.write_session() as s:
        s.add(Staff(id=admin.id, email="ada@example.com", name="Ada Admin", role="admin",
                    createdAt="2026-01-01T00:00:00.000Z", updatedAt="2026-01-01T00:00:00.000Z"))
    replica.refresh(db)
    assert offline_actor(replica, default) is None  # staff exist, nobody signed in on this computer
    with pytest.raises(PermissionDenied, match="sign in once"):
        outbox.add(None, o.id, "note", "hello")
    replica.refresh(db, signed_in=admin)
    assert offline_actor(replica, default) == admin
    assert outbox.add(offline_actor(replica, default), o.id, "note", "hello").actor == admin


def test_another_process_applying_the_same_entry_at_once_is_not_a_duplicate(db, admin, outbox, contact,
                                                                            monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from crm_desktop.offline import outbox as outbox_module
    from crm_desktop.services import interactions

    entry = outbox.add(admin, contact.id, "note", "Raced")
    # The other process got there first: its row holds the key, ours is refused by the unique index.
    db.write(lambda s: interactions.log_interaction(s, admin, contact.id, "note", "Raced", direction="internal",
                                                    external_key=entry.key))

    def refused(_session, _entry):
        raise IntegrityError("INSERT INTO crm_interactions ...", {}, Exception("duplicate key"))

    monkeypatch.setattr(outbox_module, "_apply_one", refused)
    report = outbox.apply(db)
    assert report.already == [entry.id] and not report.conflicts and not report.failed
    assert _interactions(db, entry.key) == 1 and outbox.get(entry.id).status == APPLIED
