"""The platform tables the sync reads (a read-only view: only the columns the CRM uses), and the
platform schema shipped as package data so the demo and the tests can build a platform database."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import Column, Engine, MetaData, Table, inspect, text

import crm_desktop.resources
from crm_desktop.db.engine import DatabaseUnavailable, redact_url

# Untyped columns: values arrive exactly as the platform stored them (epoch ints, ISO or naive text,
# REAL money), and the mapping code normalises them itself.
_meta = MetaData()


def _table(name: str, *columns: str) -> Table:
    return Table(name, _meta, *(Column(c) for c in columns))


USER = _table("user", "id", "name", "email", "created_at", "updated_at", "role", "phone", "company_name")
PROPERTIES = _table(
    "properties", "id", "owner_id", "title", "location", "city", "sleeps_max", "bedrooms", "bathrooms",
    "price_from_midweek", "membership_pack_id", "status", "created_at", "updated_at", "published_at",
    "expired_at", "rejection_reason", "view_count", "next_payment_date", "stripe_customer_id",
)
ENQUIRIES = _table(
    "enquiries", "id", "first_name", "last_name", "email", "phone", "subject", "message", "source",
    "priority", "assigned_to", "property_id", "check_in_date", "number_of_guests", "occasion", "budget",
    "created_at", "updated_at",
)
BOOKINGS = _table(
    "bookings", "id", "property_name", "property_location", "guest_name", "guest_email", "guest_phone",
    "check_in_date", "booking_status", "total_price", "created_at", "updated_at",
)
SUBSCRIPTIONS = _table(
    "property_subscriptions", "id", "property_id", "membership_pack_id", "payment_frequency", "base_price",
    "start_date", "end_date", "status", "stripe_subscription_id", "auto_renew", "cancelled_at",
    "created_at", "updated_at",
)
PAYMENTS = _table(
    "payments", "id", "user_id", "property_id", "property_subscription_id", "amount", "payment_status",
    "stripe_subscription_id", "stripe_customer_id", "billing_reason", "processed_at", "created_at",
    "updated_at",
)

# The order of a pass: owners before their properties, properties before enquiries and bookings,
# subscriptions before the payments that update them.
SYNC_ORDER: tuple[Table, ...] = (USER, PROPERTIES, ENQUIRIES, BOOKINGS, SUBSCRIPTIONS, PAYMENTS)
PLATFORM_TABLE_NAMES = ("user", "membership_packs", "properties", "property_subscriptions", "payments",
                        "enquiries", "bookings")


def check_platform_tables(engine: Engine, url: str) -> None:
    """Fail with one clear sentence when the platform tables are not where the URL points."""
    missing = [t.name for t in SYNC_ORDER if not inspect(engine).has_table(t.name)]
    if missing:
        raise DatabaseUnavailable(
            f"The platform database {redact_url(url)} has no {', '.join(repr(m) for m in missing)} "
            f"table{'s' if len(missing) > 1 else ''}. Point CRM_PLATFORM_DATABASE_URL at the platform's "
            "database (or run `python main.py demo` to build a demo platform)."
        )


_PG_HEADER = '-- PostgreSQL version of platform_schema.sql (SERIAL ids, DOUBLE PRECISION for REAL, "user" quoted).\n'


def schema_sql(dialect: str) -> str:
    """The platform's own schema; for PostgreSQL only the two types it spells differently are changed."""
    # Imported by name (not a string) so PyInstaller bundles the package with its .sql files.
    sql = resources.files(crm_desktop.resources).joinpath("platform_schema.sql").read_text(encoding="utf-8")
    if dialect != "postgresql":
        return sql
    return _PG_HEADER + sql.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "SERIAL PRIMARY KEY").replace(
        " REAL", " DOUBLE PRECISION")


def _statements(sql: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def create_platform_schema(engine: Engine) -> bool:
    """Create the platform tables (the shipped schema) unless they exist; True when created."""
    existing = set(inspect(engine).get_table_names())
    if set(PLATFORM_TABLE_NAMES) <= existing:
        return False
    with engine.begin() as conn:
        for stmt in _statements(schema_sql(engine.dialect.name)):
            conn.execute(text(stmt.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1)))
    return True
