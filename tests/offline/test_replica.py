"""The replica: what it copies (and never copies), quick and full refreshes, search and read-only use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from crm_desktop.db.models import ActivityLog, Contact, Property, Staff
from crm_desktop.offline.replica import COPIES, NEVER_COPIED
from crm_desktop.search.contacts_index import contact_search_clause
from crm_desktop.services import contacts, interactions
from crm_desktop.timeutil import iso, utcnow
from tests.offline.conftest import files_bytes
from tests.service_helpers import enquiry, membership, owner, prop

TAX_CANARY = "CANARY-TAXID-7741"
BANK_CANARY = "CANARY-BANK-GB29NWBK60161331926819"
HASH_CANARY = "$argon2id$CANARY-HASH"


def _plant(db, admin):
    o = owner(db, admin, firstName="Olive", lastName="Hartley")
    with db.write_session() as s:  # raw values, as if encryption were off: must still never be copied
        s.execute(update(Contact).where(Contact.id == o.id).values(taxId=TAX_CANARY, bankDetails=BANK_CANARY))
        s.add(Staff(id="staff-1", email="sam@example.com", name="Sam Staff", role="staff",
                    passwordHash=HASH_CANARY, createdAt="2026-01-01T00:00:00.000Z",
                    updatedAt="2026-01-01T00:00:00.000Z"))
    p = prop(db, admin, o.id)
    e = enquiry(db, admin, o.id, p.id, guestName="Gail Guest")
    m = membership(db, admin, o.id, propertyId=p.id)
    db.write(lambda s: interactions.log_interaction(s, admin, o.id, "phone", "Called about dates"))
    return o, p, e, m


def test_refresh_copies_what_the_window_shows_and_never_sensitive_fields(db, admin, replica):
    o, p, e, m = _plant(db, admin)
    report = replica.refresh(db)
    assert report.copied["crm_contacts"] == 1 and report.copied["crm_properties"] == 1
    reader = replica.reader()
    try:
        with reader.read() as s:
            c = s.get(Contact, o.id)
            assert (c.firstName, c.lastName, c.taxId, c.bankDetails) == ("Olive", "Hartley", None, None)
            assert s.get(Property, p.id).title == p.title
            assert s.get(Staff, "staff-1").passwordHash is None
            assert s.scalar(text("SELECT count(*) FROM crm_enquiries")) == 1
            assert s.scalar(text("SELECT count(*) FROM crm_memberships")) == 1
            assert s.scalar(text("SELECT count(*) FROM crm_interactions")) == 1
            timeline = interactions.timeline(s, admin, o.id)
            assert any(t.detail == "Called about dates" for t in timeline)
    finally:
        reader.dispose()
    replica.close()
    everything = b"".join(files_bytes(replica.path.parent).values())
    for canary in (TAX_CANARY, BANK_CANARY, HASH_CANARY):
        assert canary.encode() not in everything


def test_sensitive_columns_are_declared_never_copied():
    copies = {c.name: c for c in COPIES}
    for table, cols in NEVER_COPIED.items():
        assert not cols & {c.name for c in copies[table].columns()}
    assert {"taxId", "bankDetails"} <= NEVER_COPIED["crm_contacts"]


def test_quick_refresh_picks_up_edits_and_search_follows(db, admin, replica):
    o, *_ = _plant(db, admin)
    replica.refresh(db)
    db.write(lambda s: contacts.update_contact(s, admin, o.id, {"lastName": "Bramwell"}))
    report = replica.refresh(db)
    assert report.copied["crm_contacts"] >= 1
    reader = replica.reader()
    try:
        with reader.read() as s:
            def found(words):
                return s.scalars(select(Contact.lastName).where(contact_search_clause("sqlite", words))).all()
            assert found("bramwell") == ["Bramwell"]
            assert found("hartley") == []
    finally:
        reader.dispose()


def test_full_refresh_catches_changes_without_timestamps_and_deletions(db, admin, replica):
    o, p, *_ = _plant(db, admin)
    extra = owner(db, admin, email="gone@example.com")
    replica.refresh(db)
    with db.write_session() as s:  # counters bumped without touching updatedAt; a row deleted at source
        s.execute(update(Property).where(Property.id == p.id).values(viewCount=42, version=Property.version + 1))
        s.execute(text("DELETE FROM crm_activity_log WHERE \"entityId\" = :i"), {"i": extra.id})
        s.execute(text("DELETE FROM crm_contacts WHERE id = :i"), {"i": extra.id})
    report = replica.refresh(db, full=True)
    assert report.deleted.get("crm_contacts") == 1
    with replica.reader().read() as s:
        assert s.get(Property, p.id).viewCount == 42
        assert s.get(Contact, extra.id) is None
        assert s.scalars(select(Contact.id).where(contact_search_clause("sqlite", "gone@example"))).all() == []


def test_only_recent_audit_is_kept(db, admin, replica):
    owner(db, admin)
    old = iso(utcnow() - timedelta(days=400))
    with db.write_session() as s:
        s.add(ActivityLog(entityType="contact", entityId="x", action="updated", performedBy="system", timestamp=old))
    replica.refresh(db, full=True)
    with replica.reader().read() as s:
        stamps = s.scalars(select(ActivityLog.timestamp)).all()
    assert stamps and old not in stamps


def test_reader_refuses_writes(db, admin, replica):
    _plant(db, admin)
    replica.refresh(db)
    reader = replica.reader()
    try:
        with pytest.raises(OperationalError, match="readonly"):
            reader.write(lambda s: s.execute(text("DELETE FROM crm_contacts")))
    finally:
        reader.dispose()


def test_a_different_source_starts_the_replica_again(db, admin, replica, tmp_path, sqlite_template):
    import shutil

    from crm_desktop.db.engine import Database

    _plant(db, admin)
    replica.refresh(db)
    other_path = tmp_path / "other.sqlite3"
    shutil.copy(sqlite_template, other_path)
    other = Database(f"sqlite:///{other_path}")
    try:
        owner(other, admin, email="elsewhere@example.com")
        replica.refresh(other)
        with replica.reader().read() as s:
            assert s.scalars(select(Contact.email)).all() == ["elsewhere@example.com"]
        assert replica.source == f"sqlite:///{other_path}"
    finally:
        other.dispose()


def test_a_copy_from_an_older_build_is_started_again_keeping_the_outbox(db, admin, replica, outbox):
    o, *_ = _plant(db, admin)
    replica.refresh(db)
    entry = outbox.add(admin, o.id, "note", "Kept across versions")
    with replica.engine.begin() as conn:  # as an older build made it: a column this version has is missing
        conn.exec_driver_sql('ALTER TABLE crm_properties DROP COLUMN "rejectionReason"')
    replica.close()
    assert replica.refreshed_at is None  # started again: nothing copied yet ...
    assert outbox.get(entry.id).content == "Kept across versions"  # ... but the waiting note is still there
    replica.refresh(db)
    with replica.reader().read() as s:
        assert s.get(Contact, o.id).lastName == "Hartley"


def test_start_opens_on_the_copy_only_when_there_is_one(db, admin, replica, tmp_path):
    from crm_desktop.config import Settings
    from crm_desktop.db.engine import DatabaseUnavailable
    from crm_desktop.offline.mode import OfflineAppContext, start

    dead = Settings(database_url="postgresql://crm:hunter2@127.0.0.1:1/crm",
                    platform_database_url="postgresql://crm:hunter2@127.0.0.1:1/crm")
    with pytest.raises(DatabaseUnavailable, match="no offline copy") as err:
        start(dead, replica)
    assert "hunter2" not in str(err.value)
    o, *_ = _plant(db, admin)
    replica.refresh(db)
    ctx, session = start(dead, replica)
    try:
        assert isinstance(ctx, OfflineAppContext) and session is not None and "hunter2" not in session.reason
        with ctx.db.read() as s:
            assert s.get(Contact, o.id).lastName == "Hartley"
        assert ctx.stripe_api_key() is None
    finally:
        ctx.close()
    online, none = start(Settings(database_url=db.url, platform_database_url=db.url), replica)
    assert none is None and not isinstance(online, OfflineAppContext)
    online.close()
