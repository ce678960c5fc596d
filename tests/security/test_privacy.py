"""Personal data requests: a JSON export of everything about one person, and erasure that keeps the figures."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from crm_desktop.db.models import ActivityLog, Contact, Enquiry, Interaction, Property
from crm_desktop.services import contacts, enquiries, interactions, privacy, sensitive, tombstones
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.listing import ListQuery
from tests import service_helpers as make

GUEST_EMAIL = "gwen.guest@example.org"
SECRET_MESSAGE = "Hen party for Gwen, call me on 07700 900777"


@pytest.fixture
def world(db, admin):
    """An owner with a property and membership; a guest with a booked enquiry and a logged call."""
    own = make.owner(db, admin, email="olive@example.com")
    house = make.prop(db, admin, own.id, pid="501")
    make.membership(db, admin, own.id, notes="pays late")
    guest = make.guest(db, admin, email=GUEST_EMAIL, firstName="Gwen", lastName="Guest", phone="07700 900777",
                       userId="user-42")
    enq = make.enquiry(db, admin, guest.id, house.id, guestEmail=GUEST_EMAIL, guestName="Gwen Guest",
                       guestPhone="07700 900777", message=SECRET_MESSAGE, estimatedBudget="1200")
    db.write(lambda s: enquiries.change_status(s, admin, enq.id, "booked", booking_value="1500"))
    db.write(lambda s: interactions.log_interaction(s, admin, guest.id, "phone", "Gwen asked about parking",
                                                    related_enquiry_id=enq.id))
    return {"owner": own, "property": house, "guest": guest, "enquiry": enq}


def test_export_holds_everything_and_is_audited(db, admin, world):
    guest = world["guest"]
    with db.write_session() as s:
        data = json.loads(privacy.export_person_json(s, admin, guest.id))
    assert data["contact"]["email"] == GUEST_EMAIL and data["contact"]["phone"] == "07700 900777"
    assert [e["message"] for e in data["enquiries"]] == [SECRET_MESSAGE]
    assert {i["type"] for i in data["interactions"]} == {"phone", "status_change"}
    assert {a["action"] for a in data["auditEntries"]} >= {"created", "status_changed"}
    with db.write_session() as s:
        owner_data = privacy.export_person(s, admin, world["owner"].id)
    assert [m["planTier"] for m in owner_data["memberships"]] == ["gold"]
    assert [p["propertyId"] for p in owner_data["properties"]] == ["501"]
    with db.read() as s:
        entries = s.scalars(select(ActivityLog).where(ActivityLog.action == "exported")).all()
    assert {e.entityId for e in entries} == {guest.id, world["owner"].id}


def test_export_sensitive_fields_only_for_admins(db, admin, staff_actor, viewer, world, key):
    own = world["owner"]
    db.write(lambda s: sensitive.set_sensitive(s, admin, own.id, tax_id="GB999888777"))
    with db.write_session() as s:
        masked = privacy.export_person(s, staff_actor, own.id)
    assert masked["contact"]["taxId"] == "•••• 8777"
    with pytest.raises(PermissionDenied):
        with db.write_session() as s:
            privacy.export_person(s, staff_actor, own.id, include_sensitive=True)
    with pytest.raises(PermissionDenied):
        with db.write_session() as s:
            privacy.export_person(s, viewer, own.id)
    with db.write_session() as s:
        full = privacy.export_person(s, admin, own.id, include_sensitive=True)
    assert full["contact"]["taxId"] == "GB999888777"
    with db.read() as s:
        meta = [json.loads(e.metadata_) for e in s.scalars(select(ActivityLog).where(
            ActivityLog.action == "exported", ActivityLog.entityId == own.id))]
    assert {"fields": ["taxId"], "purpose": "personal data export"} in meta


def test_erase_blanks_personal_data_keeps_figures_and_tombstones(db, admin, world):
    guest, house = world["guest"], world["property"]
    with db.read() as s:
        before = (s.get(Property, house.id).enquiryCount,
                  s.scalar(select(func.sum(Enquiry.bookingValue))),
                  s.scalar(select(func.count()).select_from(Interaction)))
        assert contacts.list_contacts(s, admin, ListQuery(search="gwen")).total == 1
    counts = db.write(lambda s: privacy.erase_person(s, admin, guest.id))
    assert counts["enquiries"] == 1 and counts["interactions"] == 2
    with db.read() as s:
        c = s.get(Contact, guest.id)
        assert (c.firstName, c.lastName, c.phone, c.userId) == (None, None, None, None)
        assert c.email.endswith("@erased.invalid") and c.erasedAt and c.type == "guest"
        e = s.get(Enquiry, world["enquiry"].id)
        assert (e.guestEmail, e.guestName, e.guestPhone, e.message) == (None, None, None, None)
        assert e.status == "booked" and e.bookingValue == Decimal("1500")
        after = (s.get(Property, house.id).enquiryCount, s.scalar(select(func.sum(Enquiry.bookingValue))),
                 s.scalar(select(func.count()).select_from(Interaction)))
        assert after == before
        assert tombstones.is_erased(s, email=" GWEN.guest@example.org")
        assert tombstones.is_erased(s, user_id="user-42")
        assert not tombstones.is_erased(s, email="GWEN.guest@example.org", platform_updated_at="2999-01-01T00:00:00Z")
        erased = s.scalars(select(ActivityLog).where(ActivityLog.action == "erased")).one()
        assert erased.performedBy == admin.id and erased.changedFields is None
    with db.engine.connect() as conn:  # nothing about her is left anywhere in the database
        for table in ("crm_contacts", "crm_enquiries", "crm_interactions", "crm_activity_log", "crm_tombstones"):
            dump = " ".join(str(r) for r in conn.execute(text(f"SELECT * FROM {table}")).all())
            for needle in ("gwen", "07700 900777", "user-42", "Hen party", "parking"):
                assert needle not in dump.lower(), (table, needle)
    with db.read() as s:  # nor can she be found by searching
        assert contacts.list_contacts(s, admin, ListQuery(search="gwen")).total == 0
        assert contacts.list_contacts(s, admin, ListQuery(search="900777")).total == 0
    with pytest.raises(ValidationError, match="erased already"):
        db.write(lambda s: privacy.erase_person(s, admin, guest.id))


def test_erasure_is_for_admins_only(db, staff_actor, viewer, world):
    for who in (staff_actor, viewer):
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: privacy.erase_person(s, w, world["guest"].id))
    with db.read() as s:
        assert s.get(Contact, world["guest"].id).email == GUEST_EMAIL
