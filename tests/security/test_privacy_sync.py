"""Erasure against the real sync: a person erased in the CRM is not brought back by the next sync of the
unchanged platform rows, and comes back only when they return on the platform."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact, Enquiry
from crm_desktop.services import contacts, privacy
from crm_desktop.sync.platform_tables import create_platform_schema
from crm_desktop.sync.runner import run_sync
from tests.sync.conftest import PlatformBuilder

EMAIL = "gwen.gone@example.org"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[PlatformBuilder, str]]:
    url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    db = Database(url)
    create_platform_schema(db.engine)
    db.dispose()
    engine = create_engine(url)
    yield PlatformBuilder(engine), url
    engine.dispose()


def test_an_erased_guest_stays_erased_until_they_return(db, admin, platform):
    builder, url = platform
    house = builder.prop("Gone Manor", owner_id=builder.user("Olive Owner"))
    builder.enquiry(email=EMAIL, property_id=house, first_name="Gwen", last_name="Gone",
                    message="Hen party for Gwen, call 07700 900777")
    ctx = AppContext(Settings(database_url=db.url, platform_database_url=url))
    try:
        run_sync(ctx)
        with db.read() as s:
            gwen = contacts.find_by_email(s, EMAIL)
            assert gwen is not None
        db.write(lambda s: privacy.erase_person(s, admin, gwen.id))
        run_sync(ctx)  # the platform rows have not changed since: nothing comes back
        with db.read() as s:
            assert contacts.find_by_email(s, EMAIL) is None
            enquiry = s.scalars(select(Enquiry).where(Enquiry.contactId == gwen.id)).one()
            assert (enquiry.guestEmail, enquiry.guestName, enquiry.message) == (None, None, None)
            assert s.get(Contact, gwen.id).erasedAt is not None
        with db.engine.connect() as conn:
            dump = " ".join(str(r) for t in ("crm_contacts", "crm_enquiries", "crm_interactions")
                            for r in conn.execute(text(f"SELECT * FROM {t}")).all())
        assert "gwen" not in dump.lower() and "07700 900777" not in dump

        builder.tick(60 * 24 * 400)  # she enquires again on the platform, after the erasure
        builder.enquiry(email=EMAIL, property_id=house, first_name="Gwen", last_name="Back", at=builder.clock)
        run_sync(ctx)
        with db.read() as s:
            back = contacts.find_by_email(s, EMAIL)
            assert back is not None and back.id != gwen.id and back.lastName == "Back"
            assert s.scalar(select(func.count()).select_from(Enquiry).where(Enquiry.contactId == back.id)) == 1
    finally:
        ctx.close()
