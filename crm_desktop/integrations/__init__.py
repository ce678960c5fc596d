"""Thin gateways to outside services (Stripe); the tests point them at local servers."""
