"""Idempotence, staff edits, the overlap window, timestamp forms, counters and erased people."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from crm_desktop.db.models import Contact, Enquiry, PlatformBooking, Property, SyncCursor
from crm_desktop.demo.generator import generate_platform
from crm_desktop.services import contacts, enquiries, properties
from crm_desktop.services.actor import Actor
from crm_desktop.services.tombstones import add_tombstone
from crm_desktop.sync.platform_cursor import CursorState
from tests.sync.conftest import T0, iso, naive
from tests.sync.snapshot import row_counts, snapshot

STAFF = Actor("staff-1", "staff", "Sam Staff")


def cursor_at(session, table="enquiries"):
    return CursorState.from_text(session.get(SyncCursor, f"platform:{table}").position).at


def test_second_run_changes_nothing(db, platform, sync):
    generate_platform(platform.engine, owners=12, seed=3)
    first = sync()
    assert first.changed > 100
    before_counts, before = row_counts(db), snapshot(db)
    second = sync()
    assert second.changed == 0
    assert second.rejects == first.rejects
    assert row_counts(db) == before_counts
    assert snapshot(db) == before


def test_staff_edits_survive_platform_edits(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Beech Grange", owner_id=owner)
    eid = platform.enquiry("gina@example.com", property_id=pid, priority="low")
    sync()
    with db.read() as s:
        enq = s.scalars(select(Enquiry)).one()
        prop = s.scalars(select(Property)).one()
        owner_contact = s.scalars(select(Contact).where(Contact.userId == owner)).one()
    db.write(lambda s: enquiries.change_status(s, STAFF, enq.id, "contacted"))
    db.write(lambda s: enquiries.update_enquiry(s, STAFF, enq.id, {"priority": "high", "internalNotes": "VIP"}))
    db.write(lambda s: properties.update_property(s, STAFF, prop.id, {"internalNotes": "Check the hot tub"}))
    db.write(lambda s: contacts.update_contact(s, STAFF, owner_contact.id, {"notes": "Prefers email",
                                                                            "status": "inactive"}))
    platform.touch("enquiries", eid, number_of_guests=22, priority="medium", status="new")
    platform.touch("properties", pid, title="Beech Grange Estate", view_count=999)
    platform.touch("user", owner, name="Olive Owner-Smith")
    sync()
    with db.read() as s:
        enq = s.get(Enquiry, enq.id)
        prop = s.get(Property, prop.id)
        c = s.get(Contact, owner_contact.id)
    assert (enq.status, enq.priority, enq.internalNotes, enq.estimatedGuests) == ("contacted", "high", "VIP", 22)
    assert (prop.internalNotes, prop.title, prop.viewCount) == ("Check the hot tub", "Beech Grange Estate", 999)
    assert (c.notes, c.status, c.lastName) == ("Prefers email", "inactive", "Owner-Smith")


def test_rows_visible_late_within_the_overlap_are_read(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Lantern House", owner_id=owner, at=T0)
    platform.enquiry("a@example.com", property_id=pid, at=T0 + timedelta(minutes=30))
    sync()
    with db.read() as s:
        assert cursor_at(s) == T0 + timedelta(minutes=30)
    # Committed late by a slow request: its updated_at is before the cursor, in both text forms.
    platform.enquiry("b@example.com", property_id=pid, at=T0 + timedelta(minutes=25))
    platform.enquiry("c@example.com", property_id=pid, at=naive(T0 + timedelta(minutes=22)))
    # Naive text sorts before ISO text of the same day, but is later in real time: still read.
    platform.enquiry("d@example.com", property_id=pid, at=naive(T0 + timedelta(minutes=45)))
    # Long before the overlap window: not re-read (the window bounds the cost of each pass).
    platform.enquiry("old@example.com", property_id=pid, at=iso(T0 - timedelta(hours=2)))
    summary = sync()
    with db.read() as s:
        emails = set(s.scalars(select(Enquiry.guestEmail)).all())
        assert cursor_at(s) == T0 + timedelta(minutes=45)
        assert s.scalar(select(Property.enquiryCount)) == 4
    assert emails == {"a@example.com", "b@example.com", "c@example.com", "d@example.com"}
    assert summary.tables["platform enquiries"].read == 4  # three new, one re-read harmlessly
    assert summary.tables["platform enquiries"].created == 3


def test_counters_always_equal_what_they_count(db, platform, sync):
    generate_platform(platform.engine, owners=10, seed=11)
    sync()
    with platform.engine.begin() as conn:
        t = platform.meta.tables["bookings"]
        ids = [r[0] for r in conn.execute(select(t.c.id).where(t.c.booking_status == "confirmed").limit(3))]
        conn.execute(t.update().where(t.c.id.in_(ids)).values(booking_status="cancelled",
                                                             updated_at=iso(T0.replace(year=2099))))
        e = platform.meta.tables["enquiries"]
        other = conn.execute(select(e.c.property_id).where(e.c.property_id.is_not(None))).first()[0]
        conn.execute(e.update().where(e.c.id == 1).values(property_id=other, updated_at=iso(T0.replace(year=2099))))
    sync()
    with db.read() as s:
        for prop in s.scalars(select(Property)):
            assert prop.enquiryCount == s.scalar(select(func.count()).select_from(Enquiry).where(
                Enquiry.propertyId == prop.id))
            counted = s.execute(select(func.count(), func.sum(PlatformBooking.totalPrice)).where(
                PlatformBooking.propertyId == prop.id, PlatformBooking.status.in_(("confirmed", "completed")))).one()
            assert prop.bookingCount == counted[0]
            assert prop.totalRevenue == Decimal(str(counted[1] or 0)).quantize(Decimal("0.01"))


def test_erased_people_are_not_brought_back(db, platform, sync):
    db.write(lambda s: add_tombstone(s, "email", "gone@example.com"))
    platform.enquiry(" Gone@Example.com ", at=T0 - timedelta(days=400))
    platform.user("Gone Owner", "GONE@example.com", at=T0 - timedelta(days=400))
    sync()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 0
        assert s.scalar(select(func.count()).select_from(Enquiry)) == 0


def test_overlap_rereads_do_not_revert_staff_corrections_but_new_edits_apply(db, platform, sync):
    owner = platform.user("olive owner", "olive@example.com", at=T0)
    sync()
    with db.read() as s:
        contact = s.scalars(select(Contact)).one()
    # Staff fix the capitals; the platform row is still inside the overlap window of the next pass.
    db.write(lambda s: contacts.update_contact(s, STAFF, contact.id, {"firstName": "Olive", "lastName": "Owner"}))
    again = sync()
    assert again.tables["platform user"].read == 1 and again.changed == 0
    with db.read() as s:
        assert (s.get(Contact, contact.id).firstName, s.get(Contact, contact.id).lastName) == ("Olive", "Owner")
    # A real platform edit in the same second (epoch seconds: same updated_at) is still applied.
    platform.touch("user", owner, at=T0, phone="07700 900555")
    sync()
    with db.read() as s:
        assert s.get(Contact, contact.id).phone == "07700 900555"
