"""Services: the CRM's API for the window, the command line and the sync. No Qt here."""
