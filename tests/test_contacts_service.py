"""Contacts through the services: filters, validation, audit trail and concurrent edits, on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crm_desktop.db.models import ActivityLog, Contact
from crm_desktop.services import contacts
from crm_desktop.services.actor import Actor
from crm_desktop.services.contacts import ContactFilter
from crm_desktop.services.errors import ConflictError, PermissionDenied, ValidationError
from crm_desktop.services.listing import ListQuery


def make(db, admin, **data):
    return db.write(lambda s: contacts.create_contact(s, admin, data))


def test_create_normalises_and_audits(db, admin):
    c = make(db, admin, type="owner", email="  Jo.Bloggs@Example.COM ", firstName="Jo", lastName="Bloggs")
    assert c.email == "jo.bloggs@example.com"
    assert c.version == 1
    with db.read() as s:
        entry = s.scalars(select(ActivityLog).where(ActivityLog.entityId == c.id)).one()
    assert entry.action == "created" and entry.performedBy == admin.id and entry.entityType == "contact"
    assert json.loads(entry.changedFields)["email"] == {"before": None, "after": "jo.bloggs@example.com"}


@pytest.mark.parametrize("data, field", [
    ({"type": "owner", "email": "not-an-email"}, "email"),
    ({"type": "landlord", "email": "a@b.co"}, "type"),
    ({"type": "owner", "email": "a@b.co", "status": "asleep"}, "status"),
    ({"type": "owner"}, "email"),
    ({"email": "a@b.co"}, "type"),
    ({"type": "owner", "email": "a@b.co", "firstName": "x" * 300}, "firstName"),
    ({"type": "owner", "email": "a@b.co", "nonsense": 1}, "nonsense"),
    ({"type": "owner", "email": "a@b.co", "phone": "07\x00"}, "phone"),
])
def test_validation_errors_name_the_field_and_write_nothing(db, admin, data, field):
    with pytest.raises(ValidationError) as info:
        make(db, admin, **data)
    assert field in info.value.errors
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 0
        assert s.scalar(select(func.count()).select_from(ActivityLog)) == 0


def test_duplicate_email_is_refused_case_insensitively(db, admin):
    make(db, admin, type="guest", email="sam@example.com")
    with pytest.raises(ValidationError) as info:
        make(db, admin, type="owner", email=" SAM@example.com")
    assert "already has the email" in info.value.errors["email"]


def test_filters_search_sort_and_paging(db, admin):
    make(db, admin, type="owner", email="alice@x.com", firstName="Alice", lastName="Zed")
    make(db, admin, type="guest", email="bob@x.com", firstName="Bob", lastName="Young")
    make(db, admin, type="guest", email="carol@y.com", firstName="Carol", lastName="Xu", status="inactive")
    with db.read() as s:
        page = contacts.list_contacts(s, admin, filt=ContactFilter(type="guest"))
        assert [c.firstName for c in page.items] == ["Carol", "Bob"]  # by last name
        page = contacts.list_contacts(s, admin, filt=ContactFilter(status="inactive"))
        assert [c.firstName for c in page.items] == ["Carol"]
        page = contacts.list_contacts(s, admin, filt=ContactFilter(search="ALI"))
        assert [c.email for c in page.items] == ["alice@x.com"]
        page = contacts.list_contacts(s, admin, filt=ContactFilter(search="y.com"))
        assert [c.email for c in page.items] == ["carol@y.com"]
        page = contacts.list_contacts(s, admin, ListQuery(sort="email", descending=True, limit=2))
        assert page.total == 3 and [c.email for c in page.items] == ["carol@y.com", "bob@x.com"]
        page = contacts.list_contacts(s, admin, ListQuery(sort="email", offset=2, limit=2))
        assert [c.email for c in page.items] == ["carol@y.com"]
        # LIKE wildcards are literal
        assert contacts.list_contacts(s, admin, filt=ContactFilter(search="%")).total == 0
        with pytest.raises(ValidationError):
            contacts.list_contacts(s, admin, ListQuery(sort="email; DROP TABLE crm_contacts"))


def test_update_audits_before_and_after(db, admin):
    c = make(db, admin, type="owner", email="o@x.com", city="Leeds")
    db.write(lambda s: contacts.update_contact(s, admin, c.id, {"city": "York", "status": "inactive"},
                                               expected_version=1, reason="moved"))
    with db.read() as s:
        entries = s.scalars(select(ActivityLog).where(ActivityLog.entityId == c.id)
                            .order_by(ActivityLog.timestamp)).all()
        row = s.get(Contact, c.id)
    assert row.version == 2 and row.city == "York"
    last = entries[-1]
    assert last.action == "status_changed" and last.reason == "moved"
    assert json.loads(last.changedFields) == {
        "city": {"before": "Leeds", "after": "York"}, "status": {"before": "active", "after": "inactive"}}


def test_second_concurrent_save_is_a_conflict(db, admin):
    c = make(db, admin, type="owner", email="o@x.com")
    other = Actor("staff-2", "staff", "Sam Staff")
    db.write(lambda s: contacts.update_contact(s, admin, c.id, {"city": "Bath"}, expected_version=1))
    with pytest.raises(ConflictError):
        db.write(lambda s: contacts.update_contact(s, other, c.id, {"city": "Hull"}, expected_version=1))
    with db.read() as s:
        assert s.get(Contact, c.id).city == "Bath"


def test_viewer_cannot_write(db):
    viewer = Actor("v1", "viewer", "Vic Viewer")
    with pytest.raises(PermissionDenied):
        make(db, viewer, type="owner", email="o@x.com")
