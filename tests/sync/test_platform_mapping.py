"""Every mapping of the platform README, row by row, with the awkward cases, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from crm_desktop.db.models import (
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Membership,
    PlatformBooking,
    Property,
    Staff,
    SyncReject,
)
from tests.sync.conftest import T0, iso, naive


def one(db, stmt):
    with db.read() as s:
        return s.scalars(stmt).one()


def all_(db, stmt):
    with db.read() as s:
        return s.scalars(stmt).all()


def test_owners_admins_and_guests(db, platform, sync):
    platform.user("Cher", " Cher@Example.COM ", id="u-one")
    platform.user("Mary Anne de la Cruz", "mary@example.com", id="u-five", company_name="Cruz Estates Ltd",
                  phone="07700 900001")
    platform.user("Hannah Office", "hannah@platform.co.uk", role="admin", id="u-admin")
    platform.user("Gus Guest", "gus@example.com", role="guest", id="u-guest")
    platform.user("Carl Customer", "carl@example.com", role="customer", id="u-cust")
    summary = sync()

    cher = one(db, select(Contact).where(Contact.userId == "u-one"))
    assert (cher.type, cher.firstName, cher.lastName, cher.email) == ("owner", "Cher", None, "cher@example.com")
    mary = one(db, select(Contact).where(Contact.userId == "u-five"))
    assert (mary.firstName, mary.lastName, mary.businessName, mary.phone) == (
        "Mary", "Anne de la Cruz", "Cruz Estates Ltd", "07700 900001")
    staff = one(db, select(Staff).where(Staff.platformUserId == "u-admin"))
    assert (staff.email, staff.name) == ("hannah@platform.co.uk", "Hannah Office")
    assert all_(db, select(Contact.id).where(Contact.email.in_(["hannah@platform.co.uk", "gus@example.com",
                                                                "carl@example.com"]))) == []
    counts = summary.tables["platform user"]
    assert (counts.read, counts.created, counts.set_aside) == (5, 3, 0)
    created = all_(db, select(ActivityLog).where(ActivityLog.entityId == mary.id))
    assert [(a.action, a.performedBy) for a in created] == [("created", "system")]

    # A later platform edit updates the contact, audited with before/after.
    platform.touch("user", "u-five", name="Mary Cruz", email="MARY.CRUZ@example.com")
    sync()
    mary = one(db, select(Contact).where(Contact.userId == "u-five"))
    assert (mary.firstName, mary.lastName, mary.email) == ("Mary", "Cruz", "mary.cruz@example.com")
    entry = all_(db, select(ActivityLog).where(ActivityLog.entityId == mary.id, ActivityLog.action == "updated"))
    assert len(entry) == 1
    assert json.loads(entry[0].changedFields)["email"] == {"before": "mary@example.com",
                                                           "after": "mary.cruz@example.com"}


def test_properties_and_late_owner(db, platform, sync):
    pid = platform.prop("The Old Rectory", owner_id="u-late", membership_pack_id="GoLD", status="expired",
                        view_count=321, sleeps_max=24, expired_at=naive(T0))
    orphan = platform.prop("Nobody's Barn", owner_id=None, status="draft")
    platform.enquiry("ann@example.com", property_id=pid)
    sync()
    prop = one(db, select(Property).where(Property.propertyId == str(pid)))
    assert (prop.ownerId, prop.platformOwnerId, prop.membershipTier, prop.listingStatus) == (
        None, "u-late", "gold", "expired")
    assert (prop.maxGuests, prop.pricePerNight, prop.viewCount, prop.enquiryCount) == (
        24, Decimal("1250.50"), 321, 1)
    assert prop.expiresAt == iso(T0)
    assert one(db, select(Property.ownerId).where(Property.propertyId == str(orphan))) is None
    enquiry = one(db, select(Enquiry))
    assert enquiry.propertyId == prop.id and enquiry.ownerId is None

    platform.user("Lara Late", "lara@example.com", id="u-late")
    sync()
    owner = one(db, select(Contact).where(Contact.userId == "u-late"))
    assert one(db, select(Property.ownerId).where(Property.propertyId == str(pid))) == owner.id
    assert one(db, select(Enquiry.ownerId)) == owner.id


def test_enquiries_guests_and_messages(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Heron Lodge", owner_id=owner)
    first = platform.enquiry("  Gina.Guest@Example.com ", property_id=pid, occasion="wedding", budget=4500.25,
                             number_of_guests=30, check_in_date="2026-09-05")
    general = platform.enquiry("gina.guest@example.com", property_id=None, at=naive(platform.tick()))
    waiting = platform.enquiry("zed@example.com", property_id=999)
    summary = sync()

    guest = one(db, select(Contact).where(Contact.email == "gina.guest@example.com"))
    assert (guest.type, guest.firstName, guest.lastName) == ("guest", "Gina", "Guest")
    e1 = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(first)))
    prop = one(db, select(Property).where(Property.propertyId == str(pid)))
    assert (e1.contactId, e1.propertyId, e1.ownerId, e1.status) == (guest.id, prop.id, prop.ownerId, "new")
    assert (e1.eventType, e1.eventDate, e1.estimatedGuests, e1.estimatedBudget) == (
        "wedding", "2026-09-05", 30, Decimal("4500.25"))
    assert e1.guestEmail == "gina.guest@example.com" and e1.priority == "medium"
    e2 = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(general)))
    assert (e2.contactId, e2.propertyId, e2.ownerId) == (guest.id, None, None)
    e3 = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(waiting)))
    assert (e3.propertyId, e3.platformPropertyId) == (None, "999")
    messages = all_(db, select(Interaction).where(Interaction.type == "message"))
    assert sorted(m.externalKey for m in messages) == sorted(
        f"platform:enquiry:{i}" for i in (first, general, waiting))
    assert {m.direction for m in messages} == {"inbound"}
    assert prop.enquiryCount == 1
    assert summary.tables["platform enquiries"].created == 3

    # The property the third enquiry named arrives later: the enquiry is attached and counted.
    platform._insert("properties", {**_prop_row(platform, 999, "Late House"), "owner_id": owner})
    sync()
    e3 = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(waiting)))
    late = one(db, select(Property).where(Property.propertyId == "999"))
    assert e3.propertyId == late.id and e3.ownerId == late.ownerId and late.enquiryCount == 1


def _prop_row(platform, pid, title):
    stamp = iso(platform.tick())
    return {"id": pid, "title": title, "slug": f"s{pid}", "location": "Rye, East Sussex", "region": "South East",
            "sleeps_min": 2, "sleeps_max": 10, "bedrooms": 5, "bathrooms": 2, "price_from_midweek": 500,
            "price_from_weekend": 700, "description": "d", "hero_image": "h", "status": "live",
            "created_at": stamp, "updated_at": stamp}


def test_bookings_match_by_title_and_cancel_undoes(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("The Willow Barn", owner_id=owner)
    eid = platform.enquiry("Gina@Example.com", property_id=pid)
    sync()
    bid = platform.booking("  the WILLOW   barn ", email="gina@example.com ", total=2400.5)
    platform.booking("The Willow Barn", email="walkin@example.com", total=1000)  # no enquiry: still counted
    platform.booking("The Willow Barn", email="later@example.com", status="pending", total=5000)
    sync()
    enquiry = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(eid)))
    assert (enquiry.status, enquiry.convertedToBooking, enquiry.bookingValue, enquiry.platformBookingId) == (
        "booked", True, Decimal("2400.50"), str(bid))
    assert enquiry.closedAt is not None and enquiry.firstResponseAt is not None
    prop = one(db, select(Property).where(Property.propertyId == str(pid)))
    assert (prop.bookingCount, prop.totalRevenue) == (2, Decimal("3400.50"))
    assert one(db, select(Contact.type).where(Contact.email == "walkin@example.com")) == "guest"
    notes = all_(db, select(Interaction).where(Interaction.type == "status_change"))
    assert len(notes) == 1

    platform.touch("bookings", bid, booking_status="cancelled")
    sync()
    enquiry = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(eid)))
    assert (enquiry.status, enquiry.convertedToBooking, enquiry.bookingValue, enquiry.platformBookingId,
            enquiry.closedAt, enquiry.firstResponseAt) == ("new", False, None, None, None, None)
    prop = one(db, select(Property).where(Property.propertyId == str(pid)))
    assert (prop.bookingCount, prop.totalRevenue) == (1, Decimal("1000.00"))
    ledger = one(db, select(PlatformBooking).where(PlatformBooking.platformBookingId == str(bid)))
    assert (ledger.status, ledger.enquiryId, ledger.effect) == ("cancelled", None, None)


def test_cancel_keeps_later_staff_changes(db, platform, sync):
    from crm_desktop.services import enquiries
    from crm_desktop.services.actor import Actor

    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Kingfisher Court", owner_id=owner)
    eid = platform.enquiry("gina@example.com", property_id=pid)
    sync()
    staff = Actor("staff-1", "staff", "Sam")
    enq_id = one(db, select(Enquiry.id).where(Enquiry.platformEnquiryId == str(eid)))
    db.write(lambda s: enquiries.change_status(s, staff, enq_id, "negotiating"))
    bid = platform.booking("Kingfisher Court", email="gina@example.com")
    sync()
    assert one(db, select(Enquiry.status).where(Enquiry.id == enq_id)) == "booked"
    db.write(lambda s: enquiries.update_enquiry(s, staff, enq_id, {"bookingValue": "2500"}))
    platform.touch("bookings", bid, booking_status="cancelled")
    sync()
    enquiry = one(db, select(Enquiry).where(Enquiry.id == enq_id))
    # Status goes back to where staff had it; the value staff typed after the booking stays.
    assert (enquiry.status, enquiry.bookingValue, enquiry.convertedToBooking) == (
        "negotiating", Decimal("2500.00"), False)


def test_subscriptions_and_payments_to_memberships(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Foxglove Hall", owner_id=owner)
    with_stripe = platform.subscription(pid, tier="Silver", stripe_id="sub_123")
    plain = platform.subscription(pid, tier="gold", status="upgraded")
    platform.payment(with_stripe, owner, amount=780, stripe_subscription_id="sub_123",
                     stripe_customer_id="cus_9")
    platform.payment(with_stripe, owner, amount=780, status="failed")
    sync()
    contact_id = one(db, select(Contact.id).where(Contact.userId == owner))
    m1 = one(db, select(Membership).where(Membership.stripeSubscriptionId == "sub_123"))
    assert (m1.contactId, m1.planTier, m1.planPrice, m1.status, m1.billingCycle) == (
        contact_id, "silver", Decimal("850.00"), "active", "annual")
    assert (m1.lastPaymentAmount, m1.paymentFailureCount, m1.stripeCustomerId) == (Decimal("780.00"), 1, "cus_9")
    assert m1.platformSubscriptionId == str(with_stripe)
    assert (m1.startDate, m1.endDate) == ("2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z")
    m2 = one(db, select(Membership).where(Membership.platformSubscriptionId == str(plain)))
    assert (m2.stripeSubscriptionId, m2.status, m2.planTier) == (None, "cancelled", "gold")

    # A later successful payment resets the failures; a Stripe-updated membership keeps Stripe's fields.
    platform.payment(with_stripe, owner, amount=780)
    with db.write_session() as s:
        s.get(Membership, m2.id).stripeSyncedAt = iso(T0)
        s.get(Membership, m2.id).status = "suspended"
    platform.touch("property_subscriptions", plain, status="expired")
    sync()
    assert one(db, select(Membership.paymentFailureCount).where(Membership.id == m1.id)) == 0
    assert one(db, select(Membership.status).where(Membership.id == m2.id)) == "suspended"


def test_bad_rows_are_set_aside_and_cleared_when_fixed(db, platform, sync):
    platform.user("No Mail", "   ", id="u-nomail")
    platform.user("Odd Role", "odd@example.com", role="superuser", id="u-odd")
    pid = platform.prop("Bad Status House", status="demolished")
    eid = platform.enquiry("broken@example.com", created_at="last Tuesday")
    bid = platform.booking("No Such House", email="x@example.com")
    late = platform.enquiry("late@example.com")
    with platform.engine.begin() as conn:
        t = platform.meta.tables["enquiries"]
        conn.execute(t.update().where(t.c.id == late).values(updated_at="soon"))
    summary = sync()
    reasons = {(t, ext): r for t, ext, r in summary.rejects}
    assert "email is missing" in reasons[("platform user", "u-nomail")]
    assert "role 'superuser'" in reasons[("platform user", "u-odd")]
    assert "'demolished' is not one of" in reasons[("platform properties", str(pid))]
    assert "created_at" in reasons[("platform enquiries", str(eid))]
    assert "no property titled 'No Such House'" in reasons[("platform bookings", str(bid))]
    assert "updated_at 'soon' is not a date and time" in reasons[("platform enquiries", str(late))]
    assert summary.tables["platform user"].set_aside == 2
    open_rejects = all_(db, select(SyncReject).where(SyncReject.resolvedAt.is_(None)))
    assert len(open_rejects) == 6

    again = sync()  # still broken: reported again, nothing new written
    assert len(again.rejects) == 6
    assert len(all_(db, select(SyncReject))) == 6

    platform.touch("user", "u-nomail", email="found@example.com")
    platform.touch("properties", pid, status="paused")
    platform.prop("No Such House")  # what the booking was waiting for arrives; the booking itself is unchanged
    platform.touch("enquiries", late)
    sync()
    still_open = {r.externalId for r in all_(db, select(SyncReject).where(SyncReject.resolvedAt.is_(None)))}
    assert still_open == {"u-odd", str(eid)}
    assert one(db, select(Contact.email).where(Contact.userId == "u-nomail")) == "found@example.com"
    assert one(db, select(PlatformBooking.status)) == "confirmed"


def test_link_pending_for_an_owner_found_elsewhere(db, platform, sync):
    """What the Stripe sync (or staff) does when an owner contact appears outside the platform pass."""
    from crm_desktop.services import contacts
    from crm_desktop.services.actor import SYSTEM
    from crm_desktop.sync.linking import link_pending

    pid = platform.prop("Saltmarsh House", owner_id="u-elsewhere")
    platform.subscription(pid)
    platform.enquiry("gina@example.com", property_id=pid)
    sync()
    with db.write_session() as s:
        m = s.scalars(select(Membership)).one()
        m.platformUserId, m.customerEmail = None, "owner@elsewhere.co.uk"
    with db.write_session() as s:
        owner = contacts.create_contact(s, SYSTEM, {"type": "owner", "email": "Owner@Elsewhere.co.uk",
                                                    "userId": "u-elsewhere"})
        result = link_pending(s, owner)
        owner_id = owner.id
    assert (len(result.properties), result.enquiries, result.memberships) == (1, 1, 1)
    assert one(db, select(Property.ownerId)) == owner_id
    assert one(db, select(Enquiry.ownerId)) == owner_id
    assert one(db, select(Membership.contactId)) == owner_id
    with db.write_session() as s:
        assert link_pending(s, s.get(Contact, owner_id)).total == 0  # nothing left waiting


def test_enquiry_arriving_after_its_booking_is_booked_then_cancel_undoes(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Thistle Priory", owner_id=owner)
    bid = platform.booking("Thistle Priory", email="gina@example.com", total=1800)
    sync()
    assert one(db, select(PlatformBooking.enquiryId)) is None
    eid = platform.enquiry("GINA@example.com", property_id=pid)
    sync()
    enquiry = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(eid)))
    assert (enquiry.status, enquiry.platformBookingId, enquiry.bookingValue) == ("booked", str(bid),
                                                                              Decimal("1800.00"))
    assert one(db, select(PlatformBooking.enquiryId)) == enquiry.id
    assert one(db, select(Property.bookingCount)) == 1
    again = sync()
    assert again.changed == 0
    platform.touch("bookings", bid, booking_status="cancelled")
    sync()
    enquiry = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(eid)))
    assert (enquiry.status, enquiry.convertedToBooking, enquiry.platformBookingId) == ("new", False, None)
    assert one(db, select(Property.bookingCount)) == 0


def test_cancelling_one_of_two_bookings_hands_the_enquiry_to_the_other(db, platform, sync):
    owner = platform.user("Olive Owner", "olive@example.com")
    pid = platform.prop("Orchard Mill", owner_id=owner)
    eid = platform.enquiry("gina@example.com", property_id=pid)
    first = platform.booking("Orchard Mill", email="gina@example.com", total=1000)
    second = platform.booking("Orchard Mill", email="gina@example.com", total=1500)
    sync()
    assert one(db, select(Enquiry.platformBookingId)) == str(first)
    for _ in range(2):  # back and forth: each hand-over is a new, separate status note
        platform.touch("bookings", first, booking_status="cancelled")
        sync()
        enquiry = one(db, select(Enquiry).where(Enquiry.platformEnquiryId == str(eid)))
        assert (enquiry.status, enquiry.platformBookingId, enquiry.bookingValue) == (
            "booked", str(second), Decimal("1500.00"))
        platform.touch("bookings", second, booking_status="cancelled")
        platform.touch("bookings", first, booking_status="confirmed")
        sync()
        assert one(db, select(Enquiry.platformBookingId)) == str(first)
        platform.touch("bookings", second, booking_status="confirmed")
        sync()
    assert one(db, select(Property.bookingCount)) == 2
    assert all_(db, select(SyncReject)) == []
