"""The enquiry pipeline through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm_desktop.db.models import ActivityLog, Enquiry, Interaction, Property
from crm_desktop.services import enquiries
from crm_desktop.services.actor import Actor
from crm_desktop.services.enquiries import EnquiryFilter
from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.services.listing import ListQuery
from tests.service_helpers import enquiry, guest, owner, prop


@pytest.fixture
def world(db, admin):
    o = owner(db, admin)
    g = guest(db, admin)
    p = prop(db, admin, o.id)
    return o, g, p


def test_create_links_owner_from_property_and_counts(db, admin, world):
    o, g, p = world
    e = enquiry(db, admin, g.id, p.id, eventType="hen party", estimatedBudget="1500.50", eventDate="2027-03-04")
    assert e.ownerId == o.id and e.status == "new" and e.estimatedBudget == Decimal("1500.50")
    with db.read() as s:
        assert s.get(Property, p.id).enquiryCount == 1


def test_general_enquiry_has_no_property_or_owner(db, admin, world):
    _, g, _ = world
    e = enquiry(db, admin, g.id, None, message="Any venue in Devon?")
    assert e.propertyId is None and e.ownerId is None


@pytest.mark.parametrize("data, field", [
    ({"estimatedBudget": "-5"}, "estimatedBudget"),
    ({"estimatedBudget": "lots"}, "estimatedBudget"),
    ({"priority": "urgent"}, "priority"),
    ({"source": "pigeon"}, "source"),
    ({"eventDate": "31/02/2027"}, "eventDate"),
    ({"estimatedGuests": -1}, "estimatedGuests"),
    ({"guestEmail": "nope"}, "guestEmail"),
    ({"propertyId": "missing"}, "propertyId"),
    ({"status": "maybe"}, "status"),
])
def test_validation(db, admin, world, data, field):
    _, g, _ = world
    with pytest.raises(ValidationError) as info:
        db.write(lambda s: enquiries.create_enquiry(s, admin, {"contactId": g.id, **data}))
    assert field in info.value.errors
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Enquiry)) == 0


def test_status_changes_set_timestamps_interaction_and_audit(db, admin, world):
    _, g, p = world
    e = enquiry(db, admin, g.id, p.id)
    e = db.write(lambda s: enquiries.change_status(s, admin, e.id, "contacted", expected_version=1))
    assert e.firstResponseAt and e.closedAt is None and not e.convertedToBooking
    first = e.firstResponseAt
    e = db.write(lambda s: enquiries.change_status(s, admin, e.id, "booked", booking_value="2400",
                                                   reason="deposit paid"))
    assert e.convertedToBooking and e.closedAt and e.firstResponseAt == first
    assert e.bookingValue == Decimal("2400.00")
    with db.read() as s:
        kinds = s.scalars(select(Interaction.type).where(Interaction.relatedEnquiryId == e.id)).all()
        log = s.scalars(select(ActivityLog).where(ActivityLog.entityId == e.id,
                                                  ActivityLog.action == "status_changed")
                        .order_by(ActivityLog.timestamp)).all()
    assert kinds == ["status_change", "status_change"]
    assert json.loads(log[-1].changedFields)["status"] == {"before": "contacted", "after": "booked"}
    assert log[-1].reason == "deposit paid" and log[-1].performedBy == admin.id
    # reopening clears closedAt and the conversion
    e = db.write(lambda s: enquiries.change_status(s, admin, e.id, "negotiating"))
    assert e.closedAt is None and not e.convertedToBooking


@pytest.mark.parametrize("status", ["lost", "spam"])
def test_closing_statuses(db, admin, world, status):
    _, g, p = world
    e = enquiry(db, admin, g.id, p.id)
    e = db.write(lambda s: enquiries.change_status(s, admin, e.id, status))
    assert e.closedAt and e.firstResponseAt and not e.convertedToBooking


def test_concurrent_status_change_conflicts(db, admin, world):
    _, g, p = world
    e = enquiry(db, admin, g.id, p.id)
    db.write(lambda s: enquiries.change_status(s, admin, e.id, "contacted", expected_version=1))
    other = Actor("s2", "staff", "Sam")
    with pytest.raises(ConflictError):
        db.write(lambda s: enquiries.update_enquiry(s, other, e.id, {"priority": "high"}, expected_version=1))


def test_update_fields_audited(db, admin, world):
    _, g, p = world
    e = enquiry(db, admin, g.id, p.id)
    db.write(lambda s: enquiries.update_enquiry(s, admin, e.id, {"priority": "high", "internalNotes": "VIP"}))
    with db.read() as s:
        entry = s.scalars(select(ActivityLog).where(ActivityLog.entityId == e.id,
                                                    ActivityLog.action == "updated")).one()
    assert json.loads(entry.changedFields)["priority"] == {"before": "medium", "after": "high"}
    with pytest.raises(ValidationError):
        db.write(lambda s: enquiries.update_enquiry(s, admin, e.id, {"status": "booked"}))


def test_filters_newest_first(db, admin, world):
    o, g, p = world
    g2 = guest(db, admin, "second@example.com")
    e1 = enquiry(db, admin, g.id, p.id, guestName="Amy")
    time.sleep(0.002)  # createdAt has millisecond resolution
    e2 = enquiry(db, admin, g2.id, None, guestName="Ben", priority="high")
    db.write(lambda s: enquiries.change_status(s, admin, e1.id, "contacted"))
    with db.read() as s:
        assert [e.id for e in enquiries.list_enquiries(s, admin).items] == [e2.id, e1.id]
        assert [e.id for e in enquiries.list_enquiries(s, admin, filt=EnquiryFilter(status="contacted")).items] == [e1.id]
        assert [e.id for e in enquiries.list_enquiries(s, admin, filt=EnquiryFilter(owner_id=o.id)).items] == [e1.id]
        assert [e.id for e in enquiries.list_enquiries(s, admin, filt=EnquiryFilter(priority="high")).items] == [e2.id]
        assert [e.id for e in enquiries.list_enquiries(s, admin, filt=EnquiryFilter(search="ben")).items] == [e2.id]
        today = e1.createdAt[:10]
        assert enquiries.list_enquiries(s, admin, filt=EnquiryFilter(created_from=today, created_to=today)).total == 2
        assert enquiries.list_enquiries(s, admin, filt=EnquiryFilter(created_to="2000-01-01")).total == 0
        asc = enquiries.list_enquiries(s, admin, ListQuery(sort="guestName"))
        assert [e.guestName for e in asc.items] == ["Amy", "Ben"]
        with pytest.raises(ValidationError):
            enquiries.list_enquiries(s, admin, filt=EnquiryFilter(created_from="yesterday-ish"))
