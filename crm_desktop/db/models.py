"""The CRM tables: the plan's seven `crm_*` tables (camelCase columns, as in the plan), widened where the
real platform needs it (see docs/schema.md), plus the CRM's own bookkeeping tables."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.db.base import Base, Money, new_id

CONTACT_TYPES = ("owner", "guest")
CONTACT_STATUSES = ("active", "inactive", "blocked")
LISTING_STATUSES = ("draft", "pending_approval", "live", "paused", "rejected", "expired")
TIERS = ("bronze", "silver", "gold")
ENQUIRY_STATUSES = ("new", "contacted", "negotiating", "booked", "lost", "spam")
CLOSED_ENQUIRY_STATUSES = ("booked", "lost", "spam")
PRIORITIES = ("low", "medium", "high")
ENQUIRY_SOURCES = ("form", "email", "phone", "website")
BILLING_CYCLES = ("annual", "monthly")
MEMBERSHIP_STATUSES = ("active", "expiring_soon", "expired", "cancelled", "suspended")
INTERACTION_TYPES = ("email", "phone", "message", "note", "status_change")
DIRECTIONS = ("inbound", "outbound", "internal")
INITIATORS = ("contact", "owner", "admin", "system")
ENTITY_TYPES = (
    "contact", "property", "enquiry", "membership", "interaction", "segment", "staff", "report", "outbox",
)
ACTIONS = (
    "created", "updated", "deleted", "status_changed", "revealed", "exported", "erased", "signed_in",
    "sign_in_failed", "locked_out",
)
SEGMENTS = ("high_value", "churning", "at_risk", "premium", "inactive")
STAFF_ROLES = ("admin", "staff", "viewer")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f'"{column}" IN ({quoted})'


class Contact(Base):
    __tablename__ = "crm_contacts"
    __table_args__ = (
        CheckConstraint(_in("type", CONTACT_TYPES), name="type"),
        CheckConstraint(_in("status", CONTACT_STATUSES), name="status"),
        Index("idx_crm_contacts_email", "email", "id"),  # covering for the table sorted by email
        # type/status lead, then the default sort: a filtered contacts table is one index range
        Index("idx_crm_contacts_type", "type", "lastName", "firstName", "id"),
        Index("idx_crm_contacts_status", "status", "lastName", "firstName", "id"),
        Index("idx_crm_contacts_userId", "userId"),
        Index("idx_crm_contacts_name", "lastName", "firstName", "id"),
        Index("idx_crm_contacts_createdAt", "createdAt", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(Text)
    firstName: Mapped[str | None] = mapped_column(Text)
    lastName: Mapped[str | None] = mapped_column(Text)
    # Stored trimmed and lower-cased, so the UNIQUE constraint matches the platform's email rule.
    email: Mapped[str] = mapped_column(Text, unique=True)
    phone: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    businessName: Mapped[str | None] = mapped_column(Text)
    # Sensitive: stored encrypted (see crm_desktop.services.sensitive), never in clear.
    taxId: Mapped[str | None] = mapped_column(Text)
    bankDetails: Mapped[str | None] = mapped_column(Text)
    companyName: Mapped[str | None] = mapped_column(Text)
    eventType: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="active", server_default="active")
    notes: Mapped[str | None] = mapped_column(Text)
    createdAt: Mapped[str] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)
    lastContactedAt: Mapped[str | None] = mapped_column(Text)
    # The platform user.id; no FK because the platform may live in another database.
    userId: Mapped[str | None] = mapped_column(Text, unique=True)
    # Widened: optimistic locking for rows staff edit.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    erasedAt: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}


class Property(Base):
    __tablename__ = "crm_properties"
    __table_args__ = (
        CheckConstraint(_in("listingStatus", LISTING_STATUSES), name="listing_status"),
        CheckConstraint(_in("membershipTier", TIERS), name="membership_tier"),
        CheckConstraint('"viewCount" >= 0 AND "enquiryCount" >= 0 AND "bookingCount" >= 0', name="counts"),
        Index("idx_crm_properties_ownerId", "ownerId"),
        Index("idx_crm_properties_status", "listingStatus"),
        Index("idx_crm_properties_tier", "membershipTier"),
        Index("idx_crm_properties_title", "title"),
        Index("idx_crm_properties_platformOwnerId", "platformOwnerId"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Widened: NULL while the platform owner is unknown or not synced yet (see platformOwnerId).
    ownerId: Mapped[str | None] = mapped_column(ForeignKey("crm_contacts.id"))
    # The platform properties.id (as text); unique so the sync is idempotent.
    propertyId: Mapped[str] = mapped_column(Text, unique=True)
    platformOwnerId: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    bedrooms: Mapped[int | None] = mapped_column(Integer)
    bathrooms: Mapped[int | None] = mapped_column(Integer)
    maxGuests: Mapped[int | None] = mapped_column(Integer)
    pricePerNight: Mapped[Decimal | None] = mapped_column(Money(10, 2))
    listingStatus: Mapped[str | None] = mapped_column(Text)
    membershipTier: Mapped[str | None] = mapped_column(Text)
    viewCount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    enquiryCount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    bookingCount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    totalRevenue: Mapped[Decimal] = mapped_column(Money(12, 2), default=Decimal("0"), server_default="0")
    createdAt: Mapped[str] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)
    publishedAt: Mapped[str | None] = mapped_column(Text)
    expiresAt: Mapped[str | None] = mapped_column(Text)
    internalNotes: Mapped[str | None] = mapped_column(Text)
    rejectionReason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class Enquiry(Base):
    __tablename__ = "crm_enquiries"
    __table_args__ = (
        CheckConstraint(_in("status", ENQUIRY_STATUSES), name="status"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("source", ENQUIRY_SOURCES), name="source"),
        CheckConstraint('"estimatedBudget" IS NULL OR "estimatedBudget" >= 0', name="budget"),
        CheckConstraint('"bookingValue" IS NULL OR "bookingValue" >= 0', name="booking_value"),
        Index("idx_crm_enquiries_contactId", "contactId"),
        Index("idx_crm_enquiries_ownerId", "ownerId"),
        Index("idx_crm_enquiries_propertyId", "propertyId"),
        Index("idx_crm_enquiries_status", "status"),
        Index("idx_crm_enquiries_createdAt", "createdAt"),
        Index("idx_crm_enquiries_guestEmail", "guestEmail"),
        # The pipeline board: the newest enquiries of one status without sorting them all.
        Index("idx_crm_enquiries_status_createdAt", "status", "createdAt"),
        Index("idx_crm_enquiries_assigned", "assignedToAdminId", "status", "createdAt"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contactId: Mapped[str] = mapped_column(ForeignKey("crm_contacts.id"))
    # Widened: NULL for general enquiries (no property) and while the owner is unknown.
    ownerId: Mapped[str | None] = mapped_column(ForeignKey("crm_contacts.id"))
    propertyId: Mapped[str | None] = mapped_column(ForeignKey("crm_properties.id"))
    # Widened: the platform enquiries.id (unique: idempotent sync) and its property id (to link later).
    platformEnquiryId: Mapped[str | None] = mapped_column(Text, unique=True)
    platformPropertyId: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="new", server_default="new")
    eventType: Mapped[str | None] = mapped_column(Text)
    eventDate: Mapped[str | None] = mapped_column(Text)
    estimatedGuests: Mapped[int | None] = mapped_column(Integer)
    estimatedBudget: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    message: Mapped[str | None] = mapped_column(Text)
    guestEmail: Mapped[str | None] = mapped_column(Text)
    guestPhone: Mapped[str | None] = mapped_column(Text)
    guestName: Mapped[str | None] = mapped_column(Text)
    createdAt: Mapped[str] = mapped_column(Text)
    firstResponseAt: Mapped[str | None] = mapped_column(Text)
    lastUpdatedAt: Mapped[str | None] = mapped_column(Text)
    closedAt: Mapped[str | None] = mapped_column(Text)
    convertedToBooking: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    bookingValue: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    # Widened: the platform booking that converted it (so a cancellation can undo exactly that).
    platformBookingId: Mapped[str | None] = mapped_column(Text)
    assignedToAdminId: Mapped[str | None] = mapped_column(ForeignKey("crm_staff.id"))
    internalNotes: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class Membership(Base):
    __tablename__ = "crm_memberships"
    __table_args__ = (
        CheckConstraint(_in("planTier", TIERS), name="plan_tier"),
        CheckConstraint(_in("billingCycle", BILLING_CYCLES), name="billing_cycle"),
        CheckConstraint(_in("status", MEMBERSHIP_STATUSES), name="status"),
        CheckConstraint('"planPrice" IS NULL OR "planPrice" >= 0', name="plan_price"),
        CheckConstraint('"paymentFailureCount" >= 0', name="failures"),
        CheckConstraint('"endDate" >= "startDate"', name="dates"),
        Index("idx_crm_memberships_contactId", "contactId"),
        Index("idx_crm_memberships_status", "status"),
        Index("idx_crm_memberships_endDate", "endDate"),
        Index("idx_crm_memberships_stripeCustomerId", "stripeCustomerId"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Widened: NULL while the owner of a Stripe/platform subscription is not known yet.
    contactId: Mapped[str | None] = mapped_column(ForeignKey("crm_contacts.id"))
    propertyId: Mapped[str | None] = mapped_column(ForeignKey("crm_properties.id"))
    planTier: Mapped[str] = mapped_column(Text)
    planPrice: Mapped[Decimal | None] = mapped_column(Money(10, 2))
    billingCycle: Mapped[str | None] = mapped_column(Text)
    startDate: Mapped[str] = mapped_column(Text)
    endDate: Mapped[str] = mapped_column(Text)
    renewalDate: Mapped[str | None] = mapped_column(Text)
    cancelledDate: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="active", server_default="active")
    stripeCustomerId: Mapped[str | None] = mapped_column(Text)
    stripeSubscriptionId: Mapped[str | None] = mapped_column(Text, unique=True)
    # Widened: the platform property_subscriptions.id, for rows with no Stripe subscription.
    platformSubscriptionId: Mapped[str | None] = mapped_column(Text, unique=True)
    # Widened: who the owner is, for linking when the contact arrives later.
    platformUserId: Mapped[str | None] = mapped_column(Text)
    customerEmail: Mapped[str | None] = mapped_column(Text)
    lastPaymentDate: Mapped[str | None] = mapped_column(Text)
    lastPaymentAmount: Mapped[Decimal | None] = mapped_column(Money(10, 2))
    nextPaymentDate: Mapped[str | None] = mapped_column(Text)
    autoRenew: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    paymentFailureCount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    createdAt: Mapped[str] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Widened: when Stripe last updated this row; Stripe is the fresher source for status and payments.
    stripeSyncedAt: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class Interaction(Base):
    __tablename__ = "crm_interactions"
    __table_args__ = (
        CheckConstraint(_in("type", INTERACTION_TYPES), name="type"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("initiatedBy", INITIATORS), name="initiated_by"),
        Index("idx_crm_interactions_contactId", "contactId", "createdAt"),
        Index("idx_crm_interactions_type", "type"),
        Index("idx_crm_interactions_createdAt", "createdAt"),
        Index("idx_crm_interactions_relatedEnquiryId", "relatedEnquiryId"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contactId: Mapped[str] = mapped_column(ForeignKey("crm_contacts.id"))
    relatedPropertyId: Mapped[str | None] = mapped_column(ForeignKey("crm_properties.id"))
    relatedEnquiryId: Mapped[str | None] = mapped_column(ForeignKey("crm_enquiries.id"))
    type: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[str | None] = mapped_column(Text)
    initiatedBy: Mapped[str | None] = mapped_column(Text)
    createdAt: Mapped[str] = mapped_column(Text)
    readAt: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[str | None] = mapped_column("metadata", Text)
    # Widened: who on the staff logged it, and a unique key that makes synced interactions idempotent.
    performedBy: Mapped[str | None] = mapped_column(Text)
    externalKey: Mapped[str | None] = mapped_column(Text, unique=True)


class ActivityLog(Base):
    __tablename__ = "crm_activity_log"
    __table_args__ = (
        CheckConstraint(_in("entityType", ENTITY_TYPES), name="entity_type"),
        CheckConstraint(_in("action", ACTIONS), name="action"),
        Index("idx_crm_activity_log_entityId", "entityId"),
        Index("idx_crm_activity_log_timestamp", "timestamp"),
        Index("idx_crm_activity_log_action", "action"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entityType: Mapped[str] = mapped_column(Text)
    entityId: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    changedFields: Mapped[str | None] = mapped_column(Text)
    performedBy: Mapped[str] = mapped_column(Text)
    ipAddress: Mapped[str | None] = mapped_column(Text)
    timestamp: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[str | None] = mapped_column("metadata", Text)


class Segment(Base):
    __tablename__ = "crm_segments"
    __table_args__ = (
        CheckConstraint(_in("segment", SEGMENTS), name="segment"),
        CheckConstraint('"engagementScore" >= 0 AND "engagementScore" <= 100', name="score"),
        Index("idx_crm_segments_contactId", "contactId"),
        Index("idx_crm_segments_segment", "segment"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contactId: Mapped[str] = mapped_column(ForeignKey("crm_contacts.id"))
    segment: Mapped[str] = mapped_column(Text)
    lifetimeValue: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    engagementScore: Mapped[int | None] = mapped_column(Integer)
    addedAt: Mapped[str] = mapped_column(Text)
    removedAt: Mapped[str | None] = mapped_column(Text)
    # Widened: why the owner is in the segment (JSON list of reasons), visible to staff.
    reasons: Mapped[str | None] = mapped_column(Text)


# ---- The CRM's own bookkeeping (not in the plan) -------------------------------------------------


class Staff(Base):
    """The plan's `admin`: staff who sign in, are assigned enquiries and are named in the audit log."""

    __tablename__ = "crm_staff"
    __table_args__ = (CheckConstraint(_in("role", STAFF_ROLES), name="role"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, default="staff", server_default="staff")
    passwordHash: Mapped[str | None] = mapped_column(Text)
    platformUserId: Mapped[str | None] = mapped_column(Text, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    failedLogins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lockedUntil: Mapped[str | None] = mapped_column(Text)
    createdAt: Mapped[str] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)


class SyncCursor(Base):
    """Where each incremental source got to; written in the same transaction as the rows it covers."""

    __tablename__ = "crm_sync_cursors"

    source: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[str | None] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)


class SyncReject(Base):
    """A platform row or Stripe object set aside by the sync, with the reason, for staff to see."""

    __tablename__ = "crm_sync_rejects"
    __table_args__ = (UniqueConstraint("source", "externalId"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(Text)
    externalId: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    firstSeenAt: Mapped[str] = mapped_column(Text)
    lastSeenAt: Mapped[str] = mapped_column(Text)
    resolvedAt: Mapped[str | None] = mapped_column(Text)


class SyncRun(Base):
    """One sync pass: when, by which desktop, and what it did (JSON summary)."""

    __tablename__ = "crm_sync_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    startedAt: Mapped[str] = mapped_column(Text)
    finishedAt: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="running")
    summary: Mapped[str | None] = mapped_column(Text)


class PlatformBooking(Base):
    """A platform booking as the sync saw it: what the property counters count, and the exact effect it
    had on its enquiry (JSON of the fields it set and their values before), so a cancellation undoes it."""

    __tablename__ = "crm_platform_bookings"
    __table_args__ = (Index("idx_crm_platform_bookings_propertyId", "propertyId"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    platformBookingId: Mapped[str] = mapped_column(Text, unique=True)
    propertyId: Mapped[str | None] = mapped_column(ForeignKey("crm_properties.id"))
    enquiryId: Mapped[str | None] = mapped_column(ForeignKey("crm_enquiries.id"))
    contactId: Mapped[str | None] = mapped_column(ForeignKey("crm_contacts.id"))
    status: Mapped[str] = mapped_column(Text)
    totalPrice: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    effect: Mapped[str | None] = mapped_column(Text)
    createdAt: Mapped[str] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)


class JobRun(Base):
    """A daily job run; the unique (job, day) pair makes each job run once a day across desktops."""

    __tablename__ = "crm_job_runs"
    __table_args__ = (UniqueConstraint("job", "day"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job: Mapped[str] = mapped_column(Text)
    day: Mapped[str] = mapped_column(Text)
    startedAt: Mapped[str] = mapped_column(Text)
    finishedAt: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)


class OutboxEmail(Base):
    """Emails the CRM sends (renewal reminders); dedupeKey unique so none is sent twice."""

    __tablename__ = "crm_outbox"
    __table_args__ = (CheckConstraint(_in("status", ("queued", "sent", "failed")), name="status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dedupeKey: Mapped[str] = mapped_column(Text, unique=True)
    contactId: Mapped[str | None] = mapped_column(ForeignKey("crm_contacts.id"))
    toAddress: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="queued", server_default="queued")
    createdAt: Mapped[str] = mapped_column(Text)
    sentAt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """Shared settings stored in the CRM database (e.g. the renewal email template)."""

    __tablename__ = "crm_settings"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updatedAt: Mapped[str] = mapped_column(Text)


class Counter(Base):
    """Running totals for the dashboard, kept by triggers (see crm_desktop.db.counters); never written by hand."""

    __tablename__ = "crm_counters"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    pence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Tombstone(Base):
    """An erased person: a keyed hash of their email / platform id, so a sync does not bring them back."""

    __tablename__ = "crm_tombstones"

    keyHash: Mapped[str] = mapped_column(Text, primary_key=True)
    erasedAt: Mapped[str] = mapped_column(Text)
    platformUpdatedAt: Mapped[str | None] = mapped_column(Text)


ALL_CRM_TABLES = (
    "crm_contacts", "crm_properties", "crm_enquiries", "crm_memberships",
    "crm_interactions", "crm_activity_log", "crm_segments",
)
