"""The migrations are the schema: they create the plan's tables and columns and match the models."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crm_desktop.db.base import Base
from crm_desktop.db.migrate import head_revision, upgrade
from crm_desktop.db.models import ALL_CRM_TABLES
from crm_desktop.search.contacts_index import include_object

PLAN = Path(__file__).resolve().parents[2] / "shared" / "seed" / "custom-crm-plan.md"


def plan_columns() -> dict[str, set[str]]:
    """Parse the plan's Phase 2 CREATE TABLE statements into {table: {columns}}."""
    text = PLAN.read_text()
    phase2 = text[text.index("## Phase 2"):text.index("## Phase 3")]
    tables: dict[str, set[str]] = {}
    for match in re.finditer(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", phase2, re.S):
        cols = set()
        for line in match.group(2).splitlines():
            m = re.match(r"\s+(\w+) [A-Z]", line)
            if m:
                cols.add(m.group(1))
        tables[match.group(1)] = cols
    return tables


def test_init_creates_every_plan_column(db):
    upgrade(db.engine)  # running it again on a migrated database is harmless
    insp = inspect(db.engine)
    expected = plan_columns() if PLAN.exists() else {}
    for table in ALL_CRM_TABLES:
        assert insp.has_table(table), table
        cols = {c["name"] for c in insp.get_columns(table)}
        missing = expected.get(table, set()) - cols
        assert not missing, f"{table} lacks {missing}"
    if expected:
        assert set(expected) == set(ALL_CRM_TABLES)


def test_migrations_match_models(db):
    with db.engine.connect() as conn:
        # Only the CRM's own tables: sync tests may put the platform's tables in the same database.
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": False,
            "include_object": include_object,
            "include_name": lambda name, kind, _parent: kind != "table" or name.startswith(("crm_", "alembic")),
        })
        diffs = compare_metadata(ctx, Base.metadata)
    assert diffs == [], diffs


def test_init_twice_is_harmless(db):
    before, after = upgrade(db.engine)
    assert before == after == head_revision()
