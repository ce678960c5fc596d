"""Fixtures for the security tests: one actor per role, a sensitive-data key, and a few records."""

from __future__ import annotations

import pytest

from crm_desktop.db.engine import Database
from crm_desktop.services import contacts, sensitive
from crm_desktop.services.actor import Actor


@pytest.fixture
def staff_actor() -> Actor:
    return Actor("staff-sam", "staff", "Sam Staff")


@pytest.fixture
def viewer() -> Actor:
    return Actor("staff-vic", "viewer", "Vic Viewer")


@pytest.fixture
def key(db: Database, admin: Actor) -> str:
    """A sensitive-data key made by the admin and held in this computer's (memory) keychain."""
    return db.write(lambda s: sensitive.create_key(s, admin))


@pytest.fixture
def owner(db: Database, admin: Actor):
    return db.write(lambda s: contacts.create_contact(s, admin, {
        "type": "owner", "email": "olive.owner@example.co.uk", "firstName": "Olive", "lastName": "Owner",
        "phone": "07700 900123", "city": "Bath"}))
