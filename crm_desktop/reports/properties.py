"""Property analytics: views, enquiries, bookings, revenue and conversion, per month.

Months come from each enquiry's `createdAt`; a booking is an enquiry with `convertedToBooking` true and
its revenue is its `bookingValue`. Views are only known as a running total (`viewCount`, synced from the
platform), so they appear on each property's "all" row and not per month.

For one owner's or one property's listings there is a row per property and month plus an "all" row per
property; without either filter the report is one row per month across all properties (a total row
first), so it stays short with hundreds of thousands of listings.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Enquiry, Property
from crm_desktop.reports.model import Chart, Column, Report, pence_to_pounds, percent
from crm_desktop.reports.sql import count_where, month_of, month_range, pence_sum
from crm_desktop.services.errors import NotFoundError

ALL = "all"

COLUMNS = [
    Column("property_id", "Property id"),
    Column("title", "Title"),
    Column("month", "Month"),
    Column("views", "Views", "int"),
    Column("enquiries", "Enquiries", "int"),
    Column("bookings", "Bookings", "int"),
    Column("revenue", "Revenue £", "money"),
    Column("conversion_rate", "Conversion %", "percent"),
]


def _figures(n: int | None, booked: int | None, pence: object) -> dict:
    n, booked = int(n or 0), int(booked or 0)
    return {"enquiries": n, "bookings": booked, "revenue": pence_to_pounds(pence),
            "conversion_rate": percent(booked, n)}


def property_analytics(session: Session, owner_id: str | None = None, property_id: str | None = None,
                       month: str | None = None) -> Report:
    converted = Enquiry.convertedToBooking.is_(True)
    measures = (func.count().label("n"), count_where(converted).label("booked"),
                pence_sum(Enquiry.bookingValue, converted).label("pence"))
    enquiry_filter = [Enquiry.propertyId.is_not(None)]
    if month:
        first, nxt = month_range(month)
        enquiry_filter += [Enquiry.createdAt >= first.isoformat(), Enquiry.createdAt < nxt.isoformat()]
    params = {k: v for k, v in (("owner", owner_id), ("property", property_id), ("month", month)) if v}
    if owner_id or property_id:
        rows = _per_property(session, owner_id, property_id, enquiry_filter, measures)
    else:
        rows = _per_month(session, enquiry_filter, measures)
    return Report(
        name="properties", title="Property analytics", columns=COLUMNS, rows=rows, params=params,
        notes=["Months from enquiries' createdAt; bookings = convertedToBooking; revenue = bookingValue; "
               "views are a running total (viewCount), shown on the 'all' rows only."],
        chart=Chart("month", "enquiries", "Enquiries per month", sort_labels=True),
    )


def _per_property(session: Session, owner_id: str | None, property_id: str | None, enquiry_filter: list,
                  measures: tuple) -> list[dict]:
    prop_stmt = select(Property.id, Property.title, Property.viewCount).order_by(Property.title, Property.id)
    if owner_id:
        prop_stmt = prop_stmt.where(Property.ownerId == owner_id)
    if property_id:
        prop_stmt = prop_stmt.where(Property.id == property_id)
    props = session.execute(prop_stmt).all()
    if not props:
        what = f"property {property_id}" if property_id else f"properties for owner {owner_id}"
        raise NotFoundError(f"No {what}.")
    ids = [p.id for p in props]
    month = month_of(Enquiry.createdAt)
    by_month: dict[str, list[dict]] = {}
    totals: dict[str, dict] = {}
    for start in range(0, len(ids), 500):  # keep the IN list well under every driver's limit
        chunk = ids[start:start + 500]
        where = [*enquiry_filter, Enquiry.propertyId.in_(chunk)]
        for pid, mon, n, booked, pence in session.execute(
                select(Enquiry.propertyId, month, *measures).where(*where)
                .group_by(Enquiry.propertyId, month).order_by(Enquiry.propertyId, month)):
            by_month.setdefault(pid, []).append({"month": mon, **_figures(n, booked, pence)})
        for pid, n, booked, pence in session.execute(
                select(Enquiry.propertyId, *measures).where(*where).group_by(Enquiry.propertyId)):
            totals[pid] = _figures(n, booked, pence)
    rows = []
    for pid, title, views in props:
        base = {"property_id": pid, "title": title}
        rows.append({**base, "month": ALL, "views": views or 0, **totals.get(pid, _figures(0, 0, None))})
        rows.extend({**base, "views": None, **r} for r in by_month.get(pid, []))
    return rows


def _per_month(session: Session, enquiry_filter: list, measures: tuple) -> list[dict]:
    views = session.scalar(select(func.coalesce(func.sum(Property.viewCount), 0)))
    total = session.execute(select(*measures).where(*enquiry_filter)).one()
    month = month_of(Enquiry.createdAt)
    rows = [{"property_id": ALL, "title": "All properties", "month": ALL, "views": int(views or 0),
             **_figures(*total)}]
    for mon, n, booked, pence in session.execute(
            select(month, *measures).where(*enquiry_filter).group_by(month).order_by(month)):
        rows.append({"property_id": ALL, "title": "All properties", "month": mon, "views": None,
                     **_figures(n, booked, pence)})
    return rows
