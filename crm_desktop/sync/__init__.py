"""The sync engine: platform tables and Stripe into the CRM tables. No Qt here."""
