"""The hand-checked data set every report test uses (see the numbers worked out in the tests)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports import data

TODAY = date(2026, 3, 15)


def build_dataset(s) -> dict[str, str]:
    o1 = data.contact(s, "alice@example.com", "Alice", "Able")
    o2 = data.contact(s, "bob@example.com", "Bob", "Baker")
    o3 = data.contact(s, "cara@example.com", "Cara", "Cole")
    g = data.contact(s, "guest@example.com", "Gus", "Guest", type_="guest")
    p1 = data.prop(s, o1, "101", "Alpha House", "live", views=100, revenue="1500.50")
    p2 = data.prop(s, o1, "102", "Beta Barn", "paused", views=20, revenue="0.25")
    p3 = data.prop(s, o2, "103", "Cedar Hall", "live", views=7, revenue="999.99")
    data.enquiry(s, g, o1, p1, "2026-01-10T10:00:00.000Z", "booked", 120, "1200.10", "form")
    # E2: synced as lost with a reply and no pipeline history (so it reached contacted).
    data.enquiry(s, g, o1, p1, "2026-01-20T09:00:00.000Z", "lost", 240, None, "form")
    data.enquiry(s, g, o1, p1, "2026-02-05T08:00:00.000Z", "new", None, None, "email")
    data.enquiry(s, g, o1, p2, "2026-02-10T00:00:00.000Z", "negotiating", 60, None, "phone")
    data.enquiry(s, g, o2, p3, "2026-02-11T00:00:00.000Z", "spam", None, None, None)
    data.enquiry(s, g, o2, p3, "2026-02-12T00:00:00.000Z", "booked", 30, "300.45", "website")
    e7 = data.enquiry(s, g, o2, p3, "2026-03-01T00:00:00.000Z", "lost", None, None, "form")
    data.status_change(s, e7, "new", "contacted", "2026-03-01T05:00:00.000Z")
    data.status_change(s, e7, "contacted", "negotiating", "2026-03-02T00:00:00.000Z")
    data.status_change(s, e7, "negotiating", "lost", "2026-03-03T00:00:00.000Z")
    data.enquiry(s, g, o2, p3, "2026-03-02T00:00:00.000Z", "contacted", 600, None, "email")
    data.enquiry(s, g, o2, p3, "2026-03-03T00:00:00.000Z", "booked", 120, "0.10", "website")
    data.membership(s, o1, "gold", "850.00", "annual", "2026-01-01", "2027-01-01")
    data.membership(s, o1, "bronze", "10.00", "monthly", "2025-01-01", "2025-12-31", "expired")
    data.membership(s, o2, "silver", "25.50", "monthly", "2025-06-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z",
                    "expiring_soon", paymentFailureCount=2)
    data.membership(s, o3, "bronze", "100.00", "annual", "2025-03-01", "2026-03-10", "cancelled",
                    cancelledDate="2026-03-05")
    data.membership(s, o3, "silver", "300.00", "annual", "2025-02-01", "2026-02-28", "expired")
    return {"o1": o1.id, "o2": o2.id, "o3": o3.id, "g": g.id, "p1": p1.id, "p2": p2.id, "p3": p3.id}


@pytest.fixture
def dataset(db) -> dict[str, str]:
    return db.write(build_dataset)
