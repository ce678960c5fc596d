"""Small builders for service tests (through the services themselves)."""

from __future__ import annotations

from crm_desktop.services import contacts, enquiries, memberships, properties


def owner(db, actor, email="owner@example.com", **extra):
    return db.write(lambda s: contacts.create_contact(
        s, actor, {"type": "owner", "email": email, "firstName": "Olive", "lastName": "Owner", **extra}))


def guest(db, actor, email="guest@example.com", **extra):
    return db.write(lambda s: contacts.create_contact(
        s, actor, {"type": "guest", "email": email, "firstName": "Gus", "lastName": "Guest", **extra}))


def prop(db, actor, owner_id, pid="101", **extra):
    return db.write(lambda s: properties.create_property(
        s, actor, {"propertyId": pid, "title": f"Manor {pid}", "ownerId": owner_id, **extra}))


def enquiry(db, actor, contact_id, property_id=None, **extra):
    return db.write(lambda s: enquiries.create_enquiry(
        s, actor, {"contactId": contact_id, "propertyId": property_id, **extra}))


def membership(db, actor, contact_id, **extra):
    data = {"contactId": contact_id, "planTier": "gold", "startDate": "2026-01-01", "endDate": "2027-01-01",
            "planPrice": "850", "billingCycle": "annual", **extra}
    return db.write(lambda s: memberships.create_membership(s, actor, data))
