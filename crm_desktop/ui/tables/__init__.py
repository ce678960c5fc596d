"""The big list tables: a paged SQL-backed model, column specs and the list page widget."""
