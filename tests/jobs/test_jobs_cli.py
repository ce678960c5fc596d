"""`python main.py jobs` as staff run it: text and JSON output, once a day, --force, the template."""

from __future__ import annotations

import json

import pytest

from crm_desktop.cli import main
from tests.jobs.smtp_server import SmtpTestServer
from tests.reports.conftest import build_dataset


@pytest.fixture
def cli(db, monkeypatch, capsys):
    db.write(build_dataset)
    monkeypatch.setenv("CRM_DATABASE_URL", db.url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["jobs", *args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_text_output_and_second_run(cli):
    code, out, _ = cli("--today", "2026-03-15")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Daily jobs for 2026-03-15"
    assert lines[1] == "- membership_status: no membership status changes"
    assert lines[2] == "- segments: scored 3 owner(s); 4 joined and 0 left a segment"
    assert "    Bob Baker <bob@example.com> joined at_risk: 2 failed payment(s) on the membership in force; " \
           "engagement score 33 < 40" in lines
    assert any(line.startswith("- renewal_reminders: 1 renewal reminder(s) written to the outbox") for line in lines)
    assert "    reminder to bob@example.com: silver membership ends 2026-04-01" in lines
    code, out, _ = cli("--today", "2026-03-15")
    assert code == 0 and out.count("already ran for 2026-03-15") == 3


def test_json_output_with_smtp(cli, monkeypatch):
    with SmtpTestServer() as server:
        monkeypatch.setenv("CRM_SMTP_URL", server.url)
        code, out, _ = cli("--today", "2026-03-15", "--format", "json", "--only", "renewal_reminders")
        assert len(server.received) == 1
    doc = json.loads(out)
    assert code == 0 and doc["day"] == "2026-03-15"
    [job] = doc["jobs"]
    assert job["job"] == "renewal_reminders" and job["ran"] is True
    assert job["counts"] == {"queued": 1, "sent": 1, "send_failed": 0}


def test_template_commands(cli, tmp_path):
    code, out, _ = cli("--show-template")
    assert code == 0 and out.startswith("Subject: Your ${tier} membership ends on ${end_date}")
    bad = tmp_path / "bad.txt"
    bad.write_text("Subject: x ${nope}\n\nbody", encoding="utf-8")
    code, _, err = cli("--set-template", str(bad))
    assert code == 2 and err.startswith("error: template: unknown placeholder(s) ${nope}")
    good = tmp_path / "good.txt"
    good.write_text("Subject: Renew now\n\nHi ${first_name}", encoding="utf-8")
    assert cli("--set-template", str(good))[0] == 0
    assert cli("--show-template")[1] == "Subject: Renew now\n\nHi ${first_name}"
    assert cli("--reset-template")[0] == 0
    assert cli("--show-template")[1].startswith("Subject: Your ${tier}")
    code, _, err = cli("--set-template", str(tmp_path / "missing.txt"))
    assert code == 2 and "cannot read" in err


def test_bad_day(cli):
    code, _, err = cli("--today", "someday")
    assert code == 2 and err.startswith("error: today: must be a date")
