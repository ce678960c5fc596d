"""Detail views for one record (contact, enquiry, property, membership), opened from the tables."""
