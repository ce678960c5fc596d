"""Running totals for the dashboard, kept by database triggers in crm_counters.

Counting a million contacts and two million enquiries by status on every dashboard refresh is a scan
of millions of index entries (over a second on SQLite). Instead, triggers on the four big tables keep
one row per (name, key) with a row count `n` and a money sum in whole pence `pence`, in the same
transaction as the change, so the dashboard reads a few hundred small rows. Triggers (not the
services) keep them, so every writer is counted: the sync's bulk upserts, staff edits, raw SQL.

    name                   key                       n                      pence
    contacts.type          owner | guest             contacts               -
    properties.status      listingStatus ('' = NULL) properties             -
    properties.tier        membershipTier ('' = NULL) properties            totalRevenue
    enquiries.status       status                    enquiries              -
    enquiries.day          YYYY-MM-DD of createdAt   enquiries              -
    memberships.live       planTier|billingCycle     live memberships       planPrice
                           (live = active or expiring_soon)

`rebuild(connection)` recomputes everything from the tables (after a TRUNCATE, or to check drift);
tests compare the triggers' totals with it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

LIVE = "('active', 'expiring_soon')"

# name -> (table, key expression over a row alias, pence expression or None, condition or None,
#          the columns whose update changes the contribution)
COUNTERS: dict[str, tuple[str, str, str | None, str | None, tuple[str, ...]]] = {
    "contacts.type": ("crm_contacts", "coalesce(R.\"type\", '')", None, None, ("type",)),
    "properties.status": ("crm_properties", "coalesce(R.\"listingStatus\", '')", None, None, ("listingStatus",)),
    "properties.tier": ("crm_properties", "coalesce(R.\"membershipTier\", '')",
                        "round(coalesce(R.\"totalRevenue\", 0) * 100)", None, ("membershipTier", "totalRevenue")),
    "enquiries.status": ("crm_enquiries", "coalesce(R.\"status\", '')", None, None, ("status",)),
    "enquiries.day": ("crm_enquiries", "coalesce(substr(R.\"createdAt\", 1, 10), '')", None, None, ("createdAt",)),
    "memberships.live": ("crm_memberships", "R.\"planTier\" || '|' || coalesce(R.\"billingCycle\", '')",
                         "round(coalesce(R.\"planPrice\", 0) * 100)", f"R.\"status\" IN {LIVE}",
                         ("status", "planTier", "billingCycle", "planPrice")),
}
TABLES = ("crm_contacts", "crm_properties", "crm_enquiries", "crm_memberships")


def _for_table(table: str) -> list[tuple[str, str, str | None, str | None, tuple[str, ...]]]:
    return [(name, key, pence, cond, cols) for name, (t, key, pence, cond, cols) in COUNTERS.items() if t == table]


def _columns(table: str) -> list[str]:
    cols: list[str] = []
    for *_rest, watched in _for_table(table):
        cols += [c for c in watched if c not in cols]
    return cols


# ---- SQLite -------------------------------------------------------------------------------------------
def _sqlite_add(name: str, key: str, pence: str | None, cond: str | None, row: str, sign: int) -> str:
    k = key.replace("R.", f"{row}.")
    p = f"{sign} * ({pence.replace('R.', f'{row}.')})" if pence else "0"
    where = f" WHERE {cond.replace('R.', f'{row}.')}" if cond else " WHERE 1"
    # INSERT ... SELECT needs a WHERE before ON CONFLICT (SQLite's parsing rule for upserts).
    return (f"INSERT INTO crm_counters (name, key, n, pence) SELECT '{name}', {k}, {sign}, {p}{where} "
            "ON CONFLICT (name, key) DO UPDATE SET n = n + excluded.n, pence = pence + excluded.pence;")


def sqlite_ddl() -> list[str]:
    statements = []
    for table in TABLES:
        counters = _for_table(table)
        ins = " ".join(_sqlite_add(n, k, p, c, "new", 1) for n, k, p, c, _ in counters)
        dele = " ".join(_sqlite_add(n, k, p, c, "old", -1) for n, k, p, c, _ in counters)
        cols = ", ".join(f'"{c}"' for c in _columns(table))
        statements += [
            f"CREATE TRIGGER {table}_count_ai AFTER INSERT ON {table} BEGIN {ins} END",
            f"CREATE TRIGGER {table}_count_ad AFTER DELETE ON {table} BEGIN {dele} END",
            f"CREATE TRIGGER {table}_count_au AFTER UPDATE OF {cols} ON {table} BEGIN {dele} {ins} END",
        ]
    return statements


# ---- PostgreSQL -----------------------------------------------------------------------------------------
PG_ADD_FUNCTION = """
CREATE FUNCTION crm_counter_add(p_name text, p_key text, p_n bigint, p_pence numeric) RETURNS void AS $$
BEGIN
  INSERT INTO crm_counters (name, key, n, pence) VALUES (p_name, coalesce(p_key, ''), p_n, coalesce(p_pence, 0))
  ON CONFLICT (name, key) DO UPDATE SET n = crm_counters.n + excluded.n, pence = crm_counters.pence + excluded.pence;
END $$ LANGUAGE plpgsql
"""


def _pg_calls(table: str, row: str, sign: int) -> str:
    calls = []
    for name, key, pence, cond, _ in _for_table(table):
        k = key.replace("R.", f"{row}.")
        p = f"{sign} * ({pence.replace('R.', f'{row}.')})" if pence else "0"
        call = f"PERFORM crm_counter_add('{name}', {k}, {sign}, {p});"
        calls.append(f"IF {cond.replace('R.', f'{row}.')} THEN {call} END IF;" if cond else call)
    return " ".join(calls)


def postgresql_ddl() -> list[str]:
    statements = [PG_ADD_FUNCTION]
    for table in TABLES:
        cols = ", ".join(f'"{c}"' for c in _columns(table))
        statements += [
            f"CREATE FUNCTION {table}_count() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_pg_calls(table, 'OLD', -1)} END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_pg_calls(table, 'NEW', 1)} END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_count AFTER INSERT OR DELETE OR UPDATE OF {cols} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_count()",
        ]
    return statements


def create_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return sqlite_ddl()
    if dialect == "postgresql":
        return postgresql_ddl()
    return []


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t}_count_{s}" for t in TABLES for s in ("ai", "ad", "au")]
    if dialect == "postgresql":
        return ([f"DROP TRIGGER IF EXISTS {t}_count ON {t}" for t in TABLES]
                + [f"DROP FUNCTION IF EXISTS {t}_count()" for t in TABLES]
                + ["DROP FUNCTION IF EXISTS crm_counter_add(text, text, bigint, numeric)"])
    return []


# ---- recomputing ----------------------------------------------------------------------------------------
def rebuild_statements() -> list[str]:
    statements = ["DELETE FROM crm_counters"]
    for name, (table, key, pence, cond, _) in COUNTERS.items():
        k = key.replace("R.", "")
        p = f"sum({pence.replace('R.', '')})" if pence else "0"
        where = f" WHERE {cond.replace('R.', '')}" if cond else ""
        statements.append(f"INSERT INTO crm_counters (name, key, n, pence) SELECT '{name}', {k}, count(*), "
                          f"coalesce({p}, 0) FROM {table}{where} GROUP BY {k}")
    return statements


def rebuild(conn: Connection) -> None:
    """Recompute every counter from the tables (inside the caller's transaction)."""
    for statement in rebuild_statements():
        conn.execute(text(statement))


def read(conn: Connection, name: str, first_key: str | None = None,
         end_key: str | None = None) -> dict[str, tuple[int, int]]:
    """{key: (n, pence)} for one counter, optionally keys in [first_key, end_key); zero rows left out."""
    sql = "SELECT key, n, pence FROM crm_counters WHERE name = :name"
    params: dict[str, str] = {"name": name}
    if first_key is not None:
        sql += " AND key >= :first"
        params["first"] = first_key
    if end_key is not None:
        sql += " AND key < :end"
        params["end"] = end_key
    return {key: (int(n), int(pence)) for key, n, pence in conn.execute(text(sql), params) if n or pence}
