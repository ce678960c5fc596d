"""A tiny run of the benchmark suite (python -m benchmarks.run) so it cannot rot: the generator, the
sync ingest next to raw executemany, search, the table model probe and the reports all run for real."""

from __future__ import annotations

import sqlite3

import pytest

from benchmarks import generate, run
from benchmarks.dataset import DataSet, Sizes, uid
from benchmarks.figures import Figure, percentile, table

SCALE = 0.001  # 1,000 contacts, 100 properties, 2,000 enquiries, 4,000 interactions


def test_generator_fills_the_migrated_tables_consistently(tmp_path):
    paths = generate.generate_sqlite(SCALE, tmp_path, log=lambda _m: None)
    sizes = Sizes.at(SCALE)
    crm = sqlite3.connect(paths.crm)
    counts = {t: crm.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("crm_contacts", "crm_properties", "crm_enquiries", "crm_interactions")}
    assert counts == {"crm_contacts": sizes.contacts, "crm_properties": sizes.properties,
                      "crm_enquiries": sizes.enquiries, "crm_interactions": sizes.interactions}
    # the search index was filled by the migration's triggers during the load
    first, last, email, _ = DataSet(sizes).person(5)
    hit = crm.execute("SELECT c.email FROM crm_contacts_fts f JOIN crm_contacts c ON c.rowid = f.rowid "
                      "WHERE crm_contacts_fts MATCH ?", (f'"{email[:-4]}"',)).fetchall()
    assert hit == [(email,)]
    # every enquiry points at a real contact; the platform side has the same enquiries
    orphans = crm.execute("SELECT count(*) FROM crm_enquiries e LEFT JOIN crm_contacts c ON c.id = e.contactId "
                          "WHERE c.id IS NULL").fetchone()[0]
    assert orphans == 0
    # the dashboard counters were rebuilt after the load (their triggers are bypassed during it)
    counted = dict(crm.execute("SELECT key, n FROM crm_counters WHERE name = 'enquiries.status'").fetchall())
    actual = dict(crm.execute("SELECT status, count(*) FROM crm_enquiries GROUP BY status").fetchall())
    assert counted == actual and sum(counted.values()) == sizes.enquiries
    assert crm.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_count_%'"
                       ).fetchone()[0] == 12
    platform = sqlite3.connect(paths.platform)
    assert platform.execute("SELECT count(*) FROM enquiries").fetchone()[0] == sizes.enquiries
    assert len({uid(1, i) for i in range(10_000)}) == 10_000
    # a second call reuses the files (same fingerprint)
    before = paths.crm.stat().st_mtime_ns
    assert generate.generate_sqlite(SCALE, tmp_path, log=lambda _m: None).crm.stat().st_mtime_ns == before


def test_small_run_prints_every_figure(tmp_path, capsys):
    out_md = tmp_path / "RESULTS.md"
    out_md.write_text("# Results\n\nprose kept\n\n<!-- results:start -->\nold\n<!-- results:end -->\n")
    assert run.main(["--scale", str(SCALE), "--only", "sync,search,table,reports", "--data-dir",
                     str(tmp_path / "data"), "--markdown", str(out_md)]) == 0
    out = capsys.readouterr().out
    for name in ("sync ingest, SQLite", "search as you type, first page p95", "table: jump to a random row",
                 "table: process RSS", "dashboard numbers", "report: "):
        line = next((ln for ln in out.splitlines() if name in ln), None)
        assert line is not None, f"{name} missing from\n{out}"
        assert "failed" not in line, line
    text = out_md.read_text()
    assert "prose kept" in text and "old" not in text and "search as you type" in text


def test_table_and_percentiles():
    assert percentile([5, 1, 3, 2, 4], 50) == 3 and percentile([1, 2, 3, 4, 100], 95) == 100
    f = Figure("x", 20.0, "ms", "< 30 ms", 10.0, "raw", ok=True)
    assert f.ratio == pytest.approx(2.0)
    assert "2.00x" in table([f]) and "yes" in table([f])


def test_an_index_added_by_a_migration_is_caught_up_without_regenerating(tmp_path):
    paths = generate.generate_sqlite(SCALE, tmp_path, log=lambda _m: None)
    conn = sqlite3.connect(paths.crm)
    conn.execute("DROP INDEX idx_crm_contacts_name")
    conn.execute("INSERT INTO crm_contacts_fts(crm_contacts_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    marker = tmp_path / f"{generate.tag(SCALE)}.json"
    marker.write_text(marker.read_text().replace(generate.fingerprint(SCALE), "stale"))
    logged: list[str] = []
    again = generate.generate_sqlite(SCALE, tmp_path, log=logged.append)
    assert any("idx_crm_contacts_name" in m for m in logged) and not any("Generating" in m for m in logged)
    conn = sqlite3.connect(again.crm)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_crm_contacts_name'").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM crm_contacts").fetchone()[0] == Sizes.at(SCALE).contacts
    assert generate.fingerprint(SCALE) in marker.read_text()
