"""Create and edit dialogs (contact, enquiry, note) with the services' validation shown under each field."""
