"""Contact search through the real service and the migrated index (FTS5 trigram / pg_trgm), both DBs."""

from __future__ import annotations

from sqlalchemy import delete, inspect, text

from crm_desktop.db.models import Contact
from crm_desktop.search.contacts_index import FTS_TABLE, PG_INDEX, rebuild_sqlite_index
from crm_desktop.services import contacts
from crm_desktop.services.contacts import ContactFilter
from crm_desktop.services.listing import ListQuery


def make(db, admin, **data):
    return db.write(lambda s: contacts.create_contact(s, admin, data))


def found(db, admin, search: str) -> list[str]:
    with db.read() as s:
        page = contacts.list_contacts(s, admin, filt=ContactFilter(search=search))
        assert page.total == len(page.items)
        return sorted(c.email for c in page.items)


def seed(db, admin):
    make(db, admin, type="owner", email="alice@manor.co.uk", firstName="Alice", lastName="Thornbury",
         phone="+44 7700 900123", businessName="Thornbury Manor Ltd")
    make(db, admin, type="guest", email="bob.o'neil@example.com", firstName="Bob", lastName="O'Neil",
         phone="07123 456789")
    make(db, admin, type="guest", email="carol@example.com", firstName="Carol", lastName="Ng")


def test_substrings_of_every_searched_column(db, admin):
    seed(db, admin)
    assert found(db, admin, "THORN") == ["alice@manor.co.uk"]          # last name + business, any case
    assert found(db, admin, "nor lt") == ["alice@manor.co.uk"]         # business substring, 2-char term
    assert found(db, admin, "900123") == ["alice@manor.co.uk"]         # phone
    assert found(db, admin, "example.com") == ["bob.o'neil@example.com", "carol@example.com"]
    assert found(db, admin, "o'nei") == ["bob.o'neil@example.com"]     # quote in the term
    assert found(db, admin, 'ca"rol') == []                            # FTS syntax is taken literally
    assert found(db, admin, "ng") == ["carol@example.com"]             # short: LIKE fallback
    assert found(db, admin, "carol example") == ["carol@example.com"]  # every term must match
    assert found(db, admin, "carol bob") == []
    assert found(db, admin, "%") == [] and found(db, admin, "_o") == []  # LIKE wildcards are literal


def test_index_follows_updates_and_deletes(db, admin):
    seed(db, admin)
    carol = next(iter(found(db, admin, "carol")))
    with db.read() as s:
        cid = s.query(Contact.id).filter(Contact.email == carol).scalar()
    db.write(lambda s: contacts.update_contact(s, admin, cid, {"lastName": "Featherstonehaugh"}))
    assert found(db, admin, "featherstone") == ["carol@example.com"]
    db.write(lambda s: s.execute(delete(Contact).where(Contact.id == cid)))
    assert found(db, admin, "featherstone") == [] and found(db, admin, "carol") == []


def test_the_index_exists_and_is_used(db, admin):
    seed(db, admin)
    if db.dialect == "sqlite":
        with db.engine.begin() as conn:
            rebuild_sqlite_index(conn)  # a rebuild from the content table gives the same answers
            plan = " ".join(str(r) for r in conn.execute(text(
                f"EXPLAIN QUERY PLAN SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH 'thorn'")))
        assert "VIRTUAL TABLE INDEX" in plan
        assert found(db, admin, "thorn") == ["alice@manor.co.uk"]
    else:
        names = {ix["name"] for ix in inspect(db.engine).get_indexes("crm_contacts")}
        assert PG_INDEX in names


def test_index_total_and_broad_plan_give_the_same_pages(db, admin, monkeypatch):
    for i in range(30):
        make(db, admin, type="guest", email=f"guest{i:02d}@{'wide' if i % 3 else 'narrow'}.example",
             firstName=f"Name{i % 7}", lastName=f"Surname{(i * 11) % 13}")

    def pages() -> list:
        out = []
        with db.read() as s:
            for sort in ("lastName", "email", "createdAt", "firstName"):
                for desc in (False, True):
                    for offset in (0, 7):
                        page = contacts.list_contacts(s, admin, ListQuery(sort=sort, descending=desc,
                                                                          offset=offset, limit=5),
                                                      ContactFilter(search="wide.example"))
                        out.append((page.total, [c.email for c in page.items]))
            filtered = contacts.list_contacts(s, admin, ListQuery(limit=50),
                                              ContactFilter(search="wide", type="guest"))
            out.append((filtered.total, [c.email for c in filtered.items]))
        return out

    monkeypatch.setattr(contacts, "BROAD_MATCHES", 10**9)
    narrow = pages()
    monkeypatch.setattr(contacts, "BROAD_MATCHES", 0)
    assert pages() == narrow
    assert narrow[0][0] == 20 and narrow[-1][0] == 20
