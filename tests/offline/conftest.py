"""Fixtures for the offline tests: a replica file next to each test's CRM database, and small data."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_desktop.offline.outbox import Outbox
from crm_desktop.offline.replica import Replica


@pytest.fixture
def replica(tmp_path: Path):
    r = Replica(tmp_path / "offline" / "replica.sqlite3")
    yield r
    r.close()


@pytest.fixture
def outbox(replica: Replica) -> Outbox:
    return Outbox(replica)


def files_bytes(*roots: Path) -> dict[Path, bytes]:
    """Every file under the roots (SQLite -wal/-shm files included), for canary searches."""
    found: dict[Path, bytes] = {}
    for root in roots:
        paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for p in paths:
            found[p] = p.read_bytes()
    return found
