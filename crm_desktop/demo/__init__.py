"""Demo data: a realistic platform database for new users and for tests."""
