"""The enquiry funnel: new → contacted → negotiating → booked, with lost and spam, overall, by month
(of `createdAt`) and by source.

"Reached a stage" (spam is counted apart and is not in the funnel):
- new: every enquiry that is not spam;
- contacted: the status is contacted, negotiating or booked; or the enquiry was lost after a reply
  (`firstResponseAt` set) or after the pipeline moved it to contacted or further;
- negotiating: the status is negotiating or booked; or it was lost after the pipeline moved it to
  negotiating or booked;
- booked: the status is booked.
The pipeline's history is its `status_change` interactions (subject "Enquiry <old> → <new>", written by
crm_desktop.services.enquiries.change_status); only lost enquiries need it, so the lookup is rare.
Conversion from a stage = booked / reached that stage, in per cent (0 when none reached it).
Median first response = the median of `firstResponseAt - createdAt` in hours, over non-spam enquiries
that have a reply (a reply stamped before the enquiry is bad data and left out).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Enquiry, Interaction
from crm_desktop.reports.model import Chart, Column, Report, percent, two_places
from crm_desktop.reports.sql import median_by, month_of, month_range, seconds_between

COLUMNS = [
    Column("dimension", "By"),
    Column("group", "Group"),
    Column("enquiries", "Enquiries", "int"),
    Column("spam", "Spam", "int"),
    Column("new", "New", "int"),
    Column("contacted", "Contacted", "int"),
    Column("negotiating", "Negotiating", "int"),
    Column("booked", "Booked", "int"),
    Column("lost", "Lost", "int"),
    Column("new_to_booked", "New→booked %", "percent"),
    Column("contacted_to_booked", "Contacted→booked %", "percent"),
    Column("negotiating_to_booked", "Negotiating→booked %", "percent"),
    Column("median_response_hours", "Median 1st reply h", "hours"),
]
UNKNOWN_SOURCE = "unknown"


def _moved_to(*stages: str):
    """The pipeline recorded a move of this enquiry into one of `stages`."""
    return exists().where(
        Interaction.relatedEnquiryId == Enquiry.id,
        Interaction.type == "status_change",
        or_(*(Interaction.subject.like(f"%→ {s}") for s in stages)),
    )


def _reached_contacted():
    return case(
        (Enquiry.status.in_(("contacted", "negotiating", "booked")), 1),
        (and_(Enquiry.status == "lost",
              or_(Enquiry.firstResponseAt.is_not(None), _moved_to("contacted", "negotiating", "booked"))), 1),
        else_=0,
    )


def _reached_negotiating():
    return case(
        (Enquiry.status.in_(("negotiating", "booked")), 1),
        (and_(Enquiry.status == "lost", _moved_to("negotiating", "booked")), 1),
        else_=0,
    )


def _is(status: str):
    return func.sum(case((Enquiry.status == status, 1), else_=0))


def enquiry_funnel(session: Session, month: str | None = None, owner_id: str | None = None) -> Report:
    where: list = []
    if month:
        first, nxt = month_range(month)
        where += [Enquiry.createdAt >= first.isoformat(), Enquiry.createdAt < nxt.isoformat()]
    if owner_id:
        where.append(Enquiry.ownerId == owner_id)
    dialect = session.get_bind().dialect.name
    rows = []
    for dimension, group in (("all", None), ("month", month_of(Enquiry.createdAt)),
                             ("source", func.coalesce(Enquiry.source, UNKNOWN_SOURCE))):
        rows.extend(_rows(session, dialect, dimension, group, where))
    params = {k: v for k, v in (("month", month), ("owner", owner_id)) if v}
    return Report(
        name="funnel", title="Enquiry funnel", columns=COLUMNS, rows=rows, params=params,
        notes=["Reached a stage: current status, or for lost enquiries a reply / the pipeline history; "
               "spam is outside the funnel. Conversion = booked / reached the stage."],
        chart=Chart("group", "booked", "Bookings"),
    )


def _rows(session: Session, dialect: str, dimension: str, group: Any, where: list) -> list[dict]:
    not_spam = Enquiry.status != "spam"
    """One row per value of `group` (None: a single row over everything, labelled 'all')."""
    label = group if group is not None else literal_column("'all'")
    stmt = select(label, func.count(), _is("spam"),
                  func.sum(case((not_spam, 1), else_=0)),
                  func.sum(_reached_contacted()), func.sum(_reached_negotiating()),
                  _is("booked"), _is("lost")).where(*where)
    if group is not None:
        stmt = stmt.group_by(group).order_by(group)
    counts = [r for r in session.execute(stmt).all() if r[1]]  # the 'all' row has count 0 when empty
    if not counts:
        return []
    reply_seconds = seconds_between(dialect, Enquiry.createdAt, Enquiry.firstResponseAt)
    medians = dict(session.execute(median_by(
        reply_seconds, group,
        [*where, not_spam, Enquiry.firstResponseAt.is_not(None), Enquiry.firstResponseAt >= Enquiry.createdAt],
        Enquiry,
    )).all())
    rows = []
    for grp, total, spam, new, contacted, negotiating, booked, lost in counts:
        new, contacted, negotiating, booked = (int(x or 0) for x in (new, contacted, negotiating, booked))
        seconds = medians.get(grp)
        rows.append({
            "dimension": dimension, "group": grp, "enquiries": int(total), "spam": int(spam or 0),
            "new": new, "contacted": contacted, "negotiating": negotiating, "booked": booked,
            "lost": int(lost or 0),
            "new_to_booked": percent(booked, new),
            "contacted_to_booked": percent(booked, contacted),
            "negotiating_to_booked": percent(booked, negotiating),
            "median_response_hours": two_places(float(seconds) / 3600) if seconds is not None else None,
        })
    return rows
