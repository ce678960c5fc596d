"""Offline review: a local replica of the CRM data and an outbox for notes and calls logged offline.

Core code (no Qt): replica.py (the copy), outbox.py (notes/calls applied once on reconnect), mode.py
(online or offline at start, reconnecting). The banner and dialogs are in crm_desktop/ui/offline*.py.
"""
