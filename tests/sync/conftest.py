"""Fixtures for the platform sync: a platform database (its own SQLite file, built from the shipped
platform schema) with a small builder for awkward rows, and an AppContext pointing at both databases."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, create_engine, func, insert, select, text, update

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.sync.platform_tables import PLATFORM_TABLE_NAMES, create_platform_schema
from crm_desktop.sync.progress import SyncSummary
from crm_desktop.sync.runner import run_sync

T0 = datetime(2026, 2, 2, 10, 15, tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def naive(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


class PlatformBuilder:
    """Writes platform rows as the web app would (it enforces no foreign keys, like its SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.meta = MetaData()
        self.meta.reflect(engine)
        self.clock = T0
        self._ids = itertools.count(1)
        with engine.begin() as conn:
            conn.execute(insert(self.meta.tables["membership_packs"]), [
                {"id": k, "name": k.title(), "annual_price": a, "monthly_price": a / 10, "features": "[]",
                 "created_at": iso(T0), "updated_at": iso(T0)}
                for k, a in (("bronze", 450), ("silver", 650), ("gold", 850))])

    def tick(self, minutes: float = 1) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def _insert(self, table: str, row: dict[str, Any]) -> Any:
        with self.engine.begin() as conn:
            result = conn.execute(insert(self.meta.tables[table]).values(**row))
            return row.get("id", result.inserted_primary_key[0] if result.inserted_primary_key else None)

    def touch(self, table: str, row_id: Any, *, at: datetime | None = None, **changes: Any) -> None:
        """Edit a row the way the platform does: new values and a new updated_at."""
        when = at or self.tick()
        stamp = int(when.timestamp()) if table == "user" else iso(when)
        t = self.meta.tables[table]
        with self.engine.begin() as conn:
            conn.execute(update(t).where(t.c.id == row_id).values(updated_at=stamp, **changes))

    def user(self, name: str = "Olive Owner", email: str | None = None, role: str = "owner",
             at: datetime | None = None, **extra: Any) -> str:
        when = at or self.tick()
        uid = extra.pop("id", f"u{next(self._ids)}")
        return self._insert("user", {
            "id": uid, "name": name, "email": email or f"{uid}@example.co.uk", "created_at": int(when.timestamp()),
            "updated_at": int(when.timestamp()), "role": role, **extra})

    def prop(self, title: str = "The Old Rectory", owner_id: str | None = None, at: datetime | str | None = None,
             **extra: Any) -> int:
        when = at or self.tick()
        stamp = when if isinstance(when, str) else iso(when)
        n = next(self._ids)
        return self._insert("properties", {
            "owner_id": owner_id, "title": title, "slug": f"slug-{n}", "location": "Bath, Somerset",
            "region": "South West", "sleeps_min": 4, "sleeps_max": 20, "bedrooms": 8, "bathrooms": 5,
            "price_from_midweek": 1250.5, "price_from_weekend": 1800, "description": "Big house",
            "hero_image": "/h.jpg", "status": "live", "created_at": stamp, "updated_at": stamp, **extra})

    def enquiry(self, email: str = "guest@example.com", property_id: int | None = None,
                at: datetime | str | None = None, **extra: Any) -> int:
        when = at or self.tick()
        stamp = when if isinstance(when, str) else iso(when)
        return self._insert("enquiries", {
            "first_name": "Gina", "last_name": "Guest", "email": email, "subject": "Hen party",
            "message": "Is it free in June?", "property_id": property_id, "check_in_date": "2026-06-12",
            "number_of_guests": 14, "occasion": "hen party", "budget": 3000, "created_at": stamp,
            "updated_at": stamp, **extra})

    def booking(self, property_name: str, email: str = "guest@example.com", status: str = "confirmed",
                total: float | None = 2400.0, at: datetime | None = None, **extra: Any) -> int:
        when = at or self.tick()
        return self._insert("bookings", {
            "property_name": property_name, "guest_name": "Gina Guest", "guest_email": email,
            "guest_phone": "07700 900123", "check_in_date": "2026-06-12", "check_out_date": "2026-06-14",
            "number_of_guests": 14, "booking_status": status, "total_price": total, "created_at": iso(when),
            "updated_at": iso(when), **extra})

    def subscription(self, property_id: int, tier: str = "gold", status: str = "active",
                     stripe_id: str | None = None, at: datetime | None = None, **extra: Any) -> int:
        when = at or self.tick()
        return self._insert("property_subscriptions", {
            "property_id": property_id, "membership_pack_id": tier, "payment_frequency": "annual",
            "base_price": 850, "vat_amount": 170, "total_price": 1020, "start_date": "2026-01-01T00:00:00.000Z",
            "end_date": "2027-01-01T00:00:00.000Z", "status": status, "stripe_subscription_id": stripe_id,
            "auto_renew": 1, "created_at": iso(when), "updated_at": iso(when), **extra})

    def payment(self, subscription_id: int, user_id: str, amount: float = 1020.0, status: str = "succeeded",
                at: datetime | None = None, **extra: Any) -> int:
        when = at or self.tick()
        return self._insert("payments", {
            "user_id": user_id, "property_subscription_id": subscription_id, "amount": amount,
            "payment_status": status, "billing_reason": "property_membership", "processed_at": iso(when),
            "created_at": iso(when), "updated_at": iso(when), **extra})

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(self.meta.tables[table])).scalar_one()


@pytest.fixture
def platform_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    db = Database(url)
    create_platform_schema(db.engine)
    db.dispose()
    return url


@pytest.fixture
def platform(platform_url: str) -> Iterator[PlatformBuilder]:
    engine = create_engine(platform_url)  # plain SQLite: foreign keys not enforced, like the platform's
    yield PlatformBuilder(engine)
    engine.dispose()


@pytest.fixture
def ctx(db: Database, platform_url: str) -> Iterator[AppContext]:
    context = AppContext(Settings(database_url=db.url, platform_database_url=platform_url))
    yield context
    context.close()


@pytest.fixture
def platform_in_crm_db(db: Database) -> Iterator[Database]:
    """The platform tables in the CRM database itself (the default URL); dropped afterwards so the
    shared PostgreSQL test database keeps only the CRM schema for the other tests."""
    yield db
    cascade = " CASCADE" if db.dialect == "postgresql" else ""
    with db.engine.begin() as conn:
        for name in reversed(PLATFORM_TABLE_NAMES):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))


@pytest.fixture
def sync(ctx: AppContext):
    def run() -> SyncSummary:
        return run_sync(ctx)

    return run
