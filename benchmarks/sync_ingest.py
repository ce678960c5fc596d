"""Platform enquiries per second through the real sync, next to raw sqlite3.executemany of the same rows.

    .venv/bin/python -m benchmarks.sync_ingest [--n 100000] [--keep DIR]

A platform SQLite database gets N enquiries (a guest in two is new, the others enquire again) about
N/100 properties of N/300 owners. `run_sync` brings them into a freshly migrated CRM database: owner
and guest contacts, properties, enquiries, inbound message interactions, the audit trail and the
counters. Then the rows the sync wrote are copied with plain `executemany` (one per table, one
transaction) into a second freshly migrated CRM database with the same indexes: the floor any
ingest of the same rows has to pay. Both rates are platform enquiries per second.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
from crm_desktop.sync.platform_tables import create_platform_schema

CRM_TABLES = ("crm_contacts", "crm_properties", "crm_enquiries", "crm_interactions", "crm_activity_log",
              "crm_sync_cursors")
T = "2026-01-{day:02d}T{hour:02d}:{minute:02d}:00.000Z"


def build_platform(path: Path, n: int) -> None:
    engine = create_engine(f"sqlite:///{path}")
    create_platform_schema(engine)
    engine.dispose()
    owners, props = max(1, n // 300), max(1, n // 100)
    conn = sqlite3.connect(path)
    conn.executemany(
        'INSERT INTO "user" (id, name, email, created_at, updated_at, role) VALUES (?, ?, ?, ?, ?, ?)',
        [(f"o{i}", f"Owner Number {i}", f"Owner{i}@Example.com", 1767225600 + i, 1767225600 + i, "owner")
         for i in range(owners)])
    conn.executemany(
        "INSERT INTO properties (id, owner_id, title, slug, location, region, sleeps_min, sleeps_max, bedrooms,"
        " bathrooms, price_from_midweek, price_from_weekend, description, hero_image, status, created_at,"
        " updated_at, membership_pack_id) VALUES (?, ?, ?, ?, 'Bath', 'South West', 4, 20, 8, 4, 900.5, 1200,"
        " 'd', 'h', 'live', ?, ?, 'gold')",
        [(p + 1, f"o{p % owners}", f"House {p + 1}", f"house-{p + 1}", T.format(day=1, hour=0, minute=p % 60),
          T.format(day=1, hour=0, minute=p % 60)) for p in range(props)])
    rows = []
    for k in range(n):
        guest = k if k % 2 == 0 else k - 1  # every other enquiry is from a guest seen before
        stamp = T.format(day=2 + (k // 1440) % 27, hour=(k // 60) % 24, minute=k % 60)
        rows.append((k + 1, "Gina", f"Guest{guest}", f" guest{guest}@example.com", "Party", "Free in June?",
                     (k * 7727) % props + 1, "2026-06-12", 14, "birthday", 2500.0, stamp, stamp))
    conn.executemany(
        "INSERT INTO enquiries (id, first_name, last_name, email, subject, message, property_id, check_in_date,"
        " number_of_guests, occasion, budget, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows)
    conn.commit()
    conn.close()


def fresh_crm(path: Path) -> None:
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()


def raw_copy(source: Path, target: Path) -> tuple[float, int]:
    """Seconds to write every row the sync wrote into the same indexed tables with executemany, in one
    transaction (reading each table from the synced database is not timed)."""
    src = sqlite3.connect(source)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    seconds, written = 0.0, 0
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    seconds += time.perf_counter() - t0
    for table in CRM_TABLES:
        cur = src.execute(f"SELECT * FROM {table}")
        cols, rows = [d[0] for d in cur.description], cur.fetchall()
        quoted = ", ".join(f'"{c}"' for c in cols)
        t0 = time.perf_counter()
        conn.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(cols))})", rows)
        seconds += time.perf_counter() - t0
        written += len(rows)
        del rows
    t0 = time.perf_counter()
    conn.execute("COMMIT")
    seconds += time.perf_counter() - t0
    conn.close()
    src.close()
    return seconds, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="platform enquiries (default 100,000)")
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        platform, crm, raw = folder / "platform.sqlite3", folder / "crm.sqlite3", folder / "raw.sqlite3"
        for p in (platform, crm, raw):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{p}{suffix}").unlink(missing_ok=True)
        build_platform(platform, args.n)
        fresh_crm(crm)
        fresh_crm(raw)
        from crm_desktop.sync.runner import run_sync

        ctx = AppContext(Settings(database_url=f"sqlite:///{crm}", platform_database_url=f"sqlite:///{platform}"))
        t0 = time.perf_counter()
        summary = run_sync(ctx)
        seconds = time.perf_counter() - t0
        ctx.close()
        created = summary.table("platform enquiries").created
        raw_seconds, rows = raw_copy(crm, raw)
        rate, raw_rate = args.n / seconds, args.n / raw_seconds
        print(f"platform enquiries: {args.n:,} (created {created:,}); CRM rows written: {rows:,}")
        print(f"sync (run_sync):       {rate:>10,.0f} enquiries/s  ({seconds:.1f} s)")
        print(f"raw sqlite3 executemany: {raw_rate:>8,.0f} enquiries/s  ({raw_seconds:.1f} s)")
        print(f"ratio sync/raw: {rate / raw_rate:.2f}")
    return 0 if created == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())
