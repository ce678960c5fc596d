"""Row builders for report and job tests: model rows inserted directly, with every field the tests
depend on spelled out, so the hand-computed numbers in the tests can be checked against this file."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact, Enquiry, Interaction, Membership, Property

T0 = "2026-01-01T00:00:00.000Z"


def contact(s: Session, email: str, first: str, last: str, type_: str = "owner", **extra) -> Contact:
    row = Contact(type=type_, email=email, firstName=first, lastName=last, createdAt=T0, updatedAt=T0, **extra)
    s.add(row)
    s.flush()
    return row


def prop(s: Session, owner: Contact, pid: str, title: str, status: str = "live", views: int = 0,
         revenue: str = "0", **extra) -> Property:
    row = Property(ownerId=owner.id, propertyId=pid, title=title, listingStatus=status, viewCount=views,
                   totalRevenue=Decimal(revenue), createdAt=T0, updatedAt=T0, **extra)
    s.add(row)
    s.flush()
    return row


def enquiry(s: Session, guest: Contact, owner: Contact, prop_: Property | None, created: str, status: str,
            reply_after_minutes: int | None = None, value: str | None = None, source: str | None = None,
            **extra) -> Enquiry:
    from datetime import timedelta

    from crm_desktop.timeutil import iso, parse_ts

    first = iso(parse_ts(created) + timedelta(minutes=reply_after_minutes)) if reply_after_minutes else None
    row = Enquiry(contactId=guest.id, ownerId=owner.id, propertyId=prop_.id if prop_ else None,
                  createdAt=created, status=status, firstResponseAt=first,
                  convertedToBooking=status == "booked", bookingValue=Decimal(value) if value else None,
                  source=source, **extra)
    s.add(row)
    s.flush()
    return row


def status_change(s: Session, enq: Enquiry, old: str, new: str, at: str) -> None:
    """The interaction crm_desktop.services.enquiries.change_status writes for a pipeline move."""
    s.add(Interaction(contactId=enq.contactId, relatedEnquiryId=enq.id, type="status_change",
                      subject=f"Enquiry {old} → {new}", direction="internal", initiatedBy="admin",
                      createdAt=at))


def membership(s: Session, owner: Contact | None, tier: str, price: str, cycle: str | None, start: str,
               end: str, status: str = "active", **extra) -> Membership:
    row = Membership(contactId=owner.id if owner else None, planTier=tier, planPrice=Decimal(price),
                     billingCycle=cycle, startDate=start, endDate=end, status=status, createdAt=T0,
                     updatedAt=T0, **extra)
    s.add(row)
    s.flush()
    return row
