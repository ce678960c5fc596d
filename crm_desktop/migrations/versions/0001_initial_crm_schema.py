"""initial CRM schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 09:55:41.040345
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('crm_activity_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entityType', sa.Text(), nullable=False),
    sa.Column('entityId', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('changedFields', sa.Text(), nullable=True),
    sa.Column('performedBy', sa.Text(), nullable=False),
    sa.Column('ipAddress', sa.Text(), nullable=True),
    sa.Column('timestamp', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('metadata', sa.Text(), nullable=True),
    sa.CheckConstraint('"action" IN (\'created\', \'updated\', \'deleted\', \'status_changed\', \'revealed\', \'exported\', \'erased\', \'signed_in\', \'sign_in_failed\', \'locked_out\')', name=op.f('ck_crm_activity_log_action')),
    sa.CheckConstraint('"entityType" IN (\'contact\', \'property\', \'enquiry\', \'membership\', \'interaction\', \'segment\', \'staff\', \'report\', \'outbox\')', name=op.f('ck_crm_activity_log_entity_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_activity_log'))
    )
    with op.batch_alter_table('crm_activity_log', schema=None) as batch_op:
        batch_op.create_index('idx_crm_activity_log_action', ['action'], unique=False)
        batch_op.create_index('idx_crm_activity_log_entityId', ['entityId'], unique=False)
        batch_op.create_index('idx_crm_activity_log_timestamp', ['timestamp'], unique=False)

    op.create_table('crm_contacts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('firstName', sa.Text(), nullable=True),
    sa.Column('lastName', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('postcode', sa.Text(), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('businessName', sa.Text(), nullable=True),
    sa.Column('taxId', sa.Text(), nullable=True),
    sa.Column('bankDetails', sa.Text(), nullable=True),
    sa.Column('companyName', sa.Text(), nullable=True),
    sa.Column('eventType', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='active', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.Column('lastContactedAt', sa.Text(), nullable=True),
    sa.Column('userId', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('erasedAt', sa.Text(), nullable=True),
    sa.CheckConstraint('"status" IN (\'active\', \'inactive\', \'blocked\')', name=op.f('ck_crm_contacts_status')),
    sa.CheckConstraint('"type" IN (\'owner\', \'guest\')', name=op.f('ck_crm_contacts_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_contacts')),
    sa.UniqueConstraint('email', name=op.f('uq_crm_contacts_email')),
    sa.UniqueConstraint('userId', name=op.f('uq_crm_contacts_userId'))
    )
    with op.batch_alter_table('crm_contacts', schema=None) as batch_op:
        batch_op.create_index('idx_crm_contacts_createdAt', ['createdAt', 'id'], unique=False)
        batch_op.create_index('idx_crm_contacts_email', ['email', 'id'], unique=False)
        batch_op.create_index('idx_crm_contacts_name', ['lastName', 'firstName', 'id'], unique=False)
        batch_op.create_index('idx_crm_contacts_status', ['status', 'lastName', 'firstName', 'id'], unique=False)
        batch_op.create_index('idx_crm_contacts_type', ['type', 'lastName', 'firstName', 'id'], unique=False)
        batch_op.create_index('idx_crm_contacts_userId', ['userId'], unique=False)

    op.create_table('crm_job_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('job', sa.Text(), nullable=False),
    sa.Column('day', sa.Text(), nullable=False),
    sa.Column('startedAt', sa.Text(), nullable=False),
    sa.Column('finishedAt', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_job_runs')),
    sa.UniqueConstraint('job', 'day', name=op.f('uq_crm_job_runs_job_day'))
    )
    op.create_table('crm_settings',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_crm_settings'))
    )
    op.create_table('crm_staff',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), server_default='staff', nullable=False),
    sa.Column('passwordHash', sa.Text(), nullable=True),
    sa.Column('platformUserId', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('failedLogins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lockedUntil', sa.Text(), nullable=True),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.CheckConstraint('"role" IN (\'admin\', \'staff\', \'viewer\')', name=op.f('ck_crm_staff_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_staff')),
    sa.UniqueConstraint('email', name=op.f('uq_crm_staff_email')),
    sa.UniqueConstraint('platformUserId', name=op.f('uq_crm_staff_platformUserId'))
    )
    op.create_table('crm_sync_cursors',
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('position', sa.Text(), nullable=True),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_crm_sync_cursors'))
    )
    op.create_table('crm_sync_rejects',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('externalId', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('firstSeenAt', sa.Text(), nullable=False),
    sa.Column('lastSeenAt', sa.Text(), nullable=False),
    sa.Column('resolvedAt', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_sync_rejects')),
    sa.UniqueConstraint('source', 'externalId', name=op.f('uq_crm_sync_rejects_source_externalId'))
    )
    op.create_table('crm_sync_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('startedAt', sa.Text(), nullable=False),
    sa.Column('finishedAt', sa.Text(), nullable=True),
    sa.Column('host', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_sync_runs'))
    )
    op.create_table('crm_tombstones',
    sa.Column('keyHash', sa.Text(), nullable=False),
    sa.Column('erasedAt', sa.Text(), nullable=False),
    sa.Column('platformUpdatedAt', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('keyHash', name=op.f('pk_crm_tombstones'))
    )
    op.create_table('crm_outbox',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('dedupeKey', sa.Text(), nullable=False),
    sa.Column('contactId', sa.String(length=36), nullable=True),
    sa.Column('toAddress', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default='queued', nullable=False),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('sentAt', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint('"status" IN (\'queued\', \'sent\', \'failed\')', name=op.f('ck_crm_outbox_status')),
    sa.ForeignKeyConstraint(['contactId'], ['crm_contacts.id'], name=op.f('fk_crm_outbox_contactId_crm_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_outbox')),
    sa.UniqueConstraint('dedupeKey', name=op.f('uq_crm_outbox_dedupeKey'))
    )
    op.create_table('crm_properties',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ownerId', sa.String(length=36), nullable=True),
    sa.Column('propertyId', sa.Text(), nullable=False),
    sa.Column('platformOwnerId', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('bedrooms', sa.Integer(), nullable=True),
    sa.Column('bathrooms', sa.Integer(), nullable=True),
    sa.Column('maxGuests', sa.Integer(), nullable=True),
    sa.Column('pricePerNight', sa.Numeric(10, 2), nullable=True),
    sa.Column('listingStatus', sa.Text(), nullable=True),
    sa.Column('membershipTier', sa.Text(), nullable=True),
    sa.Column('viewCount', sa.Integer(), server_default='0', nullable=False),
    sa.Column('enquiryCount', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bookingCount', sa.Integer(), server_default='0', nullable=False),
    sa.Column('totalRevenue', sa.Numeric(12, 2), server_default='0', nullable=False),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.Column('publishedAt', sa.Text(), nullable=True),
    sa.Column('expiresAt', sa.Text(), nullable=True),
    sa.Column('internalNotes', sa.Text(), nullable=True),
    sa.Column('rejectionReason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('"listingStatus" IN (\'draft\', \'pending_approval\', \'live\', \'paused\', \'rejected\', \'expired\')', name=op.f('ck_crm_properties_listing_status')),
    sa.CheckConstraint('"membershipTier" IN (\'bronze\', \'silver\', \'gold\')', name=op.f('ck_crm_properties_membership_tier')),
    sa.CheckConstraint('"viewCount" >= 0 AND "enquiryCount" >= 0 AND "bookingCount" >= 0', name=op.f('ck_crm_properties_counts')),
    sa.ForeignKeyConstraint(['ownerId'], ['crm_contacts.id'], name=op.f('fk_crm_properties_ownerId_crm_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_properties')),
    sa.UniqueConstraint('propertyId', name=op.f('uq_crm_properties_propertyId'))
    )
    with op.batch_alter_table('crm_properties', schema=None) as batch_op:
        batch_op.create_index('idx_crm_properties_ownerId', ['ownerId'], unique=False)
        batch_op.create_index('idx_crm_properties_platformOwnerId', ['platformOwnerId'], unique=False)
        batch_op.create_index('idx_crm_properties_status', ['listingStatus'], unique=False)
        batch_op.create_index('idx_crm_properties_tier', ['membershipTier'], unique=False)
        batch_op.create_index('idx_crm_properties_title', ['title'], unique=False)

    op.create_table('crm_segments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contactId', sa.String(length=36), nullable=False),
    sa.Column('segment', sa.Text(), nullable=False),
    sa.Column('lifetimeValue', sa.Numeric(12, 2), nullable=True),
    sa.Column('engagementScore', sa.Integer(), nullable=True),
    sa.Column('addedAt', sa.Text(), nullable=False),
    sa.Column('removedAt', sa.Text(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.CheckConstraint('"engagementScore" >= 0 AND "engagementScore" <= 100', name=op.f('ck_crm_segments_score')),
    sa.CheckConstraint('"segment" IN (\'high_value\', \'churning\', \'at_risk\', \'premium\', \'inactive\')', name=op.f('ck_crm_segments_segment')),
    sa.ForeignKeyConstraint(['contactId'], ['crm_contacts.id'], name=op.f('fk_crm_segments_contactId_crm_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_segments'))
    )
    with op.batch_alter_table('crm_segments', schema=None) as batch_op:
        batch_op.create_index('idx_crm_segments_contactId', ['contactId'], unique=False)
        batch_op.create_index('idx_crm_segments_segment', ['segment'], unique=False)

    op.create_table('crm_enquiries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contactId', sa.String(length=36), nullable=False),
    sa.Column('ownerId', sa.String(length=36), nullable=True),
    sa.Column('propertyId', sa.String(length=36), nullable=True),
    sa.Column('platformEnquiryId', sa.Text(), nullable=True),
    sa.Column('platformPropertyId', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='new', nullable=False),
    sa.Column('eventType', sa.Text(), nullable=True),
    sa.Column('eventDate', sa.Text(), nullable=True),
    sa.Column('estimatedGuests', sa.Integer(), nullable=True),
    sa.Column('estimatedBudget', sa.Numeric(12, 2), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('guestEmail', sa.Text(), nullable=True),
    sa.Column('guestPhone', sa.Text(), nullable=True),
    sa.Column('guestName', sa.Text(), nullable=True),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('firstResponseAt', sa.Text(), nullable=True),
    sa.Column('lastUpdatedAt', sa.Text(), nullable=True),
    sa.Column('closedAt', sa.Text(), nullable=True),
    sa.Column('convertedToBooking', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('bookingValue', sa.Numeric(12, 2), nullable=True),
    sa.Column('platformBookingId', sa.Text(), nullable=True),
    sa.Column('assignedToAdminId', sa.String(length=36), nullable=True),
    sa.Column('internalNotes', sa.Text(), nullable=True),
    sa.Column('priority', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('"bookingValue" IS NULL OR "bookingValue" >= 0', name=op.f('ck_crm_enquiries_booking_value')),
    sa.CheckConstraint('"estimatedBudget" IS NULL OR "estimatedBudget" >= 0', name=op.f('ck_crm_enquiries_budget')),
    sa.CheckConstraint('"priority" IN (\'low\', \'medium\', \'high\')', name=op.f('ck_crm_enquiries_priority')),
    sa.CheckConstraint('"source" IN (\'form\', \'email\', \'phone\', \'website\')', name=op.f('ck_crm_enquiries_source')),
    sa.CheckConstraint('"status" IN (\'new\', \'contacted\', \'negotiating\', \'booked\', \'lost\', \'spam\')', name=op.f('ck_crm_enquiries_status')),
    sa.ForeignKeyConstraint(['assignedToAdminId'], ['crm_staff.id'], name=op.f('fk_crm_enquiries_assignedToAdminId_crm_staff')),
    sa.ForeignKeyConstraint(['contactId'], ['crm_contacts.id'], name=op.f('fk_crm_enquiries_contactId_crm_contacts')),
    sa.ForeignKeyConstraint(['ownerId'], ['crm_contacts.id'], name=op.f('fk_crm_enquiries_ownerId_crm_contacts')),
    sa.ForeignKeyConstraint(['propertyId'], ['crm_properties.id'], name=op.f('fk_crm_enquiries_propertyId_crm_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_enquiries')),
    sa.UniqueConstraint('platformEnquiryId', name=op.f('uq_crm_enquiries_platformEnquiryId'))
    )
    with op.batch_alter_table('crm_enquiries', schema=None) as batch_op:
        batch_op.create_index('idx_crm_enquiries_contactId', ['contactId'], unique=False)
        batch_op.create_index('idx_crm_enquiries_createdAt', ['createdAt'], unique=False)
        batch_op.create_index('idx_crm_enquiries_guestEmail', ['guestEmail'], unique=False)
        batch_op.create_index('idx_crm_enquiries_ownerId', ['ownerId'], unique=False)
        batch_op.create_index('idx_crm_enquiries_propertyId', ['propertyId'], unique=False)
        batch_op.create_index('idx_crm_enquiries_status', ['status'], unique=False)
        batch_op.create_index('idx_crm_enquiries_status_createdAt', ['status', 'createdAt'], unique=False)
        batch_op.create_index('idx_crm_enquiries_assigned', ['assignedToAdminId', 'status', 'createdAt'], unique=False)

    op.create_table('crm_memberships',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contactId', sa.String(length=36), nullable=True),
    sa.Column('propertyId', sa.String(length=36), nullable=True),
    sa.Column('planTier', sa.Text(), nullable=False),
    sa.Column('planPrice', sa.Numeric(10, 2), nullable=True),
    sa.Column('billingCycle', sa.Text(), nullable=True),
    sa.Column('startDate', sa.Text(), nullable=False),
    sa.Column('endDate', sa.Text(), nullable=False),
    sa.Column('renewalDate', sa.Text(), nullable=True),
    sa.Column('cancelledDate', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='active', nullable=False),
    sa.Column('stripeCustomerId', sa.Text(), nullable=True),
    sa.Column('stripeSubscriptionId', sa.Text(), nullable=True),
    sa.Column('platformSubscriptionId', sa.Text(), nullable=True),
    sa.Column('platformUserId', sa.Text(), nullable=True),
    sa.Column('customerEmail', sa.Text(), nullable=True),
    sa.Column('lastPaymentDate', sa.Text(), nullable=True),
    sa.Column('lastPaymentAmount', sa.Numeric(10, 2), nullable=True),
    sa.Column('nextPaymentDate', sa.Text(), nullable=True),
    sa.Column('autoRenew', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('paymentFailureCount', sa.Integer(), server_default='0', nullable=False),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('stripeSyncedAt', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('"billingCycle" IN (\'annual\', \'monthly\')', name=op.f('ck_crm_memberships_billing_cycle')),
    sa.CheckConstraint('"endDate" >= "startDate"', name=op.f('ck_crm_memberships_dates')),
    sa.CheckConstraint('"paymentFailureCount" >= 0', name=op.f('ck_crm_memberships_failures')),
    sa.CheckConstraint('"planPrice" IS NULL OR "planPrice" >= 0', name=op.f('ck_crm_memberships_plan_price')),
    sa.CheckConstraint('"planTier" IN (\'bronze\', \'silver\', \'gold\')', name=op.f('ck_crm_memberships_plan_tier')),
    sa.CheckConstraint('"status" IN (\'active\', \'expiring_soon\', \'expired\', \'cancelled\', \'suspended\')', name=op.f('ck_crm_memberships_status')),
    sa.ForeignKeyConstraint(['contactId'], ['crm_contacts.id'], name=op.f('fk_crm_memberships_contactId_crm_contacts')),
    sa.ForeignKeyConstraint(['propertyId'], ['crm_properties.id'], name=op.f('fk_crm_memberships_propertyId_crm_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_memberships')),
    sa.UniqueConstraint('platformSubscriptionId', name=op.f('uq_crm_memberships_platformSubscriptionId')),
    sa.UniqueConstraint('stripeSubscriptionId', name=op.f('uq_crm_memberships_stripeSubscriptionId'))
    )
    with op.batch_alter_table('crm_memberships', schema=None) as batch_op:
        batch_op.create_index('idx_crm_memberships_contactId', ['contactId'], unique=False)
        batch_op.create_index('idx_crm_memberships_endDate', ['endDate'], unique=False)
        batch_op.create_index('idx_crm_memberships_status', ['status'], unique=False)
        batch_op.create_index('idx_crm_memberships_stripeCustomerId', ['stripeCustomerId'], unique=False)

    op.create_table('crm_interactions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contactId', sa.String(length=36), nullable=False),
    sa.Column('relatedPropertyId', sa.String(length=36), nullable=True),
    sa.Column('relatedEnquiryId', sa.String(length=36), nullable=True),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('direction', sa.Text(), nullable=True),
    sa.Column('initiatedBy', sa.Text(), nullable=True),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('readAt', sa.Text(), nullable=True),
    sa.Column('metadata', sa.Text(), nullable=True),
    sa.Column('performedBy', sa.Text(), nullable=True),
    sa.Column('externalKey', sa.Text(), nullable=True),
    sa.CheckConstraint('"direction" IN (\'inbound\', \'outbound\', \'internal\')', name=op.f('ck_crm_interactions_direction')),
    sa.CheckConstraint('"initiatedBy" IN (\'contact\', \'owner\', \'admin\', \'system\')', name=op.f('ck_crm_interactions_initiated_by')),
    sa.CheckConstraint('"type" IN (\'email\', \'phone\', \'message\', \'note\', \'status_change\')', name=op.f('ck_crm_interactions_type')),
    sa.ForeignKeyConstraint(['contactId'], ['crm_contacts.id'], name=op.f('fk_crm_interactions_contactId_crm_contacts')),
    sa.ForeignKeyConstraint(['relatedEnquiryId'], ['crm_enquiries.id'], name=op.f('fk_crm_interactions_relatedEnquiryId_crm_enquiries')),
    sa.ForeignKeyConstraint(['relatedPropertyId'], ['crm_properties.id'], name=op.f('fk_crm_interactions_relatedPropertyId_crm_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_interactions')),
    sa.UniqueConstraint('externalKey', name=op.f('uq_crm_interactions_externalKey'))
    )
    with op.batch_alter_table('crm_interactions', schema=None) as batch_op:
        batch_op.create_index('idx_crm_interactions_contactId', ['contactId', 'createdAt'], unique=False)
        batch_op.create_index('idx_crm_interactions_createdAt', ['createdAt'], unique=False)
        batch_op.create_index('idx_crm_interactions_relatedEnquiryId', ['relatedEnquiryId'], unique=False)
        batch_op.create_index('idx_crm_interactions_type', ['type'], unique=False)
    op.create_table('crm_platform_bookings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('platformBookingId', sa.Text(), nullable=False),
    sa.Column('propertyId', sa.String(length=36), nullable=True),
    sa.Column('enquiryId', sa.String(length=36), nullable=True),
    sa.Column('contactId', sa.String(length=36), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('totalPrice', sa.Numeric(12, 2), nullable=True),
    sa.Column('effect', sa.Text(), nullable=True),
    sa.Column('createdAt', sa.Text(), nullable=False),
    sa.Column('updatedAt', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contactId'], ['crm_contacts.id'], name=op.f('fk_crm_platform_bookings_contactId_crm_contacts')),
    sa.ForeignKeyConstraint(['enquiryId'], ['crm_enquiries.id'], name=op.f('fk_crm_platform_bookings_enquiryId_crm_enquiries')),
    sa.ForeignKeyConstraint(['propertyId'], ['crm_properties.id'], name=op.f('fk_crm_platform_bookings_propertyId_crm_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_platform_bookings')),
    sa.UniqueConstraint('platformBookingId', name=op.f('uq_crm_platform_bookings_platformBookingId'))
    )
    with op.batch_alter_table('crm_platform_bookings', schema=None) as batch_op:
        batch_op.create_index('idx_crm_platform_bookings_propertyId', ['propertyId'], unique=False)

    _create_contact_search_index()
    _create_counters()


# Dashboard totals kept by triggers (crm_desktop/db/counters.py holds the DDL for both databases).
def _create_counters() -> None:
    from crm_desktop.db import counters

    op.create_table('crm_counters',
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('name', 'key', name=op.f('pk_crm_counters'))
    )
    for statement in counters.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def _drop_counters() -> None:
    from crm_desktop.db import counters

    for statement in counters.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('crm_counters')


# Search-as-you-type over contacts (see crm_desktop/search/contacts_index.py): an FTS5 trigram index on
# SQLite kept in step by triggers, a pg_trgm GIN index on PostgreSQL. Not in the models (virtual table,
# expression index); migration comparisons skip them via contacts_index.include_object.
_FTS_COLS = '"firstName", "lastName", "email", "phone", "businessName"'
_FTS_NEW = 'new."firstName", new."lastName", new."email", new."phone", new."businessName"'
_FTS_OLD = 'old."firstName", old."lastName", old."email", old."phone", old."businessName"'


def _create_contact_search_index() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE crm_contacts_fts USING fts5({_FTS_COLS}, content='crm_contacts', "
                   "content_rowid='rowid', tokenize='trigram')")
        op.execute(f"CREATE TRIGGER crm_contacts_fts_ai AFTER INSERT ON crm_contacts BEGIN "
                   f"INSERT INTO crm_contacts_fts(rowid, {_FTS_COLS}) VALUES (new.rowid, {_FTS_NEW}); END")
        op.execute(f"CREATE TRIGGER crm_contacts_fts_ad AFTER DELETE ON crm_contacts BEGIN "
                   f"INSERT INTO crm_contacts_fts(crm_contacts_fts, rowid, {_FTS_COLS}) "
                   f"VALUES ('delete', old.rowid, {_FTS_OLD}); END")
        op.execute(f"CREATE TRIGGER crm_contacts_fts_au AFTER UPDATE OF {_FTS_COLS} ON crm_contacts BEGIN "
                   f"INSERT INTO crm_contacts_fts(crm_contacts_fts, rowid, {_FTS_COLS}) "
                   f"VALUES ('delete', old.rowid, {_FTS_OLD}); "
                   f"INSERT INTO crm_contacts_fts(rowid, {_FTS_COLS}) VALUES (new.rowid, {_FTS_NEW}); END")
    elif dialect == "postgresql":
        available = op.get_bind().exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
        if available:  # without it, search still works (a sequential scan)
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.execute('CREATE INDEX idx_crm_contacts_search_trgm ON crm_contacts USING gin ((lower('
                       'coalesce("firstName", \'\') || \' \' || coalesce("lastName", \'\') || \' \' || '
                       'coalesce("email", \'\') || \' \' || coalesce("phone", \'\') || \' \' || '
                       'coalesce("businessName", \'\'))) gin_trgm_ops)')


def _drop_contact_search_index() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("crm_contacts_fts_ai", "crm_contacts_fts_ad", "crm_contacts_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS crm_contacts_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS idx_crm_contacts_search_trgm")


def downgrade() -> None:
    _drop_counters()
    _drop_contact_search_index()

    with op.batch_alter_table('crm_platform_bookings', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_platform_bookings_propertyId')

    op.drop_table('crm_platform_bookings')

    with op.batch_alter_table('crm_interactions', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_interactions_type')
        batch_op.drop_index('idx_crm_interactions_relatedEnquiryId')
        batch_op.drop_index('idx_crm_interactions_createdAt')
        batch_op.drop_index('idx_crm_interactions_contactId')

    op.drop_table('crm_interactions')
    with op.batch_alter_table('crm_memberships', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_memberships_stripeCustomerId')
        batch_op.drop_index('idx_crm_memberships_status')
        batch_op.drop_index('idx_crm_memberships_endDate')
        batch_op.drop_index('idx_crm_memberships_contactId')

    op.drop_table('crm_memberships')
    with op.batch_alter_table('crm_enquiries', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_enquiries_status_createdAt')
        batch_op.drop_index('idx_crm_enquiries_assigned')
        batch_op.drop_index('idx_crm_enquiries_status')
        batch_op.drop_index('idx_crm_enquiries_propertyId')
        batch_op.drop_index('idx_crm_enquiries_ownerId')
        batch_op.drop_index('idx_crm_enquiries_guestEmail')
        batch_op.drop_index('idx_crm_enquiries_createdAt')
        batch_op.drop_index('idx_crm_enquiries_contactId')

    op.drop_table('crm_enquiries')
    with op.batch_alter_table('crm_segments', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_segments_segment')
        batch_op.drop_index('idx_crm_segments_contactId')

    op.drop_table('crm_segments')
    with op.batch_alter_table('crm_properties', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_properties_title')
        batch_op.drop_index('idx_crm_properties_tier')
        batch_op.drop_index('idx_crm_properties_status')
        batch_op.drop_index('idx_crm_properties_platformOwnerId')
        batch_op.drop_index('idx_crm_properties_ownerId')

    op.drop_table('crm_properties')
    op.drop_table('crm_outbox')
    op.drop_table('crm_tombstones')
    op.drop_table('crm_sync_runs')
    op.drop_table('crm_sync_rejects')
    op.drop_table('crm_sync_cursors')
    op.drop_table('crm_staff')
    op.drop_table('crm_settings')
    op.drop_table('crm_job_runs')
    with op.batch_alter_table('crm_contacts', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_contacts_userId')
        batch_op.drop_index('idx_crm_contacts_type')
        batch_op.drop_index('idx_crm_contacts_status')
        batch_op.drop_index('idx_crm_contacts_name')
        batch_op.drop_index('idx_crm_contacts_email')
        batch_op.drop_index('idx_crm_contacts_createdAt')

    op.drop_table('crm_contacts')
    with op.batch_alter_table('crm_activity_log', schema=None) as batch_op:
        batch_op.drop_index('idx_crm_activity_log_timestamp')
        batch_op.drop_index('idx_crm_activity_log_entityId')
        batch_op.drop_index('idx_crm_activity_log_action')

    op.drop_table('crm_activity_log')

