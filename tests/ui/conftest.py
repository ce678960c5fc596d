"""Fixtures for the window and the big tables: a UiContext over the `db` fixture (SQLite and
PostgreSQL), QSettings in a temp folder (never the user's), and small data written through the real
tables. Helpers wait for the model's background loads with qtbot, never with sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact, Enquiry, Membership, Property, Staff
from crm_desktop.services.actor import Actor
from crm_desktop.services.audit import log_activity
from crm_desktop.timeutil import iso

STAFF = Actor("staff-ada", "admin", "Ada Admin")


@pytest.fixture(autouse=True)
def temp_qsettings(tmp_path: Path) -> Iterator[QSettings]:
    """Point every QSettings (default format and user scope) at a temp folder for this test."""
    folder = tmp_path / "qsettings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qs = QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)
    yield qs
    qs.sync()


def make_ui(db: Database, actor: Actor = STAFF, platform_url: str | None = None):  # noqa: ANN201
    from crm_desktop.ui.context import ChangeBus, UiContext
    from crm_desktop.ui.tasks import TaskRunner

    settings = Settings(database_url=db.url, platform_database_url=platform_url or db.url, sync_interval_minutes=0)
    app = AppContext(settings)
    app.__dict__["db"] = db  # share the fixture's Database (disposed by the fixture)
    errors: list[tuple[str, BaseException]] = []
    tasks = TaskRunner(on_error=lambda name, exc: errors.append((name, exc)))
    ui = UiContext(app=app, tasks=tasks, actor=actor, changes=ChangeBus())
    ui.task_errors = errors  # type: ignore[attr-defined]
    return ui


@pytest.fixture
def ui(db: Database, qtbot) -> Iterator:  # noqa: ANN001
    context = make_ui(db)
    yield context
    context.tasks.cancel_all()
    context.tasks.wait(10_000)
    assert not context.task_errors, context.task_errors


def wait_loaded(qtbot, model, action=None, timeout: int = 10_000) -> int:  # noqa: ANN001
    """Run `action` (default: reload) and wait for the model's next `loaded` signal; returns the count."""
    with qtbot.waitSignal(model.loaded, timeout=timeout) as blocker:
        (action or model.reload)()
    return blocker.args[0]


def ago(days: float) -> str:
    return iso(datetime.now(UTC) - timedelta(days=days))  # type: ignore[return-value]


def seed_small(db: Database) -> dict[str, str]:
    """Four contacts (one with a formula-like business name), two properties, three enquiries,
    three memberships ending in 10, 60 and -5 days."""
    today = datetime.now(UTC).date()
    now = ago(0)
    with db.write_session() as s:
        s.add(Staff(id=STAFF.id, email="ada@example.co.uk", name="Ada Admin", role="admin", createdAt=now,
                    updatedAt=now))
        people = [
            ("c-ada", "owner", "Ada", "Lovelace", "ada.lovelace@example.com", "Analytical Engines Ltd"),
            ("c-bob", "owner", "Bob", "Marley", "bob@example.com", "=HYPERLINK(\"http://evil\")"),
            ("c-cara", "guest", "Cara", "Delevingne", "cara@example.com", None),
            ("c-dan", "guest", "Dan", "Brown", "dan@example.com", "-1+2"),
        ]
        for n, (cid, kind, first, last, email, business) in enumerate(people):
            s.add(Contact(id=cid, type=kind, firstName=first, lastName=last, email=email, businessName=business,
                          status="active" if n != 3 else "inactive", city="London", createdAt=ago(30 - n),
                          updatedAt=now))
        s.flush()
        s.add(Property(id="p-1", ownerId="c-ada", propertyId="101", title="Thornbury Manor", location="Cotswolds",
                       listingStatus="live", membershipTier="gold", pricePerNight=Decimal("1234.5"),
                       createdAt=now, updatedAt=now))
        s.add(Property(id="p-2", ownerId="c-bob", propertyId="102", title="Hawthorn Barn", location="Devon",
                       listingStatus="paused", membershipTier="bronze", createdAt=now, updatedAt=now))
        s.flush()
        for n, status in enumerate(("new", "booked", "lost")):
            s.add(Enquiry(id=f"e-{n}", contactId="c-cara", ownerId="c-ada" if n < 2 else "c-bob",
                          propertyId="p-1" if n < 2 else "p-2", status=status, priority="high",
                          guestName="Cara Delevingne", guestEmail="cara@example.com", createdAt=ago(10 - n),
                          estimatedBudget=Decimal("2500")))
        for n, days in enumerate((10, 60, -5)):
            end = (today + timedelta(days=days)).isoformat()
            s.add(Membership(id=f"m-{n}", contactId="c-ada" if n != 1 else "c-bob", propertyId="p-1",
                             planTier=("gold", "silver", "bronze")[n], planPrice=Decimal("850"),
                             billingCycle="annual", startDate=(today - timedelta(days=300)).isoformat(),
                             endDate=end, status="active" if days > 0 else "expired", createdAt=now,
                             updatedAt=now))
        log_activity(s, STAFF, "enquiry", "e-1", "status_changed", {"status": {"before": "new", "after": "booked"}})
    return {"ada": "c-ada"}
