"""Sync ingest: new platform enquiries through the real sync (`run_sync`) into the full CRM database,
next to the raw rate of the same writes.

Set-up: a scratch copy of the generated CRM database (so runs are repeatable) and a platform
database holding N new enquiries about existing properties, half from guests the CRM already knows
(found by email) and half from new guests (a contact is made). The sync turns them into contacts,
enquiries, inbound message interactions, audit rows and property counters.

Raw limit: exactly the rows the sync inserted (read back, given fresh keys) written again into the
same indexed tables with one `executemany` per table in one transaction (PostgreSQL: `COPY`), plus
the same property counter updates. Both rates are platform enquiries per second.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from benchmarks import platform_dataset as pd
from benchmarks.dataset import DataSet, Sizes
from benchmarks.figures import Figure
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.sync.platform_tables import create_platform_schema

WRITTEN = ("crm_contacts", "crm_enquiries", "crm_interactions", "crm_activity_log")
# Columns whose values must stay unique when the raw pass writes its copies.
UNIQUE = {"email", "userId", "platformEnquiryId", "externalKey"}


def new_enquiries(sizes: Sizes, n: int) -> list[tuple]:
    """N platform enquiries dated today, about existing properties; every other guest is new."""
    ds = DataSet(sizes)
    base = sizes.enquiries
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 3600))
    rows = []
    for k in range(n):
        if k % 2:
            first, last, email, phone = ds.person(ds.enquiry_guest(k * 7))
        else:
            first, last, email, phone = "New", f"Guest{k}", f"new.guest{k}@bench.example", f"07000{k:06d}"
        p = (k * 7727) % sizes.properties
        rows.append((base + k + 1, first, last, email, phone, "Group stay", "Is it free in June?", "property",
                     p + 1, "2026-06-12", 14, "birthday", 2500.0, "new", now, now))
    return rows


def make_platform(path: Path, sizes: Sizes, n: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    create_platform_schema(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    cols = pd.ENQUIRY_COLS
    conn.executemany(f"INSERT INTO enquiries ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     new_enquiries(sizes, n))
    conn.commit()
    conn.close()


def _max_rowids(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0] for t in WRITTEN}


def rekey(grabbed: dict[str, tuple[list[str], list]]) -> dict[str, tuple[list[str], list]]:
    """Copies of the rows with fresh ids (foreign keys follow them) and unique values made unique."""
    fresh: dict[str, str] = {}
    for cols, rows in grabbed.values():
        at = cols.index("id")
        for r in rows:
            fresh[r[at]] = str(uuid.uuid4())
    out: dict[str, tuple[list[str], list]] = {}
    for table, (cols, rows) in grabbed.items():
        new_rows = []
        for r in rows:
            values: list[Any] = []
            for c, v in zip(cols, r, strict=True):
                if isinstance(v, str) and v in fresh:
                    v = fresh[v]
                elif c in UNIQUE and v is not None:
                    v = f"raw-{v}"
                values.append(v)
            new_rows.append(tuple(values))
        out[table] = (cols, new_rows)
    return out


def _rewritten(conn: sqlite3.Connection, before: dict[str, int]) -> tuple[dict[str, tuple[list[str], list]], list]:
    """The rows the sync inserted (rowid above the mark) re-keyed, and the property counter updates."""
    grabbed = {}
    for table in WRITTEN:
        cur = conn.execute(f"SELECT * FROM {table} WHERE rowid > ?", (before[table],))
        grabbed[table] = ([d[0] for d in cur.description], cur.fetchall())
    counters = [(p,) for (p,) in conn.execute(
        "SELECT propertyId FROM crm_enquiries WHERE rowid > ? AND propertyId IS NOT NULL",
        (before["crm_enquiries"],))]
    return rekey(grabbed), counters


def raw_sqlite(path: Path, rows: dict[str, tuple[list[str], list]], counters: list) -> float:
    """Seconds to write `rows` and the counters with plain executemany, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table, (cols, data) in rows.items():
        quoted = ", ".join(f'"{c}"' for c in cols)
        conn.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(cols))})", data)
    conn.executemany('UPDATE crm_properties SET "enquiryCount" = "enquiryCount" + 1 WHERE id = ?', counters)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def run(crm_path: Path, sizes: Sizes, scratch: Path, n: int) -> list[Figure]:
    scratch.mkdir(parents=True, exist_ok=True)
    crm = scratch / "crm-sync.sqlite3"
    platform = scratch / "platform-sync.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{crm}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(crm_path, crm)
    make_platform(platform, sizes, n)
    conn = sqlite3.connect(crm)
    before = _max_rowids(conn)
    conn.close()
    ctx = AppContext(Settings(database_url=f"sqlite:///{crm}", platform_database_url=f"sqlite:///{platform}"))
    from crm_desktop.sync.runner import run_sync

    t0 = time.perf_counter()
    summary = run_sync(ctx)
    seconds = time.perf_counter() - t0
    ctx.close()
    counts = summary.tables.get("enquiries")
    conn = sqlite3.connect(crm)
    rows, counters = _rewritten(conn, before)
    conn.close()
    created = len(rows["crm_enquiries"][1])
    if created != n:
        return [Figure("sync ingest", None, "enquiries/s", ">= 0.5x raw", None, "",
                       f"the sync created {created} of {n} enquiries ({counts})")]
    raw_seconds = raw_sqlite(crm, rows, counters)
    rate, raw_rate = n / seconds, n / raw_seconds
    written = sum(len(r[1]) for r in rows.values())
    for suffix in ("", "-wal", "-shm"):
        Path(f"{crm}{suffix}").unlink(missing_ok=True)
    return [Figure("sync ingest, SQLite (run_sync)", rate, "enquiries/s", ">= 0.5x raw", raw_rate,
                   "executemany of the same rows", f"{n:,} enquiries, {written:,} rows, {seconds:.1f} s",
                   ok=rate >= raw_rate / 2)]


def run_fresh(scratch: Path, n: int) -> list[Figure]:
    """The platform-sync engineer's benchmark (benchmarks/sync_ingest.py): N enquiries into an empty
    CRM database, next to executemany of every row it wrote into another empty one."""
    from benchmarks import sync_ingest as si
    from crm_desktop.sync.runner import run_sync

    scratch.mkdir(parents=True, exist_ok=True)
    platform, crm, raw = scratch / "si-platform.sqlite3", scratch / "si-crm.sqlite3", scratch / "si-raw.sqlite3"
    for path in (platform, crm, raw):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    si.build_platform(platform, n)
    si.fresh_crm(crm)
    si.fresh_crm(raw)
    ctx = AppContext(Settings(database_url=f"sqlite:///{crm}", platform_database_url=f"sqlite:///{platform}"))
    t0 = time.perf_counter()
    run_sync(ctx)
    seconds = time.perf_counter() - t0
    ctx.close()
    raw_seconds, rows = si.raw_copy(crm, raw)
    rate, raw_rate = n / seconds, n / raw_seconds
    return [Figure("sync ingest, SQLite, empty CRM (sync_ingest.py)", rate, "enquiries/s", ">= 0.5x raw",
                   raw_rate, "executemany of the same rows", f"{n:,} enquiries, {rows:,} rows, {seconds:.1f} s",
                   ok=rate >= raw_rate / 2)]
