"""crm-desktop: a desktop CRM for a UK party-house and event-venue marketplace."""

__version__ = "0.1.0"
