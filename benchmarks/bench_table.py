"""The contacts table model (QT_QPA_PLATFORM=offscreen) measured in its own process by table_probe.

Raw limits, measured here on the same database: the same key lists and pages read with the bare
driver (no model, no view, no Qt), and for memory the probe's own RSS before the table is built.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from array import array
from pathlib import Path

from benchmarks.figures import Figure, ms, percentile
from crm_desktop.db.engine import Database

ROOT = Path(__file__).resolve().parent.parent
NAME_ORDER = '"lastName", "firstName", id'


def _raw(db: Database) -> dict[str, float]:
    key = "rowid" if db.dialect == "sqlite" else "id"
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()

        def keys(sql: str) -> list:
            cur.execute(sql)
            out: list | array = array("q") if key == "rowid" else []
            while chunk := cur.fetchmany(50_000):
                out.extend(r[0] for r in chunk)
            return list(out[:1]) + [len(out)]

        all_keys: list = []

        def load_all() -> None:
            cur.execute(f"SELECT {key} FROM crm_contacts ORDER BY {NAME_ORDER}")
            all_keys[:] = [r[0] for r in cur.fetchall()]

        def page(start: int) -> None:
            chunk = all_keys[start:start + 100]
            marks = ", ".join(["?" if db.dialect == "sqlite" else "%s"] * len(chunk))
            cur.execute(f"SELECT * FROM crm_contacts WHERE {key} IN ({marks})", chunk)
            cur.fetchall()

        load_all()
        first = ms(lambda: page(0))
        rng = random.Random(11)
        jumps = [ms(lambda: page(rng.randrange(max(1, len(all_keys) - 100)))) for _ in range(40)]
        resort = ms(lambda: keys(f"SELECT {key} FROM crm_contacts ORDER BY email, id"))
        filt = ms(lambda: keys(f"SELECT {key} FROM crm_contacts WHERE type = 'owner' ORDER BY {NAME_ORDER}"))
        return {"page": first, "jump": percentile(jumps, 95), "resort": resort, "filter": filt}
    finally:
        raw.close()


def run(db: Database, url: str) -> list[Figure]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "benchmarks.table_probe", url], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        note = (done.stderr.strip().splitlines() or ["failed"])[-1][:200]
        return [Figure("contacts table", None, "", "", None, "", f"probe failed: {note}")]
    p = json.loads(done.stdout.strip().splitlines()[-1])
    raw = _raw(db)
    rows = f"{p['rows']:,} rows"
    return [
        Figure("table: first paint (count + first page, painted)", p["first_paint_ms"], "ms", "", raw["page"],
               "bare driver: first page", f"{rows}; all keys in after {p['keys_ms']:.0f} ms"),
        Figure("table: jump to a random row, p95 (painted)", p["jump_p95_ms"], "ms", "< 50 ms", raw["jump"],
               "bare driver: 1 page by key, p95", f"p50 {p['jump_p50_ms']:.0f} ms", ok=p["jump_p95_ms"] < 50),
        Figure("table: re-sort by email (indexed), painted", p["resort_ms"], "ms", "< 500 ms", raw["resort"],
               "bare driver: all keys by email", f"all keys in after {p['resort_keys_ms']:.0f} ms",
               ok=p["resort_ms"] < 500),
        Figure("table: re-sort by city (no index), painted", p["resort_city_ms"], "ms", "< 500 ms", None, "",
               f"all keys in after {p['resort_city_keys_ms']:.0f} ms", ok=p["resort_city_ms"] < 500),
        Figure("table: filter type = owner, painted", p["filter_ms"], "ms", "< 100 ms", raw["filter"],
               "bare driver: filtered keys", f"{p['filtered_rows']:,} rows; keys after {p['filter_keys_ms']:.0f} ms",
               ok=p["filter_ms"] < 100),
        Figure("table: clear the filter, painted", p["unfilter_ms"], "ms", "", raw["page"],
               "bare driver: first page"),
        Figure("table: process RSS with the table open", p["rss_open_mb"], "MB", "< 150 MB",
               p["rss_baseline_mb"], "same process before the table", f"keys {p['key_bytes'] / 1e6:.1f} MB",
               ok=p["rss_open_mb"] < 150),
    ]
