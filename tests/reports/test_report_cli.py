"""`python main.py report ...` in every format, with the hand-checked data set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_desktop import csv_safe
from crm_desktop.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(db, dataset, monkeypatch, capsys):
    monkeypatch.setenv("CRM_DATABASE_URL", db.url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["report", *args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_table_format(cli):
    code, out, _ = cli("memberships", "--today", "2026-03-15")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Memberships (today 2026-03-15, month 2026-03)"
    assert lines[1].split()[:2] == ["Tier", "In"]
    assert "1,156.00" in out and "33.33" in out


def test_json_format_has_exact_decimals(cli, dataset):
    code, out, _ = cli("owners", "--format", "json", "--owner", dataset["o1"])
    assert code == 0
    doc = json.loads(out)
    assert doc["report"] == "owners" and doc["params"] == {"owner": dataset["o1"]}
    assert doc["rows"][0]["total_revenue"] == "1500.75"
    assert doc["rows"][0]["conversion_rate"] == "25.00"


def test_csv_format(cli):
    code, out, _ = cli("funnel", "--format", "csv", "--month", "2026-02")
    assert code == 0
    rows = csv_safe.read_rows(out)
    assert rows[0][:3] == ["dimension", "group", "enquiries"]
    assert rows[1][:5] == ["all", "all", "4", "1", "3"]


def test_properties_to_a_file_is_audited(cli, dataset, tmp_path, db):
    target = tmp_path / "props.csv"
    code, out, err = cli("properties", "--owner", dataset["o1"], "--format", "csv", "-o", str(target))
    assert code == 0 and out == ""
    assert "Wrote 5 rows" in err
    assert csv_safe.read_rows(target.read_text(encoding="utf-8"))[1][2] == "all"
    from sqlalchemy import select

    from crm_desktop.db.models import ActivityLog
    with db.read() as s:
        entry = s.scalars(select(ActivityLog).where(ActivityLog.entityType == "report")).one()
    assert entry.action == "exported" and entry.entityId == "properties"


def test_bad_input_is_one_clear_line(cli, dataset):
    code, _, err = cli("funnel", "--month", "March")
    assert code == 2 and err.startswith("error: month: must be YYYY-MM")
    code, _, err = cli("owners", "--owner", "nobody")
    assert code == 2 and err.strip() == "error: No owner with id nobody."
    code, _, err = cli("memberships", "--today", "yesterday")
    assert code == 2 and "today" in err and "Traceback" not in err


def test_real_command_line(tmp_path):
    """The installed entry point end to end on a fresh SQLite file: init, then an empty report."""
    env = {**os.environ, "CRM_DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}"}
    subprocess.run([sys.executable, "main.py", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "main.py", "report", "owners"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "(no rows)" in out.stdout
