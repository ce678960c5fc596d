"""Database layer: models, engine and migrations. No Qt here."""
