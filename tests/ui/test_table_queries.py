"""The core behind the tables (no Qt): key lists, paging by key and by position, counts, whitelists,
UK formatting, and CSV export with neutralised cells."""

from __future__ import annotations

import csv
import uuid
from array import array
from decimal import Decimal

import pytest

from crm_desktop import formatting as fmt
from crm_desktop.exporting import write_csv
from crm_desktop.services import table_queries as tq
from crm_desktop.services.errors import ValidationError
from tests.ui.conftest import seed_small


def test_key_lists_are_compact_and_findable():
    ints = tq.KeyList(ints=array("q", [5, 3, 9]))
    assert list(ints) == [5, 3, 9] and ints.position(9) == 2 and ints.nbytes == 24
    ids = [str(uuid.uuid4()) for _ in range(3)]
    packed = tq.KeyList.from_ids(ids)
    assert packed.nbytes == 48 and packed[1] == ids[1] and packed[-1] == ids[2] and packed[0:2] == ids[:2]
    assert packed.position(ids[2]) == 2
    with pytest.raises(ValueError):
        packed.position(str(uuid.uuid4()))
    loose = tq.KeyList.from_ids(["owner-1", "owner-2"])  # not UUIDs: kept as text
    assert loose[1] == "owner-2" and loose.position("owner-1") == 0


def test_paging_by_position_and_by_key_agree(db):
    seed_small(db)
    table = tq.table("contacts")
    query = tq.TableQuery(sort="email", descending=True)
    with db.read() as s:
        assert tq.count_rows(s, table, query) == 4
        keys = tq.fetch_keys(s, table, query)
        by_key = [r["email"] for r in tq.fetch_rows(s, table, keys[1:3])]
        by_position = [r["email"] for r in tq.fetch_page(s, table, query, 1, 2)]
        streamed = [r["email"] for r in tq.iter_rows(s, table, query)]
    assert by_key == by_position == streamed[1:3]
    assert streamed == sorted(streamed, reverse=True)


def test_search_needs_every_word_and_filters_are_whitelisted(db):
    seed_small(db)
    with db.read() as s:
        props = tq.table("properties")
        assert tq.count_rows(s, props, tq.TableQuery(search="thorn cots")) == 1
        assert tq.count_rows(s, props, tq.TableQuery(filters={"owner": "lovelace"})) == 1
        assert tq.count_rows(s, props, tq.TableQuery(search="100%")) == 0  # LIKE wildcards are literal
        with pytest.raises(ValidationError):
            tq.count_rows(s, props, tq.TableQuery(filters={"title; DROP TABLE x": "1"}))
        with pytest.raises(ValidationError):
            tq.fetch_keys(s, props, tq.TableQuery(sort="internalNotes"))


def test_uk_formats():
    assert fmt.money(Decimal("1234.5")) == "£1,234.50"
    assert fmt.money(Decimal("-12")) == "-£12.00"
    assert fmt.money(None) == ""
    assert fmt.uk_date("2026-11-26") == "26 Nov 2026"
    assert fmt.uk_date("2026-06-30T23:30:00.000Z") == "1 Jul 2026"  # London summer time
    assert fmt.uk_datetime("2026-01-05T09:07:00.000Z") == "5 Jan 2026 09:07"
    assert fmt.humanise("pending_approval") == "Pending approval"
    assert fmt.count(1, "enquiry", "enquiries") == "1 enquiry" and fmt.count(12345, "contact") == "12,345 contacts"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    path = tmp_path / "x.csv"
    cells = ["=1+1", "+44 20 7946 0000", "-5", "@SUM(A1)", "\tx", "\rx", "\nx", "'quoted", "plain"]
    assert write_csv(path, ["a"] * len(cells), [cells, [Decimal("-12.50"), None, True, 3]]) == 2
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1] == ["'=1+1", "'+44 20 7946 0000", "'-5", "'@SUM(A1)", "'\tx", "'\rx", "'\nx", "''quoted",
                       "plain"]
    assert rows[2] == ["-12.50", "", "yes", "3"]  # numbers stay numbers
    assert not list(tmp_path.glob(".export-*"))  # written via a temporary file, renamed when complete


def test_counts_and_keys_join_only_what_the_query_uses(db):
    """Counting enquiries by status must not join their properties, owners and staff."""
    seed_small(db)
    table = tq.table("enquiries")
    with db.read() as s:
        by_status = tq.TableQuery(filters={"status": "booked"})
        assert "JOIN" not in str(tq.keys_statement(table, by_status, s))
        assert tq.count_rows(s, table, by_status) == 1
        by_owner = tq.TableQuery(filters={"owner": "marley"}, sort="property")
        sql = str(tq.keys_statement(table, by_owner, s))
        assert "crm_contacts AS owner" in sql and "crm_properties AS prop" in sql and "staff" not in sql
        assert tq.count_rows(s, table, by_owner) == len(tq.fetch_keys(s, table, by_owner)) == 1
