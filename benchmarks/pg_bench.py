"""PostgreSQL side: a scratch database per run (filled with COPY), and the sync ingest next to COPY.

The server in the URL is only used to create and drop databases named crm_bench_*; nothing else on it
is touched. The sync runs into a clone of the filled database (CREATE DATABASE ... TEMPLATE), reading
the new platform enquiries from a SQLite platform file (the platform may live in its own database).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from benchmarks import bench_sync, generate
from benchmarks.dataset import Sizes
from benchmarks.figures import Figure
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import normalise_url

Log = Callable[[str], None]


def _dsn(url: str, database: str | None = None) -> str:
    dsn = normalise_url(url).replace("postgresql+psycopg://", "postgresql://")
    return dsn if database is None else dsn.rsplit("/", 1)[0] + f"/{database}"


def _admin(url: str, sql: str) -> None:
    """Run CREATE/DROP DATABASE from the server's maintenance database (never from the one cloned)."""
    with psycopg.connect(_dsn(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def database(url: str, scale: float, log: Log) -> Iterator[tuple[str, Sizes]]:
    """The database at `url` when it already holds this scale's data set (see generate --postgres),
    else a scratch database on the same server, filled with COPY and dropped afterwards."""
    ready = generate.postgres_ready(url, scale)
    if ready:
        log("PostgreSQL: reusing the data set already in the database"
            + (" (loaded before the latest schema change: new indexes may be missing)" if ready == "stale" else ""))
        yield _dsn(url), Sizes.at(scale)
        return
    name = f"crm_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _admin(url, f'CREATE DATABASE "{name}"')
    try:
        bench_url = _dsn(url, name)
        t0 = time.perf_counter()
        sizes = generate.generate_postgres(bench_url, scale, log)
        log(f"PostgreSQL data loaded with COPY in {time.perf_counter() - t0:.0f} s")
        yield bench_url, sizes
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy_rows(dsn: str, rows: dict[str, tuple[list[str], list]], counters: list) -> float:
    """Seconds to COPY `rows` in and apply the counters, in one transaction."""
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        for table, (cols, data) in rows.items():
            quoted = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY {table} ({quoted}) FROM STDIN') as copy:
                for row in data:
                    copy.write_row(row)
        cur.executemany('UPDATE crm_properties SET "enquiryCount" = "enquiryCount" + 1 WHERE id = %s', counters)
    return time.perf_counter() - t0


def _written(dsn: str, xid: int, since: str) -> tuple[dict[str, tuple[list[str], list]], list]:
    """Rows the sync inserted (written after transaction `xid`; contacts also created since `since`,
    so guests it merely updated are left out), re-keyed like bench_sync does for SQLite."""
    grabbed: dict[str, tuple[list[str], list]] = {}
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        for table in bench_sync.WRITTEN:
            extra = ' AND "createdAt" >= %s' if table == "crm_contacts" else ""
            cur.execute(f"SELECT * FROM {table} WHERE xmin::text::bigint > %s{extra}",
                        (xid, since) if extra else (xid,))
            grabbed[table] = ([d.name for d in cur.description], cur.fetchall())
        cur.execute('SELECT "propertyId" FROM crm_enquiries WHERE xmin::text::bigint > %s '
                    'AND "propertyId" IS NOT NULL', (xid,))
        counters = [(r[0],) for r in cur.fetchall()]
    return bench_sync.rekey(grabbed), counters


def sync(admin_url: str, bench_url: str, sizes: Sizes, n: int, log: Log,
         before: Callable[[], None] = lambda: None) -> list[Figure]:
    """`before` closes the caller's connections: a template database must have none."""
    before()
    clone = f"{bench_url.rsplit('/', 1)[1]}_sync"
    _admin(admin_url, f'CREATE DATABASE "{clone}" TEMPLATE "{bench_url.rsplit("/", 1)[1]}"')
    try:
        dsn = _dsn(admin_url, clone)
        platform = generate.DATA_DIR / "scratch" / "platform-pg-sync.sqlite3"
        platform.parent.mkdir(parents=True, exist_ok=True)
        bench_sync.make_platform(platform, sizes, n)
        with psycopg.connect(dsn, autocommit=True) as conn:
            xid = conn.execute("SELECT txid_current()").fetchone()[0]  # type: ignore[index]
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1))
        ctx = AppContext(Settings(database_url=dsn, platform_database_url=f"sqlite:///{platform}"))
        from crm_desktop.sync.runner import run_sync

        t0 = time.perf_counter()
        run_sync(ctx)
        seconds = time.perf_counter() - t0
        ctx.close()
        rows, counters = _written(dsn, xid, since)
        created = len(rows["crm_enquiries"][1])
        if created != n:
            return [Figure("sync ingest, PostgreSQL (run_sync)", None, "enquiries/s", ">= 0.5x raw", None, "",
                           f"the sync created {created} of {n} enquiries")]
        raw_seconds = _copy_rows(dsn, rows, counters)
        rate, raw_rate = n / seconds, n / raw_seconds
        Path(platform).unlink(missing_ok=True)
        return [Figure("sync ingest, PostgreSQL (run_sync)", rate, "enquiries/s", ">= 0.5x raw", raw_rate,
                       "COPY of the same rows", f"{n:,} enquiries, {seconds:.1f} s", ok=rate >= raw_rate / 2)]
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
