"""Search as you type over the contacts: the first page through the real service, p50 and p95.

The queries are what a user types, one keystroke at a time: prefixes of last names, substrings of
emails, phone numbers and business names. Each keystroke is one `list_contacts` call (first page of
50 and the total, as the table needs). The raw limit is the trigram index alone: the first 50 matching
rowids straight from sqlite3, no sort, no count, no ORM.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from benchmarks.dataset import DataSet, Sizes
from benchmarks.figures import Figure, ms, percentile
from crm_desktop.db.engine import Database
from crm_desktop.search.contacts_index import FTS_TABLE, MIN_TRIGRAM
from crm_desktop.services import contacts
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.contacts import ContactFilter
from crm_desktop.services.listing import ListQuery

PAGE = 50


def typed_queries(sizes: Sizes, samples: int = 8, seed: int = 3) -> list[str]:
    """Every keystroke of typing a few last names, email and phone fragments and business names."""
    ds = DataSet(sizes)
    rng = random.Random(seed)
    words: list[str] = []
    for _ in range(samples):
        i = rng.randrange(sizes.contacts)
        first, last, email, phone = ds.person(i)
        o = rng.randrange(sizes.owners)
        business = f"{ds.person(o)[1]} {('Manor', 'Hall', 'Barn')[o % 3]}"
        words += [last.lower(), email[2:10], phone[3:9], business.lower()]
    return [w[:n] for w in words for n in range(1, len(w) + 1) if w[:n].strip()]


def _raw_fts(conn: sqlite3.Connection, query: str) -> None:
    terms = [t for t in query.split() if len(t) >= MIN_TRIGRAM]
    if not terms:  # what the index cannot answer: the first 50 rows of a LIKE scan
        conn.execute("SELECT rowid FROM crm_contacts WHERE lower(lastName) LIKE ? LIMIT ?",
                     (f"%{query.split()[0].lower()}%", PAGE)).fetchall()
        return
    fts = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
    conn.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?", (fts, PAGE)).fetchall()


def run(db: Database, sizes: Sizes, sqlite_path: Path | None) -> list[Figure]:
    queries = typed_queries(sizes)
    actor = SYSTEM

    def first_page(q: str) -> None:
        with db.read() as s:
            contacts.list_contacts(s, actor, ListQuery(limit=PAGE), ContactFilter(search=q))

    for q in queries[:5]:  # warm the page cache once
        first_page(q)
    times = {q: ms(lambda q=q: first_page(q)) for q in queries}
    long_times = [t for q, t in times.items() if len(q.strip()) >= MIN_TRIGRAM]
    short_times = [t for q, t in times.items() if len(q.strip()) < MIN_TRIGRAM]
    raw = None
    like = None
    if sqlite_path is not None:
        conn = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        raw = percentile([ms(lambda q=q: _raw_fts(conn, q)) for q in queries], 95)
        like = percentile([ms(lambda q=q: conn.execute(
            "SELECT count(*) FROM crm_contacts WHERE lower(email) LIKE ?", (f"%{q}%",)).fetchall())
            for q in queries[::max(1, len(queries) // 8)]], 50)
        conn.close()
    all_times = list(times.values())
    slowest = max(times, key=times.__getitem__)
    p95 = percentile(all_times, 95)
    label = "FTS5 first 50 rowids, p95"
    return [
        Figure("search as you type, first page p50", percentile(all_times, 50), "ms", "", raw, label,
               f"{len(queries)} keystrokes"),
        Figure("search as you type, first page p95", p95, "ms", "< 30 ms", raw, label,
               f"slowest {slowest!r} {times[slowest]:.0f} ms", ok=p95 < 30),
        Figure("  search, terms >= 3 chars (trigram index), p95", percentile(long_times, 95), "ms", "< 30 ms",
               raw, label, ok=percentile(long_times, 95) < 30),
        Figure("  search, 1-2 chars (LIKE scan), p95", percentile(short_times, 95) if short_times else None,
               "ms", "< 30 ms", like, "LIKE '%x%' count, p50",
               ok=(percentile(short_times, 95) < 30) if short_times else None),
    ]
