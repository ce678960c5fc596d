"""The platform schema shipped with the app is the platform's own (../shared/platform/schema.sql), and
the PostgreSQL version differs only in the types PostgreSQL spells differently."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_desktop.sync.platform_tables import schema_sql

SHARED = Path(__file__).resolve().parents[3] / "shared" / "platform" / "schema.sql"


@pytest.mark.skipif(not SHARED.exists(), reason="the shared platform folder is not next to the checkout")
def test_shipped_schema_is_the_platform_schema():
    assert schema_sql("sqlite") == SHARED.read_text(encoding="utf-8")


def test_postgresql_schema_only_respells_types():
    sqlite, pg = schema_sql("sqlite"), schema_sql("postgresql")
    body = pg.split("\n", 1)[1]  # its first line says what it is
    assert body == sqlite.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "SERIAL PRIMARY KEY").replace(
        " REAL", " DOUBLE PRECISION")
    assert 'CREATE TABLE "user"' in pg
