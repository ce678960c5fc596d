"""Generate the benchmark data set fast: raw `executemany` (SQLite) or `COPY` (PostgreSQL), no ORM.

    python -m benchmarks.generate            # 1/100 of the full size (10,000 contacts ...)
    python -m benchmarks.generate --full     # 1,000,000 contacts, 100,000 properties,
                                             # 2,000,000 enquiries, 4,000,000 interactions
    python -m benchmarks.generate --full --postgres postgresql://postgres@127.0.0.1:5432/crm_bench_full
                                             # an empty database; `benchmarks.run --postgres` then reuses it

The CRM schema comes from the real migrations (crm_desktop.db.migrate.upgrade), so every index,
trigger and search index the app has is maintained during the load, as it would be in use. The
SQLite files go to benchmarks/data/ (gitignored) and are reused while the schema and the generator
are unchanged (a fingerprint is kept next to them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks import dataset, platform_dataset
from benchmarks.dataset import DataSet, Sizes
from crm_desktop.db import counters
from crm_desktop.db.engine import Database, normalise_url
from crm_desktop.db.migrate import MIGRATIONS_DIR, upgrade
from crm_desktop.sync.platform_tables import create_platform_schema

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SCALE = 0.01
CHUNK = 20_000
Log = Callable[[str], None]


@dataclass(frozen=True)
class DataPaths:
    crm: Path
    platform: Path
    sizes: Sizes


def tag(scale: float) -> str:
    return "full" if scale >= 1 else f"s{scale:g}"


def fingerprint(scale: float) -> str:
    """Changes whenever the schema or the generator changes, so stale data is rebuilt."""
    h = hashlib.sha256(f"{scale}".encode())
    for path in sorted(MIGRATIONS_DIR.rglob("*.py")) + [Path(dataset.__file__), Path(platform_dataset.__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def crm_tables(ds: DataSet) -> list[tuple[str, tuple[str, ...], Iterable[tuple], int]]:
    n = ds.n
    return [
        ("crm_contacts", DataSet.CONTACT_COLS, ds.contacts(), n.contacts),
        ("crm_properties", DataSet.PROPERTY_COLS, ds.properties(), n.properties),
        ("crm_memberships", DataSet.MEMBERSHIP_COLS, ds.memberships(), n.properties),
        ("crm_enquiries", DataSet.ENQUIRY_COLS, ds.enquiries(), n.enquiries),
        ("crm_interactions", DataSet.INTERACTION_COLS, ds.interactions(), n.interactions),
    ]


def platform_tables(ds: DataSet) -> list[tuple[str, tuple[str, ...], Iterable[tuple], int]]:
    p = platform_dataset
    n = ds.n
    return [
        ("user", p.USER_COLS, p.users(ds), n.contacts + 3),
        ("membership_packs", p.PACK_COLS, p.packs(), 3),
        ("properties", p.PROPERTY_COLS, p.properties(ds), n.properties),
        ("property_subscriptions", p.SUBSCRIPTION_COLS, p.subscriptions(ds), n.properties),
        ("enquiries", p.ENQUIRY_COLS, p.enquiries(ds), n.enquiries),
        ("bookings", p.BOOKING_COLS, p.bookings(ds), n.enquiries // 22),
    ]


def _chunks(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def _counter_triggers_off(dialect: str) -> list[str]:
    """The dashboard's counter triggers are bypassed during the bulk load and the counters rebuilt
    after it (one GROUP BY per counter): per-row trigger upserts of the same few rows are slow in
    one huge transaction, and on PostgreSQL quadratic (every update walks the row's version chain)."""
    if dialect == "sqlite":
        return counters.drop_statements("sqlite")
    return [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in counters.TABLES]


def _counter_triggers_on(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return counters.create_statements("sqlite") + counters.rebuild_statements()
    return [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in counters.TABLES] + counters.rebuild_statements()


def load_sqlite(path: Path, tables, log: Log, *, crm: bool = False) -> None:
    """executemany in 20,000-row chunks, one transaction per table, journal off (a scratch file)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")  # 1 GB: the random-key index pages stay in memory
    conn.execute("PRAGMA temp_store = MEMORY")
    for statement in _counter_triggers_off("sqlite") if crm else []:
        conn.execute(statement)
    for name, cols, rows, expected in tables:
        t0 = time.perf_counter()
        sql = f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) ' \
              f'VALUES ({", ".join("?" * len(cols))})'
        conn.execute("BEGIN")
        for chunk in _chunks(rows):
            conn.executemany(sql, chunk)
        conn.execute("COMMIT")
        log(f"  {name}: {expected:,} rows in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    if crm:
        conn.execute("BEGIN")
        for statement in _counter_triggers_on("sqlite"):
            conn.execute(statement)
        conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    log(f"  counters, ANALYZE: {time.perf_counter() - t0:.1f} s")


def load_postgres(url: str, tables, log: Log) -> None:
    """COPY ... FROM STDIN, one table at a time, then ANALYZE."""
    import psycopg

    dsn = normalise_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        for statement in _counter_triggers_off("postgresql"):
            cur.execute(statement)
        for name, cols, rows, expected in tables:
            t0 = time.perf_counter()
            columns = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
            log(f"  {name}: {expected:,} rows in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        for statement in _counter_triggers_on("postgresql"):
            cur.execute(statement)
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")
        log(f"  counters, ANALYZE: {time.perf_counter() - t0:.1f} s")


def generate_sqlite(scale: float, data_dir: Path = DATA_DIR, *, force: bool = False,
                    log: Log = print) -> DataPaths:
    """Build (or reuse) the CRM and platform SQLite files for `scale`."""
    sizes = Sizes.at(scale)
    data_dir.mkdir(parents=True, exist_ok=True)
    crm, platform = data_dir / f"crm-{tag(scale)}.sqlite3", data_dir / f"platform-{tag(scale)}.sqlite3"
    marker = data_dir / f"{tag(scale)}.json"
    fp = fingerprint(scale)
    if not force and crm.exists() and platform.exists() and marker.exists():
        meta = json.loads(marker.read_text())
        if meta.get("fingerprint") == fp:
            return DataPaths(crm, platform, sizes)
        if catch_up_sqlite(crm, log):  # only indexes or triggers changed: add them, keep the rows
            marker.write_text(json.dumps({**meta, "fingerprint": fp}))
            return DataPaths(crm, platform, sizes)
    for path in (crm, platform, marker):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    log(f"Generating {sizes} into {crm} and {platform}")
    db = Database(f"sqlite:///{crm}")
    upgrade(db.engine)
    db.dispose()
    ds = DataSet(sizes)
    load_sqlite(crm, crm_tables(ds), log, crm=True)
    engine = create_engine(f"sqlite:///{platform}")
    create_platform_schema(engine)
    engine.dispose()
    load_sqlite(platform, platform_tables(ds), log)
    seconds = time.perf_counter() - t0
    marker.write_text(json.dumps({"fingerprint": fp, "sizes": sizes.__dict__, "seconds": round(seconds, 1)}))
    log(f"Generated in {seconds:.0f} s")
    return DataPaths(crm, platform, sizes)


def _schema(conn: sqlite3.Connection) -> tuple[dict[str, list], dict[str, str]]:
    """({table: columns}, {index or trigger name: its SQL}) of a SQLite database."""
    tables = {name: [tuple(c[1:]) for c in conn.execute(f'PRAGMA table_info("{name}")')]
              for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%'")}
    objects = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                                "AND sql IS NOT NULL").fetchall())
    return tables, objects


def catch_up_sqlite(crm: Path, log: Log) -> bool:
    """Bring a generated database up to the current migrations when only indexes or triggers differ
    (others add indexes often; regenerating a million contacts for that would take half an hour).
    False when tables or columns differ: the data must be generated again."""
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.sqlite3"
        db = Database(f"sqlite:///{template}")
        upgrade(db.engine)
        db.dispose()
        want_tables, want = _schema(sqlite3.connect(template))
    conn = sqlite3.connect(crm, isolation_level=None)
    try:
        have_tables, have = _schema(conn)
        if want_tables != have_tables:
            return False
        changed = [name for name, sql in want.items() if have.get(name) != sql]
        dropped = [name for name in have if name not in want]
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        for name in changed + dropped:
            if name in have:
                kind = "TRIGGER" if have[name].upper().startswith("CREATE TRIGGER") else "INDEX"
                conn.execute(f'DROP {kind} "{name}"')
        for name in changed:
            conn.execute(want[name])
        conn.execute("COMMIT")
        if changed:
            conn.execute("ANALYZE")
        log(f"Brought {crm.name} up to the current schema ({', '.join(changed + dropped) or 'nothing'}) "
            f"in {time.perf_counter() - t0:.0f} s")
        return True
    finally:
        conn.close()


def generate_postgres(url: str, scale: float, log: Log = print) -> Sizes:
    """Migrate the database at `url` (which must be empty of CRM rows) and COPY the data set in."""
    sizes = Sizes.at(scale)
    db = Database(url)
    upgrade(db.engine)
    create_platform_schema(db.engine)
    with db.engine.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM crm_contacts")).scalar():
            raise SystemExit(f"{url}: crm_contacts is not empty; use an empty database")
    db.dispose()
    ds = DataSet(sizes)
    log(f"Generating {sizes} into PostgreSQL")
    load_postgres(url, crm_tables(ds) + platform_tables(ds), log)
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE benchmark_meta (fingerprint TEXT NOT NULL)"))
        conn.execute(text("INSERT INTO benchmark_meta VALUES (:fp)"), {"fp": fingerprint(scale)})
    db.dispose()
    return sizes


def postgres_ready(url: str, scale: float) -> str | None:
    """'current' when `url` holds this scale's data set loaded with today's schema and generator,
    'stale' when it holds one loaded before a later schema change, None when it holds none."""
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            if not conn.execute(text("SELECT to_regclass('benchmark_meta')")).scalar():
                return None
            if conn.execute(text("SELECT count(*) FROM crm_contacts")).scalar() != Sizes.at(scale).contacts:
                return None
            same = conn.execute(text("SELECT fingerprint FROM benchmark_meta")).scalar() == fingerprint(scale)
            return "current" if same else "stale"
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the full size (1,000,000 contacts ...)")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE, help="fraction of the full size")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--postgres", metavar="URL", help="also load an empty PostgreSQL database")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    scale = 1.0 if args.full else args.scale
    generate_sqlite(scale, args.data_dir, force=args.force)
    if args.postgres:
        generate_postgres(args.postgres, scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
