"""Fixtures for the detail views, dialogs, pipeline board and dashboard: a UiContext over a migrated
SQLite copy (the services are tested on PostgreSQL too; the widgets only need one database) and a
small, demo-like data set written through the real tables."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact, Enquiry, Interaction, Membership, Property, Staff
from crm_desktop.services.actor import Actor
from crm_desktop.timeutil import iso

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
STAFF_ID = "staff-ada"

FIRST = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Harry", "Oliver", "George", "Noah", "Arthur", "Leo", "Freya",
         "Grace", "Jack", "Sophie", "Charlie", "Emily", "Thomas", "Poppy", "James"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
        "Walker", "Evans", "Roberts", "Hughes", "Green", "Hall", "Clarke", "Jackson", "Wood", "Khan"]
HOUSES = ["Thornbury Manor", "The Old Rectory", "Hawthorn Barn", "Saltmarsh Lodge", "Ravenscar Hall",
          "Kingfisher House", "Millbrook Farmhouse", "The Boathouse", "Oakwood Retreat", "Castle View",
          "Bramble Cottage", "Fernhill Court"]
TOWNS = ["Cotswolds", "Norfolk", "Cornwall", "Lake District", "Yorkshire Dales", "Devon", "Peak District",
         "Northumberland", "Sussex", "Somerset", "Kent", "Pembrokeshire"]
EVENTS = ["birthday", "hen party", "wedding", "corporate retreat", "family reunion", "stag party"]


@pytest.fixture
def ui_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def ctx(ui_db: Database, qtbot):  # noqa: ANN001, ANN201 - a crm_desktop.ui.context.UiContext
    from crm_desktop.ui.context import UiContext
    from crm_desktop.ui.tasks import TaskRunner

    settings = Settings(database_url=ui_db.url, platform_database_url=ui_db.url, sync_interval_minutes=0)
    app = AppContext(settings)
    app.__dict__["db"] = ui_db  # the fixture's Database, disposed by the fixture
    errors: list[tuple[str, BaseException]] = []
    tasks = TaskRunner(on_error=lambda name, exc: errors.append((name, exc)))
    now = iso(datetime.now(UTC))
    with ui_db.write_session() as s:
        s.add(Staff(id=STAFF_ID, email="ada@partyhouses.co.uk", name="Ada Lovelace", role="admin", createdAt=now,
                    updatedAt=now))
        s.add(Staff(id="staff-grace", email="grace@partyhouses.co.uk", name="Grace Hopper", role="staff",
                    createdAt=now, updatedAt=now))
    ui = UiContext(app=app, tasks=tasks, actor=Actor(STAFF_ID, "admin", "Ada Lovelace"))
    ui.task_errors = errors  # type: ignore[attr-defined]
    yield ui
    tasks.cancel_all()
    tasks.wait(10_000)
    assert not errors, errors  # every task error must have been handled by the view that started it


def seed_demo(db: Database, seed: int = 7) -> dict[str, list[str]]:
    """About 30 contacts, 12 properties, 90 enquiries over half a year, memberships and interactions."""
    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    ids: dict[str, list[str]] = {"owners": [], "guests": [], "properties": [], "enquiries": [], "memberships": []}

    def ago(days: float) -> str:
        return iso(now - timedelta(days=days))  # type: ignore[return-value]

    with db.write_session() as s:
        for i in range(12):
            first, last = FIRST[i], LAST[i]
            c = Contact(id=f"owner-{i}", type="owner", firstName=first, lastName=last,
                        email=f"{first}.{last}@example.co.uk".lower(), phone=f"07700 900{100 + i}",
                        businessName=f"{HOUSES[i].replace('The ', '')} Events Ltd", city=TOWNS[i],
                        country="United Kingdom", createdAt=ago(400 - i), updatedAt=ago(10))
            s.add(c)
            ids["owners"].append(c.id)
        for i in range(20):
            first, last = FIRST[(i + 5) % 20], LAST[(i * 3) % 20]
            c = Contact(id=f"guest-{i}", type="guest", firstName=first, lastName=last,
                        email=f"{first[0]}{last}{i}@mail.co.uk".lower(), phone=f"07911 123{400 + i}",
                        eventType=rnd.choice(EVENTS), createdAt=ago(200 - i), updatedAt=ago(5))
            s.add(c)
            ids["guests"].append(c.id)
        s.flush()
        tiers = ["gold", "gold", "silver", "silver", "silver", "bronze", "bronze", "bronze", "bronze", "gold",
                 "silver", "bronze"]
        for i in range(12):
            p = Property(id=f"prop-{i}", ownerId=ids["owners"][i], propertyId=str(5000 + i), title=HOUSES[i],
                         location=TOWNS[i], bedrooms=6 + i % 5, bathrooms=3 + i % 3, maxGuests=12 + 2 * i,
                         pricePerNight=Decimal(450 + 35 * i), listingStatus="paused" if i == 7 else "live",
                         membershipTier=tiers[i], viewCount=rnd.randint(300, 4000), createdAt=ago(380 - i),
                         updatedAt=ago(3), publishedAt=ago(370 - i))
            s.add(p)
            ids["properties"].append(p.id)
        s.flush()
        statuses = ["new"] * 16 + ["contacted"] * 14 + ["negotiating"] * 10 + ["booked"] * 14 + ["lost"] * 6 + \
                   ["spam"] * 2
        enquiry_count = {p: 0 for p in ids["properties"]}
        bookings = {p: (0, Decimal(0)) for p in ids["properties"]}
        for i in range(90):
            status = statuses[i % len(statuses)]
            prop_i = rnd.randrange(12)
            guest_i = rnd.randrange(20)
            created_days = rnd.uniform(0, 170)
            created = ago(created_days)
            value = Decimal(rnd.randrange(1800, 9000, 50)) if status == "booked" else None
            guest = ids["guests"][guest_i]
            e = Enquiry(id=f"enq-{i:03d}", contactId=guest, ownerId=ids["owners"][prop_i],
                        propertyId=ids["properties"][prop_i], status=status, eventType=rnd.choice(EVENTS),
                        eventDate=(now + timedelta(days=rnd.randint(20, 240))).date().isoformat(),
                        estimatedGuests=rnd.randint(8, 30), estimatedBudget=Decimal(rnd.randrange(1500, 9000, 100)),
                        message="Hello! We're looking for a house for a group celebration. Is it free?",
                        guestName=f"{FIRST[(guest_i + 5) % 20]} {LAST[(guest_i * 3) % 20]}",
                        guestEmail=f"guest{guest_i}@mail.co.uk", createdAt=created, lastUpdatedAt=created,
                        firstResponseAt=None if status == "new" else ago(max(created_days - 1, 0)),
                        closedAt=ago(max(created_days - 5, 0)) if status in ("booked", "lost", "spam") else None,
                        convertedToBooking=status == "booked", bookingValue=value,
                        priority=rnd.choice(["low", "medium", "medium", "high"]),
                        source=rnd.choice(["form", "form", "email", "phone", "website"]),
                        assignedToAdminId=rnd.choice([STAFF_ID, "staff-grace", None]))
            s.add(e)
            ids["enquiries"].append(e.id)
            enquiry_count[e.propertyId] += 1
            if value:
                n, total = bookings[e.propertyId]
                bookings[e.propertyId] = (n + 1, total + value)
        s.flush()
        for pid in ids["properties"]:
            p = s.get(Property, pid)
            p.enquiryCount = enquiry_count[pid]
            p.bookingCount, p.totalRevenue = bookings[pid]
        prices = {("gold", "annual"): "499.00", ("silver", "annual"): "299.00", ("bronze", "annual"): "149.00",
                  ("gold", "monthly"): "49.99", ("silver", "monthly"): "29.99", ("bronze", "monthly"): "14.99"}
        for i in range(12):
            cycle = "monthly" if i % 3 == 0 else "annual"
            start = now - timedelta(days=360 - 25 * i)
            end = start + timedelta(days=365)
            status = "expiring_soon" if (end - now).days <= 30 else "active"
            if i == 11:
                status = "suspended"
            m = Membership(id=f"mem-{i}", contactId=ids["owners"][i], propertyId=ids["properties"][i],
                           planTier=tiers[i], billingCycle=cycle, planPrice=Decimal(prices[(tiers[i], cycle)]),
                           startDate=iso(start), endDate=iso(end), renewalDate=iso(end), status=status,
                           stripeCustomerId=f"cus_demo{i:03d}", stripeSubscriptionId=f"sub_demo{i:03d}",
                           lastPaymentDate=iso(now - timedelta(days=12 + i)),
                           lastPaymentAmount=Decimal(prices[(tiers[i], cycle)]),
                           nextPaymentDate=iso(now + timedelta(days=18 - i)), autoRenew=i != 4,
                           paymentFailureCount=2 if i == 11 else 0, createdAt=iso(start), updatedAt=ago(2))
            s.add(m)
            ids["memberships"].append(m.id)
        for i, eid in enumerate(ids["enquiries"]):
            e = s.get(Enquiry, eid)
            s.add(Interaction(contactId=e.contactId, relatedEnquiryId=eid, relatedPropertyId=e.propertyId,
                              type="message", subject="Enquiry from the website", content=e.message,
                              direction="inbound", initiatedBy="contact", createdAt=e.createdAt))
            if i % 3 == 0:
                s.add(Interaction(contactId=e.contactId, relatedEnquiryId=eid, type="phone",
                                  subject="Called back about dates", content="Discussed availability and deposit.",
                                  direction="outbound", initiatedBy="admin", performedBy=STAFF_ID,
                                  createdAt=ago(1 + i % 7)))
    # A little history written through the services, so timelines carry real audit entries.
    from crm_desktop.services import enquiries, interactions

    staff = Actor(STAFF_ID, "admin", "Ada Lovelace")
    moved: dict[str, int] = {}
    for eid in ids["enquiries"]:
        with db.write_session() as s:
            e = s.get(Enquiry, eid)
            if e.status == "new" and e.ownerId in ("owner-0", "owner-1") and moved.get(e.ownerId, 0) < 2:
                moved[e.ownerId] = moved.get(e.ownerId, 0) + 1
                enquiries.change_status(s, staff, eid, "contacted", reason="Replied with availability")
    for i, owner in enumerate(ids["owners"]):
        with db.write_session() as s:
            interactions.log_interaction(s, staff, owner, "email", "Sent the renewal options for next year.",
                                         subject="Membership renewal", direction="outbound")
            if i % 2 == 0:
                interactions.log_interaction(s, staff, owner, "note", "Prefers calls after 4pm; keen to upgrade.",
                                             subject="Call preferences", direction="internal")
    return ids


@pytest.fixture
def demo(ui_db: Database, ctx) -> dict[str, list[str]]:  # noqa: ANN001
    return seed_demo(ui_db)


def screenshot(widget, name: str, size: tuple[int, int] = (1200, 800)) -> Path:  # noqa: ANN001
    """Save the widget as it is painted to docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.resize(*size)
    widget.show()
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path
