"""Reports and analytics over the CRM tables (core: no Qt). Each report is plain SQL aggregates."""
