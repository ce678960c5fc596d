"""Fast search indexes: SQLite FTS5 (trigram) and PostgreSQL pg_trgm, and the clauses that use them."""
