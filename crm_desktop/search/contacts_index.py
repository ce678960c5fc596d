"""Search-as-you-type over contacts, answered by an index instead of a `LIKE '%x%'` scan.

The index is created by the 0001 migration (the migrations are the schema):
- SQLite: `crm_contacts_fts`, an external-content FTS5 table with the trigram tokenizer over the
  searched columns, kept in step with `crm_contacts` by three triggers. Trigram matching is
  case-insensitive substring matching, but needs at least 3 characters per term.
- PostgreSQL: a pg_trgm GIN index on the lower-cased concatenation of the searched columns, so
  `LIKE '%x%'` on that same expression is an index lookup.

Semantics (both databases): the input is split on whitespace; every term must occur, case-
insensitively, somewhere in the first name, last name, email, phone or business name. Terms shorter
than 3 characters cannot use a trigram index and are checked with LIKE on the rows the longer terms
found (or on the whole table when there are no longer terms).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, column, func, literal_column, or_, text

from crm_desktop.db.models import Contact
from crm_desktop.services.listing import like_pattern, unsearchable

FTS_TABLE = "crm_contacts_fts"
PG_INDEX = "idx_crm_contacts_search_trgm"
SEARCH_COLUMNS = ("firstName", "lastName", "email", "phone", "businessName")
MIN_TRIGRAM = 3
# Every database object the index adds; migration comparisons (tests, autogenerate) skip them.
SEARCH_OBJECTS = frozenset({
    FTS_TABLE, f"{FTS_TABLE}_data", f"{FTS_TABLE}_idx", f"{FTS_TABLE}_docsize", f"{FTS_TABLE}_config",
    f"{FTS_TABLE}_content", PG_INDEX,
})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic `include_object` hook: the search index is not in the models, so leave it out."""
    return name not in SEARCH_OBJECTS


def terms(search: str) -> list[str]:
    return [t for t in search.split() if t]


def _fts_query(long_terms: list[str]) -> str:
    """An FTS5 query: each term a quoted phrase (quotes doubled), all required."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)


def search_text_expression() -> ColumnElement[str]:
    """The lower-cased concatenation the PostgreSQL trigram index is built on (must match exactly)."""
    parts = [func.coalesce(getattr(Contact, c), "") for c in SEARCH_COLUMNS]
    expr = parts[0]
    for part in parts[1:]:
        expr = expr.op("||")(" ").op("||")(part)
    return func.lower(expr)


def _short_term_clause(term: str) -> ColumnElement[bool]:
    pattern = like_pattern(term)
    return or_(*[func.lower(getattr(Contact, c)).like(pattern, escape="\\") for c in SEARCH_COLUMNS])


def fts_match_count(session: Any, search: str) -> int | None:
    """How many contacts match, straight from the SQLite FTS index (no row look-ups), when every term
    can use it (3+ characters); None otherwise. Exact: the triggers keep the index equal to the table."""
    words = terms(search)
    if session.get_bind().dialect.name != "sqlite" or not words or min(map(len, words)) < MIN_TRIGRAM \
            or unsearchable(search):  # refused with a clear message by the listing's own checks
        return None
    return session.execute(text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
                           {"q": _fts_query(words)}).scalar_one()


def contact_search_clause(dialect: str, search: str, *, broad: bool = False) -> ColumnElement[bool] | None:
    """A WHERE clause for `search` on crm_contacts, using the dialect's index; None for blank input.

    `broad` (SQLite; many matches and an indexed sort): walk the sort index and test membership in
    the matches, so the first page stops after its rows instead of fetching and sorting every match."""
    words = terms(search)
    if not words:
        return None
    if dialect == "postgresql":
        expr = search_text_expression()
        return and_(*[expr.like(like_pattern(t), escape="\\") for t in words])
    long_terms = [t for t in words if len(t) >= MIN_TRIGRAM]
    clauses: list[ColumnElement[bool]] = [_short_term_clause(t) for t in words if len(t) < MIN_TRIGRAM]
    if long_terms and dialect == "sqlite":
        matches = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :contact_fts").bindparams(
            contact_fts=_fts_query(long_terms)).columns(column("rowid"))
        key = literal_column("+crm_contacts.rowid" if broad else "crm_contacts.rowid")  # '+': no rowid look-up
        clauses.insert(0, key.in_(matches))
    elif long_terms:  # another database: no index, plain LIKE
        clauses.extend(_short_term_clause(t) for t in long_terms)
    return and_(*clauses)


def rebuild_sqlite_index(conn: Any) -> None:
    """Rebuild the FTS index from crm_contacts (after a bulk load with triggers off, or a VACUUM).

    `conn` is a DB-API sqlite3 connection or anything with `exec_driver_sql`.
    """
    sql = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
    if hasattr(conn, "exec_driver_sql"):
        conn.exec_driver_sql(sql)
    else:
        conn.execute(sql)
