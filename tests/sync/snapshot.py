"""A CRM database's content by natural keys (platform ids, emails), to compare two databases that were
synced differently (crashed and re-run, two desktops at once) with one synced cleanly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
from crm_desktop.db.models import (
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Membership,
    PlatformBooking,
    Property,
    SyncReject,
)
from crm_desktop.sync.runner import run_sync

COUNTERS_REASON = "platform sync: counters recomputed"


def snapshot(db: Database) -> dict[str, Any]:
    with db.read() as s:
        email = dict(s.execute(select(Contact.id, Contact.email)).all())
        pid = dict(s.execute(select(Property.id, Property.propertyId)).all())
        return {
            "contacts": sorted((c.email, c.type, c.firstName, c.lastName, c.userId, c.businessName, c.phone)
                               for c in s.scalars(select(Contact))),
            "properties": sorted((p.propertyId, p.title, email.get(p.ownerId), p.listingStatus, p.membershipTier,
                                  p.enquiryCount, p.bookingCount, str(p.totalRevenue), p.viewCount)
                                 for p in s.scalars(select(Property))),
            "enquiries": sorted((e.platformEnquiryId, email[e.contactId], email.get(e.ownerId), pid.get(e.propertyId),
                                 e.status, e.convertedToBooking, str(e.bookingValue), e.platformBookingId,
                                 e.eventType, e.eventDate, e.estimatedGuests, str(e.estimatedBudget))
                                for e in s.scalars(select(Enquiry))),
            "bookings": sorted((b.platformBookingId, pid.get(b.propertyId), b.status, str(b.totalPrice))
                               for b in s.scalars(select(PlatformBooking))),
            "memberships": sorted((m.platformSubscriptionId, m.stripeSubscriptionId, email.get(m.contactId),
                                   m.planTier, m.status, m.startDate, m.endDate, m.lastPaymentDate,
                                   str(m.lastPaymentAmount), m.paymentFailureCount)
                                  for m in s.scalars(select(Membership))),
            "interactions": sorted(Counter((i.type, i.externalKey is not None) for i in s.scalars(
                select(Interaction))).items()),
            "message_keys": sorted(s.scalars(select(Interaction.externalKey).where(
                Interaction.externalKey.is_not(None))).all()),
            # Counter recomputes are audited once per batch that touched the property, so their number
            # depends on batch boundaries; every other entry must match exactly.
            "audit": sorted(Counter(s.execute(select(ActivityLog.entityType, ActivityLog.action).where(
                ActivityLog.reason != COUNTERS_REASON)).all()).items()),
            "created_twice": s.execute(select(ActivityLog.entityId).where(ActivityLog.action == "created")
                                       .group_by(ActivityLog.entityId).having(func.count() > 1)).all(),
            "rejects": sorted(s.execute(select(SyncReject.source, SyncReject.externalId, SyncReject.reason)).all()),
        }


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in
                (Contact, Property, Enquiry, Interaction, Membership, PlatformBooking, ActivityLog, SyncReject)}


def reference_snapshot(folder: Path, platform_url: str) -> dict[str, Any]:
    """The CRM content after one clean sync of the platform into a fresh SQLite CRM database."""
    url = f"sqlite:///{folder / 'reference.sqlite3'}"
    ref = Database(url)
    upgrade(ref.engine)
    ctx = AppContext(Settings(database_url=url, platform_database_url=platform_url))
    run_sync(ctx)
    ctx.close()
    snap = snapshot(ref)
    ref.dispose()
    return snap
