"""Each role on each service: viewers read only, staff read/write/export but see no sensitive data and
manage nobody, admins do everything. The services enforce it (the window only hides buttons)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select

from crm_desktop import exporting
from crm_desktop.db.models import ActivityLog
from crm_desktop.jobs import templates
from crm_desktop.reports.catalog import REPORTS, ReportOptions, run_report
from crm_desktop.services import (
    contacts,
    enquiries,
    interactions,
    memberships,
    privacy,
    properties,
    sensitive,
    staff,
)
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.listing import ListQuery
from tests import service_helpers as make

RIGHTS = {"viewer": {"read"}, "staff": {"read", "write", "export"},
          "admin": {"read", "write", "export", "sensitive", "manage_staff"}}
_n = itertools.count()


def operations(w: dict, tmp_path) -> list[tuple[str, str, object]]:
    """(name, right needed, fn(session, actor)) for every service entry point that checks a role."""
    c, g, p, e, m = w["owner"].id, w["guest"].id, w["property"].id, w["enquiry"].id, w["membership"].id
    return [
        ("contacts.list", "read", lambda s, a: contacts.list_contacts(s, a, ListQuery())),
        ("contacts.get", "read", lambda s, a: contacts.get_contact(s, a, c)),
        ("contacts.create", "write", lambda s, a: contacts.create_contact(
            s, a, {"type": "guest", "email": f"r{next(_n)}@x.co"})),
        ("contacts.update", "write", lambda s, a: contacts.update_contact(s, a, c, {"city": f"Bath {next(_n)}"})),
        ("enquiries.list", "read", lambda s, a: enquiries.list_enquiries(s, a)),
        ("enquiries.get", "read", lambda s, a: enquiries.get_enquiry(s, a, e)),
        ("enquiries.create", "write", lambda s, a: enquiries.create_enquiry(s, a, {"contactId": g})),
        ("enquiries.update", "write", lambda s, a: enquiries.update_enquiry(s, a, e, {"internalNotes": str(next(_n))})),
        ("enquiries.status", "write", lambda s, a: enquiries.change_status(
            s, a, e, "contacted" if next(_n) % 2 else "negotiating")),
        ("properties.list", "read", lambda s, a: properties.list_properties(s, a)),
        ("properties.get", "read", lambda s, a: properties.get_property(s, a, p)),
        ("properties.create", "write", lambda s, a: properties.create_property(
            s, a, {"propertyId": f"r{next(_n)}", "title": "Barn"})),
        ("properties.update", "write", lambda s, a: properties.update_property(s, a, p, {"location": str(next(_n))})),
        ("memberships.list", "read", lambda s, a: memberships.list_memberships(s, a)),
        ("memberships.get", "read", lambda s, a: memberships.get_membership(s, a, m)),
        ("memberships.create", "write", lambda s, a: memberships.create_membership(
            s, a, {"planTier": "bronze", "startDate": "2026-01-01", "endDate": "2026-02-01"})),
        ("memberships.update", "write", lambda s, a: memberships.update_membership(s, a, m, {"notes": str(next(_n))})),
        ("interactions.list", "read", lambda s, a: interactions.list_interactions(s, a, g)),
        ("interactions.timeline", "read", lambda s, a: interactions.timeline(s, a, g)),
        ("interactions.log", "write", lambda s, a: interactions.log_interaction(s, a, g, "note", "hello")),
        ("reports.run", "read", lambda s, a: [run_report(s, a, name, ReportOptions(today=date(2026, 6, 1)))
                                             for name in REPORTS]),
        ("templates.set", "write", lambda s, a: templates.set_template(s, a, None)),
        ("staff.list", "read", lambda s, a: staff.list_staff(s, a)),
        ("staff.create", "manage_staff", lambda s, a: staff.create_staff(s, a, email=f"s{next(_n)}@x.co", name="S")),
        ("staff.role", "manage_staff", lambda s, a: staff.change_role(s, a, w["member"].id, "viewer")),
        ("staff.reset", "manage_staff", lambda s, a: staff.reset_password(s, a, w["member"].id, "long passphrase")),
        ("staff.deactivate", "manage_staff", lambda s, a: staff.set_active(s, a, w["member"].id, bool(next(_n) % 2))),
        ("sensitive.set", "sensitive", lambda s, a: sensitive.set_sensitive(s, a, c, tax_id=f"GB{next(_n):09d}")),
        ("sensitive.reveal", "sensitive", lambda s, a: sensitive.reveal(s, a, c, "taxId")),
        ("sensitive.export", "sensitive", lambda s, a: sensitive.export_values(s, a, [c])),
        ("privacy.export", "export", lambda s, a: privacy.export_person(s, a, g)),
        ("privacy.export_sensitive", "sensitive", lambda s, a: privacy.export_person(s, a, c, include_sensitive=True)),
        ("privacy.erase", "sensitive", lambda s, a: privacy.erase_person(s, a, w["erasable"].id)),
        ("exporting.csv", "export", lambda s, a: exporting.export_rows(
            w["db"], a, "table:contacts", tmp_path / f"e{next(_n)}.csv", ["Email"], [["x@y.z"]])),
    ]


@pytest.fixture
def world(db, admin, key):
    own = make.owner(db, admin, email="role-owner@x.co")
    guest = make.guest(db, admin, email="role-guest@x.co")
    house = make.prop(db, admin, own.id, pid="role-1")
    enq = make.enquiry(db, admin, guest.id, house.id)
    mem = make.membership(db, admin, own.id)
    db.write(lambda s: sensitive.set_sensitive(s, admin, own.id, tax_id="GB000111222"))
    member = db.write(lambda s: staff.create_staff(s, admin, email="member@x.co", name="Mem", role="staff"))
    return {"owner": own, "guest": guest, "property": house, "enquiry": enq, "membership": mem,
            "member": member, "db": db, "erasable": None}


@pytest.mark.parametrize("role", ["viewer", "staff", "admin"])
def test_each_role_on_each_service(db, admin, world, role, tmp_path):
    actor = Actor(f"role-{role}", role, role.title())
    for name, right, fn in operations(world, tmp_path):
        if name == "privacy.erase":  # erasure is one-way: a fresh person each time
            world["erasable"] = make.guest(db, admin, email=f"erase-{next(_n)}@x.co")
        allowed = right in RIGHTS[role]
        try:
            if name == "exporting.csv":
                fn(None, actor)
            else:
                db.write(lambda s, f=fn: f(s, actor))
        except PermissionDenied as exc:
            assert not allowed, f"{role} was refused {name}: {exc}"
            assert role in str(exc)
        else:
            assert allowed, f"{role} was allowed {name}"
    with db.read() as s:  # every write and export names who did it: the fixture's admin or this actor
        performers = set(s.scalars(select(ActivityLog.performedBy).distinct()))
        mine = s.scalar(select(func.count()).select_from(ActivityLog).where(ActivityLog.performedBy == actor.id))
    assert performers <= {admin.id, actor.id}, performers
    assert (mine > 0) is (role != "viewer")  # a viewer changed nothing, so is in no entry
