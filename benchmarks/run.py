"""Run every benchmark and print one table: figure, target, the raw limit measured in the same run on
the same machine, and the ratio.

    python -m benchmarks.run                  # 1/100 size (10,000 contacts), a minute or two
    python -m benchmarks.run --full           # 1,000,000 contacts, 2,000,000 enquiries, ...
    python -m benchmarks.run --postgres postgresql://postgres@127.0.0.1:5432/postgres
    python -m benchmarks.run --full --markdown benchmarks/RESULTS.md

The data set is generated first (or reused: see benchmarks/generate.py). `--only` picks benchmarks.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import generate
from benchmarks.figures import Figure, machine, table
from crm_desktop.db.engine import Database

BENCHMARKS = ("sync", "search", "table", "reports", "startup")


def _guard(name: str, fn: Callable[[], list[Figure]], log: Callable[[str], None]) -> list[Figure]:
    """A benchmark that breaks (e.g. a piece not built yet) becomes a row saying so, not a crash."""
    t0 = time.perf_counter()
    log(f"-- {name} ...")
    try:
        figures = fn()
    except Exception as exc:  # noqa: BLE001 - reported in the table and on stderr
        traceback.print_exc()
        figures = [Figure(name, None, "", "", None, "", f"failed: {type(exc).__name__}: {str(exc)[:120]}")]
    log(f"   {name} done in {time.perf_counter() - t0:.0f} s")
    return figures


def run_sqlite(scale: float, only: tuple[str, ...], data_dir: Path, log: Callable[[str], None]) -> list[Figure]:
    from benchmarks import bench_reports, bench_search, bench_startup, bench_sync, bench_table

    paths = generate.generate_sqlite(scale, data_dir, log=log)
    url = f"sqlite:///{paths.crm}"
    db = Database(url)
    sizes = paths.sizes
    sync_n = max(100, int(20_000 * scale))
    jobs: dict[str, Callable[[], list[Figure]]] = {
        "sync": lambda: (bench_sync.run(paths.crm, sizes, data_dir / "scratch", sync_n)
                         + bench_sync.run_fresh(data_dir / "scratch", sync_n)),
        "search": lambda: bench_search.run(db, sizes, paths.crm),
        "table": lambda: bench_table.run(db, url),
        "reports": lambda: bench_reports.run(db),
        "startup": lambda: bench_startup.run(url),
    }
    figures: list[Figure] = []
    try:
        for name in only:
            figures += _guard(name, jobs[name], log)
    finally:
        db.dispose()
    return figures


def run_postgres(url: str, scale: float, only: tuple[str, ...], log: Callable[[str], None]) -> list[Figure]:
    """The same benchmarks on PostgreSQL: a database made for the run, filled with COPY, then dropped."""
    from benchmarks import bench_reports, bench_search, pg_bench

    figures: list[Figure] = []
    with pg_bench.database(url, scale, log) as (bench_url, sizes):
        db = Database(bench_url)
        jobs: dict[str, Callable[[], list[Figure]]] = {
            "sync": lambda: pg_bench.sync(url, bench_url, sizes, max(100, int(20_000 * scale)), log, db.dispose),
            "search": lambda: bench_search.run(db, sizes, None),
            "reports": lambda: bench_reports.run(db),
        }
        try:
            for name in only:
                if name in jobs:
                    figures += [_pg(f) for f in _guard(f"{name} (PostgreSQL)", jobs[name], log)]
        finally:
            db.dispose()
    return figures


def _pg(f: Figure) -> Figure:
    from dataclasses import replace

    return f if "PostgreSQL" in f.name else replace(f, name=f"[PostgreSQL] {f.name}")


START, END = "<!-- results:start -->", "<!-- results:end -->"


def write_markdown(path: Path, out: str) -> None:
    """Put the output between the START/END markers of `path` (keeping the prose around them)."""
    block = f"{START}\n```\n{out}\n```\n{END}"
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = (text + "\n\n" if text else "") + block + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark and print the figures.")
    parser.add_argument("--full", action="store_true", help="the full size: 1,000,000 contacts ...")
    parser.add_argument("--scale", type=float, default=generate.DEFAULT_SCALE, help="fraction of the full size")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (a scratch database is made)")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"comma-separated: {','.join(BENCHMARKS)}")
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR)
    parser.add_argument("--markdown", type=Path, help="also write the table and the machine to this file")
    args = parser.parse_args(argv)
    scale = 1.0 if args.full else args.scale
    only = tuple(x.strip() for x in args.only.split(",") if x.strip())
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    figures = run_sqlite(scale, only, args.data_dir, log)
    if args.postgres:
        figures += run_postgres(args.postgres, scale, only, log)
    sizes = generate.Sizes.at(scale)
    header = (f"Scale {scale:g}: {sizes.contacts:,} contacts, {sizes.properties:,} properties, "
              f"{sizes.enquiries:,} enquiries, {sizes.interactions:,} interactions\n"
              f"Machine: {machine()}\nTotal run time: {time.perf_counter() - t0:.0f} s\n")
    out = header + "\n" + table(figures)
    print(out)
    if args.markdown:
        write_markdown(args.markdown, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
