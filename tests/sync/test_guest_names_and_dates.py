"""Guests from platform enquiries and bookings: placeholder names ('-', '.', 'n/a') are no names, and a
new guest is dated from the platform row that brought them, not from the day of the sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_desktop.db.models import Contact, Enquiry
from crm_desktop.sync.platform_people import clean_name, split_name
from tests.sync.conftest import T0, iso


@pytest.mark.parametrize("raw, expected", [
    ("-", None), (" . ", None), ("N/A", None), ("", None), (None, None), ("  ", None), ("unknown", None),
    ("O'Brien", "O'Brien"), ("  de  la Cruz ", "de la Cruz"), ("Na", None), ("Nadia", "Nadia"),
])
def test_clean_name(raw, expected):
    assert clean_name(raw) == expected


def test_split_name_drops_placeholders():
    assert split_name("Declan -") == ("Declan", None)
    assert split_name("- Declan") == ("Declan", None)
    assert split_name("Mary . Anne") == ("Mary", "Anne")
    assert split_name("n/a") == (None, None)


def _guest(db, email):
    with db.read() as s:
        return s.scalars(select(Contact).where(Contact.email == email)).one()


def test_guest_names_and_added_date_come_from_the_platform(db, platform, sync):
    first_seen = T0 - timedelta(days=200)
    platform.enquiry("declan@example.com", first_name="Declan", last_name="-", at=first_seen)
    platform.enquiry("dot@example.com", first_name=".", last_name="Dot", at=first_seen)
    platform.prop("The Old Rectory")
    platform.booking("The Old Rectory", email="bea@example.com", guest_name="Bea n/a",
                     at=first_seen + timedelta(days=3))
    sync()

    declan = _guest(db, "declan@example.com")
    assert (declan.firstName, declan.lastName) == ("Declan", None)
    assert declan.createdAt == iso(first_seen)  # when they enquired, not the sync day
    dot = _guest(db, "dot@example.com")
    assert (dot.firstName, dot.lastName) == (None, "Dot")
    bea = _guest(db, "bea@example.com")
    assert (bea.firstName, bea.lastName) == ("Bea", None)
    assert bea.createdAt == iso(first_seen + timedelta(days=3))
    with db.read() as s:
        names = set(s.scalars(select(Enquiry.guestName)))
    assert names == {"Declan", "Dot"}
