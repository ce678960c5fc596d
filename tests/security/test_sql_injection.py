"""Hostile text in every search, filter and sort input of every list service: parameters and whitelists only.

Each hostile value must either match nothing or be refused with a ValidationError, never run as SQL,
never crash, and never change a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_desktop.db.models import ActivityLog, Contact, Enquiry, Interaction, Membership, Property
from crm_desktop.services import contacts, enquiries, interactions, memberships, properties
from crm_desktop.services.errors import CrmError, ValidationError
from crm_desktop.services.listing import ListQuery
from tests import service_helpers as make

HOSTILE = [
    "' OR '1'='1", "' OR 1=1 --", "\"; DROP TABLE crm_contacts; --", "1) OR (1=1", "x' UNION SELECT * FROM crm_staff --",
    "%", "_", "\\", "%_%", "*", "\"", "'", "''", "NEAR(a b)", "a OR b", "crm_contacts.rowid", "/*", "-- ",
    "rowid MATCH 'x'", "title; DELETE FROM crm_properties", "\x00", "a\x00b", "🙂🙃", "Ünïcødé ß", "\u202e",
    "a" * 5000, "   ", "\n\t", "\ud800", "x\udfffy",
]


@dataclass(frozen=True)
class ListService:
    name: str
    call: Callable[..., Any]  # (session, actor, query) -> Page
    filters: tuple[str, ...]
    model: type
    searches: bool = True  # memberships and interactions have no text search (ListQuery.search is unused)


SERVICES = [
    ListService("contacts", lambda s, a, q: contacts.list_contacts(s, a, q), contacts.FILTERABLE, Contact),
    ListService("enquiries", lambda s, a, q: enquiries.list_enquiries(s, a, q), enquiries.FILTERABLE, Enquiry),
    ListService("properties", lambda s, a, q: properties.list_properties(s, a, q), properties.FILTERABLE, Property),
    ListService("memberships", lambda s, a, q: memberships.list_memberships(s, a, q), memberships.FILTERABLE,
                Membership, searches=False),
    ListService("interactions", lambda s, a, q: interactions.list_interactions(s, a, None, q), (), Interaction,
                searches=False),
]


@pytest.fixture
def rows(db, admin):
    own = make.owner(db, admin)
    house = make.prop(db, admin, own.id, location="Bath")
    guest = make.guest(db, admin)
    make.enquiry(db, admin, guest.id, house.id, guestName="Gus Guest", guestEmail="guest@example.com")
    make.membership(db, admin, own.id)
    db.write(lambda s: interactions.log_interaction(s, admin, guest.id, "note", "called back"))


def snapshot(db) -> dict[str, int]:
    with db.read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Contact, Enquiry, Property, Membership, Interaction, ActivityLog)}


def run_safely(db, service: ListService, actor, query: ListQuery):
    """The list call must return or raise a CrmError; anything else is a bug."""
    with db.read() as s:
        try:
            return service.call(s, actor, query)
        except CrmError as exc:
            return exc


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_hostile_search_matches_nothing_and_changes_nothing(db, admin, rows, service):
    before = snapshot(db)
    for value in HOSTILE:
        result = run_safely(db, service, admin, ListQuery(search=value))
        if isinstance(result, ValidationError):
            continue
        assert not isinstance(result, Exception), (value, result)
        if value.strip() and service.searches:
            assert result.total == 0, (service.name, value)
    assert snapshot(db) == before


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_hostile_filter_values_keys_and_sorts(db, admin, rows, service):
    before = snapshot(db)
    for value in HOSTILE:
        for key in service.filters:
            result = run_safely(db, service, admin, ListQuery(filters={key: value}))
            assert isinstance(result, ValidationError) or result.total == 0, (service.name, key, value, result)
        # hostile filter names and sort columns are refused by the whitelist
        assert isinstance(run_safely(db, service, admin, ListQuery(filters={value: "x"})), ValidationError)
        assert isinstance(run_safely(db, service, admin, ListQuery(sort=value)), ValidationError), value
    for sort in ("id; DROP TABLE crm_contacts", "createdAt DESC, (SELECT 1)", "1", "lower(email)"):
        assert isinstance(run_safely(db, service, admin, ListQuery(sort=sort)), ValidationError)
    assert snapshot(db) == before


def test_hostile_ids_are_not_found_not_crashes(db, admin, rows):
    with db.read() as s:
        for value in ("' OR 1=1 --", "\x00", "a" * 300, "../../etc/passwd", "\ud800"):
            for get in (contacts.get_contact, enquiries.get_enquiry, properties.get_property,
                        memberships.get_membership):
                with pytest.raises(CrmError):
                    get(s, admin, value)


TAUTOLOGIES = ("' OR '1'='1", "' OR 1=1 --", "1) OR (1=1", "\"; DROP TABLE crm_contacts; --")
TABLE_NAMES = ("contacts", "properties", "enquiries", "memberships", "activity")


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_window_tables_take_hostile_search_filters_and_sorts(db, admin, rows, name):
    """The big list tables of the window (crm_desktop.services.table_queries) have their own SQL."""
    from crm_desktop.services import table_queries as tq

    table = tq.table(name)
    before = snapshot(db)

    def keys(query):
        with db.read() as s:
            try:
                return len(tq.fetch_keys(s, table, query))
            except CrmError as exc:
                return exc

    for value in HOSTILE:
        found = keys(tq.TableQuery(search=value))
        assert isinstance(found, int | ValidationError), (name, value, found)
        if value in TAUTOLOGIES:  # word search: every word must appear, so these find nothing
            assert found == 0, (name, value, found)
        if "\x00" in value or "\ud800" in value:
            assert isinstance(found, ValidationError), (name, value, found)
        for key in table.filters:
            found = keys(tq.TableQuery(filters={key: value}))
            assert isinstance(found, ValidationError) or isinstance(found, int), (name, key, value, found)
        assert isinstance(keys(tq.TableQuery(filters={value: "x"})), ValidationError) or not value
        assert isinstance(keys(tq.TableQuery(sort=value)), ValidationError)
    assert snapshot(db) == before
