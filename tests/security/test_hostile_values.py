"""Property-based: very long, empty, unicode, malformed and wrongly-typed values in every field of every
service either save cleanly or give a ValidationError (a CrmError), never a crash or a half-written row.

Example counts are modest (the suite must stay fast): more on SQLite, fewer on PostgreSQL.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm_desktop.db.models import ActivityLog
from crm_desktop.services import contacts, enquiries, interactions, memberships, properties
from crm_desktop.services.errors import CrmError
from crm_desktop.services.listing import ListQuery
from tests import service_helpers as make

_ids = itertools.count()

TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)  # surrogates and controls too
STRINGS = st.one_of(
    TEXT, st.just(""), st.just("   "), st.just("x" * 300), st.just("y" * 20_001),
    st.sampled_from(["owner", "guest", "gold", "annual", "active", "booked", "a@b.co", "2026-01-01",
                     "2026-02-30", "31/12/2026", "1e400", "-1", "NaN", "Infinity", "0x10", "9" * 40, "€12.50",
                     "=HYPERLINK(\"http://x\")", "<script>", "😀" * 100, "\u202e", "\x00", "\ud800"]),
)
NASTY = st.one_of(
    st.none(), STRINGS, st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True), st.booleans(), st.binary(max_size=8),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def examples(db, sqlite: int = 30, postgresql: int = 10) -> settings:
    return settings(max_examples=sqlite if db.dialect == "sqlite" else postgresql, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                    database=None)


def audit_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ActivityLog)) or 0


def attempt(db, write, read_back) -> None:
    """A write either succeeds (and its row reads back) or raises a CrmError and writes nothing."""
    before = audit_count(db)
    try:
        row = db.write(write)
    except CrmError:
        assert audit_count(db) == before, "a refused write left audit entries behind"
        return
    with db.read() as s:
        read_back(s, row.id)


def fields_strategy(cleaners: dict) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(sorted(cleaners)), NASTY, max_size=5)


def test_contacts_create_and_update(db, admin):
    existing = make.owner(db, admin, email="existing@example.com")

    @examples(db)
    @given(data=fields_strategy(contacts.CLEANERS), as_update=st.booleans())
    def check(data, as_update):
        if as_update:
            attempt(db, lambda s: contacts.update_contact(s, admin, existing.id, data),
                    lambda s, i: contacts.get_contact(s, admin, i))
        else:
            base = {"type": "guest", "email": f"h{next(_ids)}@example.com"}
            attempt(db, lambda s: contacts.create_contact(s, admin, {**base, **data}),
                    lambda s, i: contacts.get_contact(s, admin, i))
    check()


def test_enquiries_create_update_and_status(db, admin):
    guest = make.guest(db, admin)
    existing = make.enquiry(db, admin, guest.id)

    @examples(db)
    @given(data=fields_strategy(enquiries.CLEANERS), status=NASTY, value=NASTY, which=st.sampled_from("cus"))
    def check(data, status, value, which):
        read = lambda s, i: enquiries.get_enquiry(s, admin, i)  # noqa: E731
        if which == "c":
            attempt(db, lambda s: enquiries.create_enquiry(s, admin, {"contactId": guest.id, **data}), read)
        elif which == "u":
            attempt(db, lambda s: enquiries.update_enquiry(s, admin, existing.id, data), read)
        else:
            attempt(db, lambda s: enquiries.change_status(s, admin, existing.id, status, booking_value=value), read)
    check()


def test_properties_create_and_update(db, admin):
    own = make.owner(db, admin)
    existing = make.prop(db, admin, own.id, pid="p-existing")

    @examples(db)
    @given(data=fields_strategy(properties.CLEANERS), as_update=st.booleans())
    def check(data, as_update):
        read = lambda s, i: properties.get_property(s, admin, i)  # noqa: E731
        if as_update:
            attempt(db, lambda s: properties.update_property(s, admin, existing.id, data), read)
        else:
            base = {"propertyId": f"p{next(_ids)}", "title": "Hall"}
            attempt(db, lambda s: properties.create_property(s, admin, {**base, **data}), read)
    check()


def test_memberships_create_and_update(db, admin):
    own = make.owner(db, admin)
    existing = make.membership(db, admin, own.id)

    @examples(db)
    @given(data=fields_strategy(memberships.CLEANERS), as_update=st.booleans())
    def check(data, as_update):
        read = lambda s, i: memberships.get_membership(s, admin, i)  # noqa: E731
        if as_update:
            attempt(db, lambda s: memberships.update_membership(s, admin, existing.id, data), read)
        else:
            base = {"planTier": "silver", "startDate": "2026-01-01", "endDate": "2026-12-31"}
            attempt(db, lambda s: memberships.create_membership(s, admin, {**base, **data}), read)
    check()


def test_interactions_log(db, admin):
    guest = make.guest(db, admin)

    @examples(db)
    @given(type_=NASTY, content=NASTY, subject=NASTY, direction=NASTY)
    def check(type_, content, subject, direction):
        attempt(db, lambda s: interactions.log_interaction(s, admin, guest.id, type_, content, subject=subject,
                                                           direction=direction),
                lambda s, i: interactions.timeline(s, admin, guest.id))
    check()


def test_list_parameters(db, admin):
    make.owner(db, admin)

    @examples(db, sqlite=40, postgresql=15)
    @given(search=STRINGS, sort=STRINGS, offset=st.integers(), limit=st.integers(), descending=st.booleans())
    def check(search, sort, offset, limit, descending):
        query = ListQuery(search=search, sort=sort, offset=offset, limit=limit, descending=descending)
        with db.read() as s:
            for lister in (contacts.list_contacts, enquiries.list_enquiries, properties.list_properties,
                           memberships.list_memberships):
                try:
                    lister(s, admin, query)
                except CrmError:
                    pass
    check()


def test_money_is_exact_after_round_trip(db, admin):
    own = make.owner(db, admin)

    @examples(db, sqlite=25, postgresql=8)
    @given(price=st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
    def check(price):
        row = db.write(lambda s: properties.create_property(
            s, admin, {"propertyId": f"m{next(_ids)}", "title": "Exact", "ownerId": own.id, "pricePerNight": price}))
        with db.read() as s:
            assert properties.get_property(s, admin, row.id).pricePerNight == price
    check()


def test_staff_accounts_and_sign_in(db, admin):
    from crm_desktop.services import staff

    db.write(lambda s: staff.create_staff(s, admin, email="known@example.com", name="Known",
                                          password="known passphrase"))

    @examples(db, sqlite=25, postgresql=8)
    @given(email=NASTY, name=NASTY, role=NASTY, password=NASTY)
    def check(email, name, role, password):
        attempt(db, lambda s: staff.create_staff(s, admin, email=email, name=name, role=role, password=password),
                lambda s, i: staff.list_staff(s, admin))
        for who in (email, "known@example.com"):
            with db.session() as s:
                try:
                    staff.authenticate(s, who, password)
                except CrmError:
                    pass
    check()


def test_sensitive_values(db, admin, key):
    from crm_desktop.services import sensitive

    own = make.owner(db, admin)

    @examples(db, sqlite=25, postgresql=8)
    @given(tax=NASTY, bank=NASTY)
    def check(tax, bank):
        try:
            db.write(lambda s: sensitive.set_sensitive(s, admin, own.id, tax_id=tax, bank_details=bank))
        except CrmError:
            return
        for field, value in (("taxId", tax), ("bankDetails", bank)):
            shown = db.write(lambda s, f=field: sensitive.reveal(s, admin, own.id, f))
            expected = "" if value is None else str(value).strip()
            assert shown == expected, (field, value)  # exactly what was saved, through encryption
    check()
