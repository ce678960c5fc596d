"""The dashboard's figures against a small, hand-counted data set, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crm_desktop.db.models import Contact, Enquiry, Membership, Property
from crm_desktop.reports.dashboard import dashboard_numbers
from crm_desktop.services import enquiries

TODAY = date(2026, 3, 18)  # a Wednesday; its week starts Monday 2026-03-16
STAMP = "2026-01-01T09:00:00.000Z"


def _contact(session, n: int, type_: str) -> Contact:
    c = Contact(id=f"c{n}", type=type_, email=f"p{n}@example.co.uk", firstName=f"P{n}", createdAt=STAMP,
                updatedAt=STAMP)
    session.add(c)
    return c


def _seed(session) -> None:
    owners = [_contact(session, i, "owner") for i in range(3)]
    guests = [_contact(session, i, "guest") for i in range(3, 8)]
    session.flush()
    props = [
        Property(id="p1", ownerId=owners[0].id, propertyId="101", title="Manor", listingStatus="live",
                 membershipTier="gold", totalRevenue=Decimal("1200.10"), createdAt=STAMP, updatedAt=STAMP),
        Property(id="p2", ownerId=owners[1].id, propertyId="102", title="Barn", listingStatus="live",
                 membershipTier="gold", totalRevenue=Decimal("0.20"), createdAt=STAMP, updatedAt=STAMP),
        Property(id="p3", ownerId=owners[2].id, propertyId="103", title="Lodge", listingStatus="paused",
                 membershipTier="bronze", totalRevenue=Decimal("99.99"), createdAt=STAMP, updatedAt=STAMP),
        Property(id="p4", ownerId=None, propertyId="104", title="Cottage", listingStatus="draft",
                 membershipTier=None, totalRevenue=Decimal("5.00"), createdAt=STAMP, updatedAt=STAMP),
    ]
    session.add_all(props)
    session.flush()
    # (status, createdAt): 2 in this week, 1 on last Sunday (previous week), 1 exactly 25 weeks back
    # (first bucket), 1 just before the window, 1 in the future (not in any week).
    rows = [
        ("new", "2026-03-16T00:00:00.000Z"), ("new", "2026-03-18T23:59:59.999Z"),
        ("contacted", "2026-03-15T23:59:59.000Z"), ("negotiating", "2025-09-22T08:00:00.000Z"),
        ("booked", "2025-09-21T23:00:00.000Z"), ("booked", "2026-03-23T10:00:00.000Z"),
        ("booked", "2026-02-02T10:00:00.000Z"), ("lost", "2026-02-03T10:00:00.000Z"),
        ("spam", "2026-02-04T10:00:00.000Z"), ("new", "2026-02-04T11:00:00.000Z"),
    ]
    for i, (status, created) in enumerate(rows):
        session.add(Enquiry(id=f"e{i}", contactId=guests[i % 5].id, ownerId=owners[0].id, propertyId="p1",
                            status=status, createdAt=created))
    memberships = [
        # tier, cycle, price, status, endDate
        ("gold", "annual", "499.00", "active", "2026-12-31T00:00:00.000Z"),
        ("gold", "monthly", "49.99", "expiring_soon", "2026-04-17T00:00:00.000Z"),  # day 30: expiring
        ("silver", "monthly", "29.50", "active", "2026-04-18T00:00:00.000Z"),  # day 31: not expiring
        ("silver", "annual", "299.00", "cancelled", "2026-03-20T00:00:00.000Z"),  # not live
        ("bronze", "annual", "99.00", "active", "2026-03-18T00:00:00.000Z"),  # ends today: expiring
        ("bronze", "annual", "99.00", "expired", "2026-03-01T00:00:00.000Z"),
        ("bronze", "annual", None, "active", "2026-03-17T00:00:00.000Z"),  # ended yesterday, not expiring
    ]
    for i, (tier, cycle, price, status, end) in enumerate(memberships):
        session.add(Membership(id=f"m{i}", contactId=owners[i % 3].id, planTier=tier, billingCycle=cycle,
                               planPrice=Decimal(price) if price else None, status=status,
                               startDate="2025-01-01T00:00:00.000Z", endDate=end, createdAt=STAMP,
                               updatedAt=STAMP))


def test_dashboard_numbers_match_hand_counts(db):
    with db.write_session() as s:
        _seed(s)
    with db.read() as s:
        n = dashboard_numbers(s, TODAY)
    assert (n.contacts, n.owners, n.guests) == (8, 3, 5)
    assert (n.properties, n.live_properties) == (4, 2)
    assert (n.enquiries, n.open_enquiries, n.conversions) == (10, 5, 3)
    assert n.conversion_rate == Decimal("30.0")
    assert n.funnel == (("new", 3), ("contacted", 1), ("negotiating", 1), ("booked", 3), ("lost", 1),
                        ("spam", 1))
    weeks = dict(n.weekly_enquiries)
    assert len(weeks) == 26
    assert min(weeks) == date(2025, 9, 22) and max(weeks) == date(2026, 3, 16)
    assert weeks[date(2026, 3, 16)] == 2
    assert weeks[date(2026, 3, 9)] == 1
    assert weeks[date(2025, 9, 22)] == 1
    assert weeks[date(2026, 2, 2)] == 4
    assert sum(weeks.values()) == 8  # the one before the window and the one in the future are left out
    assert n.members_by_tier == (("bronze", 2), ("silver", 1), ("gold", 2))
    assert n.expiring_by_tier == (("bronze", 1), ("silver", 0), ("gold", 1))
    assert n.expiring_soon == 2
    assert dict(n.membership_revenue_by_tier) == {
        "bronze": Decimal("99.00"), "silver": Decimal("354.00"), "gold": Decimal("1098.88")}
    assert dict(n.booking_revenue_by_tier) == {
        "bronze": Decimal("99.99"), "silver": Decimal("0.00"), "gold": Decimal("1200.30"), "none": Decimal("5.00")}


def test_dashboard_on_empty_database_has_no_division_errors(db):
    with db.read() as s:
        n = dashboard_numbers(s, TODAY)
    assert n.enquiries == 0 and n.conversion_rate == Decimal("0.0")
    assert all(count == 0 for _, count in n.weekly_enquiries)
    assert dict(n.membership_revenue_by_tier)["gold"] == Decimal("0.00")


def test_conversions_follow_the_pipeline(db, admin):
    with db.write_session() as s:
        _seed(s)
    db.write(lambda s: enquiries.change_status(s, admin, "e0", "booked"))
    with db.read() as s:
        n = dashboard_numbers(s, TODAY)
    assert n.conversions == 4 and n.open_enquiries == 4 and n.conversion_rate == Decimal("40.0")


def _counter_rows(db) -> list[tuple]:  # noqa: ANN001
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return sorted((name, key, int(n), int(pence)) for name, key, n, pence in conn.execute(
            text("SELECT name, key, n, pence FROM crm_counters WHERE n <> 0 OR pence <> 0")))


def test_trigger_totals_equal_a_full_recount_after_every_kind_of_write(db, admin):
    """Inserts, updates of counted and uncounted columns, and deletes keep crm_counters exact."""
    from sqlalchemy import delete, update

    from crm_desktop.db import counters

    with db.write_session() as s:
        _seed(s)
    with db.write_session() as s:
        s.execute(update(Enquiry).where(Enquiry.id == "e1").values(status="lost"))
        s.execute(update(Enquiry).where(Enquiry.id == "e2").values(createdAt="2024-01-01T00:00:00.000Z"))
        s.execute(update(Enquiry).where(Enquiry.id == "e3").values(message="only text changed"))
        s.execute(delete(Enquiry).where(Enquiry.id == "e9"))
        s.execute(update(Property).where(Property.id == "p1").values(totalRevenue=Decimal("10.01"),
                                                                      membershipTier="silver"))
        s.execute(update(Property).where(Property.id == "p4").values(listingStatus=None))
        s.execute(update(Membership).where(Membership.id == "m3").values(status="active"))  # becomes live
        s.execute(update(Membership).where(Membership.id == "m0").values(status="cancelled"))  # leaves
        s.execute(update(Membership).where(Membership.id == "m1").values(planPrice=Decimal("59.99")))
        s.execute(update(Contact).where(Contact.id == "c3").values(type="owner"))
        s.add(Contact(id="c99", type="guest", email="late@example.co.uk", createdAt=STAMP, updatedAt=STAMP))
    db.write(lambda s: enquiries.change_status(s, admin, "e0", "booked"))
    if db.dialect == "sqlite":  # INSERT OR REPLACE (the offline replica's copy) deletes, then inserts
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        with db.write_session() as s:
            row = {c.name: getattr(s.get(Enquiry, "e4"), c.key) for c in Enquiry.__table__.columns}
            s.execute(sqlite_insert(Enquiry.__table__).prefix_with("OR REPLACE"), [{**row, "status": "spam"}])
    by_triggers = _counter_rows(db)
    with db.engine.begin() as conn:
        counters.rebuild(conn)
    assert by_triggers == _counter_rows(db)
    with db.read() as s:
        n = dashboard_numbers(s, TODAY)
    assert (n.contacts, n.owners, n.guests) == (9, 4, 5)
    assert n.enquiries == 9 and n.conversions == (4 if db.dialect == "postgresql" else 3)
    assert dict(n.members_by_tier) == {"bronze": 2, "silver": 2, "gold": 1}
    assert dict(n.membership_revenue_by_tier)["gold"] == Decimal("719.88")  # 59.99 x 12 only
    assert dict(n.booking_revenue_by_tier) == {
        "bronze": Decimal("99.99"), "silver": Decimal("10.01"), "gold": Decimal("0.20"), "none": Decimal("5.00")}
