"""Properties, memberships and interactions through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm_desktop.db.models import ActivityLog, Contact
from crm_desktop.services import interactions, memberships, properties
from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.services.listing import ListQuery
from crm_desktop.services.memberships import MembershipFilter
from crm_desktop.services.properties import PropertyFilter
from tests.service_helpers import enquiry, guest, membership, owner, prop


def test_property_filters_and_validation(db, admin):
    o = owner(db, admin)
    o2 = owner(db, admin, "two@example.com")
    prop(db, admin, o.id, "1", listingStatus="live", membershipTier="gold", pricePerNight="199.99")
    prop(db, admin, o2.id, "2", listingStatus="expired", membershipTier="bronze")
    prop(db, admin, None, "3", listingStatus="draft")  # owner not known yet
    with db.read() as s:
        assert properties.list_properties(s, admin, filt=PropertyFilter(owner_id=o.id)).total == 1
        assert [p.propertyId for p in properties.list_properties(s, admin, filt=PropertyFilter(status="expired")).items] == ["2"]
        assert [p.propertyId for p in properties.list_properties(s, admin, filt=PropertyFilter(tier="gold")).items] == ["1"]
        page = properties.list_properties(s, admin, ListQuery(sort="propertyId" if False else "title", descending=True))
        assert [p.propertyId for p in page.items] == ["3", "2", "1"]
        assert page.items[2].pricePerNight == Decimal("199.99")
    for data, field in (({"pricePerNight": "-1"}, "pricePerNight"), ({"listingStatus": "sold"}, "listingStatus"),
                        ({"membershipTier": "platinum"}, "membershipTier")):
        with pytest.raises(ValidationError) as info:
            prop(db, admin, o.id, "9", **data)
        assert field in info.value.errors
    g = guest(db, admin)
    with pytest.raises(ValidationError) as info:
        prop(db, admin, g.id, "10")
    assert "ownerId" in info.value.errors
    with pytest.raises(ValidationError):
        prop(db, admin, o.id, "1")  # duplicate platform id


def test_property_update_status_audit_and_conflict(db, admin):
    o = owner(db, admin)
    p = prop(db, admin, o.id, listingStatus="pending_approval")
    db.write(lambda s: properties.update_property(s, admin, p.id, {"listingStatus": "live"}, expected_version=1))
    with pytest.raises(ConflictError):
        db.write(lambda s: properties.update_property(s, admin, p.id, {"internalNotes": "x"}, expected_version=1))
    with db.read() as s:
        actions = s.scalars(select(ActivityLog.action).where(ActivityLog.entityId == p.id)
                            .order_by(ActivityLog.timestamp)).all()
    assert actions == ["created", "status_changed"]


def test_memberships_filters_expiring_and_validation(db, admin):
    o = owner(db, admin)
    o2 = owner(db, admin, "b@example.com")
    m1 = membership(db, admin, o.id, endDate="2026-12-10", planTier="gold")
    membership(db, admin, o2.id, endDate="2027-06-01", planTier="bronze", billingCycle="monthly")
    membership(db, admin, o2.id, endDate="2026-12-01", planTier="silver", status="cancelled")
    today = date(2026, 11, 26)
    with db.read() as s:
        soon = memberships.list_memberships(s, admin, filt=MembershipFilter(expiring_within_days=30, today=today))
        assert [m.id for m in soon.items] == [m1.id]
        assert memberships.list_memberships(s, admin, filt=MembershipFilter(contact_id=o2.id)).total == 2
        assert memberships.list_memberships(s, admin, filt=MembershipFilter(status="cancelled")).total == 1
        assert memberships.list_memberships(s, admin, filt=MembershipFilter(tier="bronze")).total == 1
    for data, field in (({"endDate": "2025-01-01"}, "endDate"), ({"planTier": "platinum"}, "planTier"),
                        ({"planPrice": "-10"}, "planPrice"), ({"status": "paused"}, "status"),
                        ({"billingCycle": "weekly"}, "billingCycle")):
        with pytest.raises(ValidationError) as info:
            membership(db, admin, o.id, **data)
        assert field in info.value.errors
    updated = db.write(lambda s: memberships.update_membership(s, admin, m1.id, {"status": "suspended"},
                                                               expected_version=1))
    assert updated.status == "suspended"
    with db.read() as s:
        entry = s.scalars(select(ActivityLog).where(ActivityLog.entityId == m1.id,
                                                    ActivityLog.action == "status_changed")).one()
    assert json.loads(entry.changedFields)["status"] == {"before": "active", "after": "suspended"}


def test_log_call_and_timeline(db, admin):
    o = owner(db, admin)
    g = guest(db, admin)
    p = prop(db, admin, o.id)
    e = enquiry(db, admin, g.id, p.id)
    row = db.write(lambda s: interactions.log_interaction(s, admin, g.id, "phone", "Called about dates",
                                                          subject="Call", related_enquiry_id=e.id))
    assert row.initiatedBy == "admin" and row.performedBy == admin.id
    with db.read() as s:
        assert s.get(Contact, g.id).lastContactedAt == row.createdAt
        tl = interactions.timeline(s, admin, g.id)
    kinds = [(t.kind, t.type) for t in tl]
    assert ("interaction", "phone") in kinds and ("audit", "created") in kinds
    assert tl == sorted(tl, key=lambda t: t.at, reverse=True)
    for kwargs, field in (({"type": "fax"}, "type"), ({"content": "  "}, "content"),
                          ({"direction": "sideways"}, "direction"), ({"type": "status_change"}, "type")):
        args = {"type": "note", "content": "x", **kwargs}
        with pytest.raises(ValidationError) as info:
            db.write(lambda s, a=args: interactions.log_interaction(s, admin, g.id, a.pop("type"), a.pop("content"), **a))
        assert field in info.value.errors


def test_external_key_makes_logging_idempotent(db, admin):
    g = guest(db, admin)
    a = db.write(lambda s: interactions.log_interaction(s, admin, g.id, "note", "hi", external_key="k1"))
    b = db.write(lambda s: interactions.log_interaction(s, admin, g.id, "note", "hi", external_key="k1"))
    assert a.id == b.id
    with db.read() as s:
        assert interactions.list_interactions(s, admin, g.id).total == 1
