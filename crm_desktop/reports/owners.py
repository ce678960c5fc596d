"""Owner insights (the plan's `generateOwnerInsights`), for one owner or every owner, in one query.

Per owner: properties, live properties, enquiries total / new / converted (status `booked`, as in the
plan), the conversion rate (converted / total, 0 when there are no enquiries), total revenue (the sum of
the owner's properties' `totalRevenue`, as in the plan) and the current membership: the one in force
(active or expiring soon) with the latest end date, else the latest one of any status.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact, Enquiry, Membership, Property
from crm_desktop.reports.model import Chart, Column, Report, pence_to_pounds, percent
from crm_desktop.reports.sql import count_where, pence_sum, scan_key
from crm_desktop.services.errors import NotFoundError

LIVE_MEMBERSHIP_STATUSES = ("active", "expiring_soon")

COLUMNS = [
    Column("owner_id", "Owner id"),
    Column("name", "Name"),
    Column("email", "Email"),
    Column("properties", "Properties", "int"),
    Column("live_properties", "Live", "int"),
    Column("enquiries", "Enquiries", "int"),
    Column("enquiries_new", "New", "int"),
    Column("enquiries_converted", "Converted", "int"),
    Column("conversion_rate", "Conversion %", "percent"),
    Column("total_revenue", "Revenue £", "money"),
    Column("membership_tier", "Tier"),
    Column("membership_status", "Membership"),
    Column("membership_end", "Ends"),
]


def current_memberships(owner_id: str | None = None):
    """Subquery: each contact's current membership (rn = 1), by the rule in the module docstring."""
    in_force = case((Membership.status.in_(LIVE_MEMBERSHIP_STATUSES), 0), else_=1)
    stmt = select(
        Membership.contactId, Membership.planTier, Membership.status, Membership.endDate,
        func.row_number().over(
            partition_by=Membership.contactId,
            order_by=(in_force, Membership.endDate.desc(), Membership.id),
        ).label("rn"),
    ).where(Membership.contactId.is_not(None))
    if owner_id:
        stmt = stmt.where(Membership.contactId == owner_id)
    return stmt.subquery("current_membership")


def owner_insights(session: Session, owner_id: str | None = None, limit: int | None = None) -> Report:
    """Insights for one owner (NotFoundError if there is no such owner) or for all owners by name."""
    enquiry_owner = Enquiry.ownerId if owner_id else scan_key(session, Enquiry.ownerId)
    props = select(
        Property.ownerId.label("owner"),
        func.count().label("n"),
        count_where(Property.listingStatus == "live").label("live"),
        pence_sum(Property.totalRevenue).label("revenue"),
    ).where(Property.ownerId.is_not(None))
    enqs = select(
        enquiry_owner.label("owner"),
        func.count().label("n"),
        count_where(Enquiry.status == "new").label("new"),
        count_where(Enquiry.status == "booked").label("booked"),
    ).where(Enquiry.ownerId.is_not(None))
    if owner_id:
        props = props.where(Property.ownerId == owner_id)
        enqs = enqs.where(Enquiry.ownerId == owner_id)
    p = props.group_by(Property.ownerId).subquery("p")
    e = enqs.group_by(enquiry_owner).subquery("e")
    m = current_memberships(owner_id)
    stmt = (
        select(Contact.id, Contact.firstName, Contact.lastName, Contact.businessName, Contact.email,
               p.c.n, p.c.live, p.c.revenue, e.c.n, e.c.new, e.c.booked,
               m.c.planTier, m.c.status, m.c.endDate)
        .outerjoin(p, p.c.owner == Contact.id)
        .outerjoin(e, e.c.owner == Contact.id)
        .outerjoin(m, (m.c.contactId == Contact.id) & (m.c.rn == 1))
        .where(Contact.type == "owner")
        .order_by(Contact.lastName, Contact.firstName, Contact.id)
    )
    if owner_id:
        stmt = stmt.where(Contact.id == owner_id)
    if limit:
        stmt = stmt.limit(limit)
    rows = []
    for (cid, first, last, business, email, n_props, live, revenue, n_enq, new, booked,
         tier, mstatus, mend) in session.execute(stmt):
        n_enq, booked = n_enq or 0, booked or 0
        name = " ".join(x for x in (first, last) if x) or business or ""
        rows.append({
            "owner_id": cid, "name": name, "email": email,
            "properties": n_props or 0, "live_properties": int(live or 0),
            "enquiries": n_enq, "enquiries_new": int(new or 0), "enquiries_converted": int(booked),
            "conversion_rate": percent(booked, n_enq), "total_revenue": pence_to_pounds(revenue),
            "membership_tier": tier, "membership_status": mstatus,
            "membership_end": mend[:10] if mend else None,
        })
    if owner_id and not rows:
        raise NotFoundError(f"No owner with id {owner_id}.")
    return Report(
        name="owners", title="Owner insights", columns=COLUMNS, rows=rows,
        params={"owner": owner_id} if owner_id else {},
        notes=["Converted = enquiries with status booked; revenue = the sum of the owner's properties' "
               "total revenue; membership = the one in force with the latest end date."],
        chart=Chart("name", "total_revenue", "Top owners by revenue (£)", top=15),
    )
