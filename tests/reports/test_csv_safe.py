"""CSV export is safe to open in a spreadsheet, and reading it back gives the original text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crm_desktop import csv_safe
from crm_desktop.reports.owners import owner_insights
from crm_desktop.reports.render import to_csv
from tests.reports import data

DANGEROUS = ["=1+1", "+44 20 7946 0000", "-2", "@SUM(A1)", "\tindent", "\rx", "\nx",
             "=HYPERLINK(\"http://evil\",\"click\")"]


def test_dangerous_cells_are_neutralised_and_restored():
    for cell in DANGEROUS:
        safe = csv_safe.neutralise(cell)
        assert safe == "'" + cell
        assert csv_safe.restore(safe) == cell
    # Harmless text is untouched; text that already starts with an apostrophe keeps it after a round trip.
    assert csv_safe.neutralise("Manor House") == "Manor House"
    assert csv_safe.restore(csv_safe.neutralise("'=already")) == "'=already"
    assert csv_safe.restore(csv_safe.neutralise("'quoted")) == "'quoted"
    # Numbers stay numbers: a negative amount is not text a spreadsheet would run.
    assert csv_safe.neutralise(Decimal("-2.50")) == Decimal("-2.50")


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=5))
def test_round_trip_of_any_text(rows):
    text = csv_safe.write_rows(rows)
    assert csv_safe.read_rows(text) == rows
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(csv_safe.DANGEROUS_STARTS)


def test_report_csv_neutralises_names_and_round_trips(db):
    def build(s):
        data.contact(s, "evil@example.com", "=HYPERLINK(\"http://x\")", "@Owner")
    db.write(build)
    with db.read() as s:
        report = owner_insights(s)
    text = to_csv(report)
    raw = list(csv.reader(io.StringIO(text, newline="")))
    assert raw[0][:3] == ["owner_id", "name", "email"]
    assert raw[1][1] == "'=HYPERLINK(\"http://x\") @Owner"
    back = csv_safe.read_rows(text)
    assert back[1][1] == "=HYPERLINK(\"http://x\") @Owner"
    assert back[1][back[0].index("total_revenue")] == "0.00"
