"""The enquiry funnel: new → contacted → negotiating → booked, with lost and spam, overall, by month
(of `createdAt`) and by source.

"Reached a stage" (spam is counted apart and is not in the funnel):
- new: every enquiry that is not spam;
- contacted: the status is contacted, negotiating or booked; or the enquiry was lost after the pipeline
  moved it to contacted or further; or, for an enquiry with no pipeline history (synced as lost), after a
  reply (`firstResponseAt` set). With history, history decides: the pipeline stamps `firstResponseAt`
  whenever an enquiry leaves `new`, also straight to lost;
- negotiating: the status is negotiating or booked; or it was lost after the pipeline moved it to
  negotiating or booked;
- booked: the status is booked.
The pipeline's history is its `status_change` interactions (subject "Enquiry <old> → <new>", written by
crm_desktop.services.enquiries.change_status); only lost enquiries need it, so the lookup is rare.
Conversion from a stage = booked / reached that stage, in per cent (0 when none reached it).
Median first response = the median of `firstResponseAt - createdAt` in hours, over non-spam enquiries
that have a reply (a reply stamped before the enquiry is bad data and left out). Each reply time is
rounded to 0.01 hour (36 s) and counted in SQL per (month, source), so the medians for every month, every
source and overall come from one grouped query instead of sorting two million rows three times.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Float, Integer, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.base import CENT
from crm_desktop.db.models import Enquiry, Interaction
from crm_desktop.reports.model import Chart, Column, Report, percent
from crm_desktop.reports.sql import month_of, month_range, seconds_between

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


def _has_history():
    return exists().where(Interaction.relatedEnquiryId == Enquiry.id, Interaction.type == "status_change")


def _reached_contacted():
    replied_without_history = and_(Enquiry.firstResponseAt.is_not(None), ~_has_history())
    return case(
        (Enquiry.status.in_(("contacted", "negotiating", "booked")), 1),
        (and_(Enquiry.status == "lost",
              or_(_moved_to("contacted", "negotiating", "booked"), replied_without_history)), 1),
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
    counts, hists = _scan(session, where)
    rows = []
    for dimension in ("all", "month", "source"):
        for group in sorted(counts[dimension]):
            rows.append(_row(dimension, group, counts[dimension][group], hists[dimension].get(group)))
    params = {k: v for k, v in (("month", month), ("owner", owner_id)) if v}
    return Report(
        name="funnel", title="Enquiry funnel", columns=COLUMNS, rows=rows, params=params,
        notes=["Reached a stage: current status, or for lost enquiries a reply / the pipeline history; "
               "spam is outside the funnel. Conversion = booked / reached the stage. Median first reply "
               "from replies rounded to 0.01 h."],
        chart=Chart("group", "new", "Funnel: enquiries reaching each stage", where=("dimension", "all"),
                    stages=("new", "contacted", "negotiating", "booked")),
    )


MEASURES = ("enquiries", "spam", "new", "contacted", "negotiating", "booked", "lost")
SOURCE = func.coalesce(Enquiry.source, UNKNOWN_SOURCE)
BUCKET_SECONDS = 36  # 0.01 hour


def _by_dimension(month: str, source: str) -> tuple[tuple[str, str], ...]:
    return (("all", "all"), ("month", month), ("source", source))


def _scan(session: Session, where: list) -> tuple[dict[str, dict[str, list[int]]], dict[str, dict[str, Counter]]]:
    """One pass over the enquiries grouped by (month, source, reply time in 0.01 h): the stage counts per
    month, per source and overall are sums over it, and the reply-time histograms give the medians."""
    dialect = session.get_bind().dialect.name
    month = month_of(Enquiry.createdAt)
    seconds = seconds_between(dialect, Enquiry.createdAt, Enquiry.firstResponseAt)
    replied = and_(Enquiry.status != "spam", Enquiry.firstResponseAt.is_not(None),
                   Enquiry.firstResponseAt >= Enquiry.createdAt)
    bucket = case((replied, cast(func.round(seconds / literal(float(BUCKET_SECONDS), Float)), Integer)),
                  else_=None)
    stmt = (
        select(month, SOURCE, bucket, func.count(), _is("spam"),
               func.sum(case((Enquiry.status != "spam", 1), else_=0)),
               func.sum(_reached_contacted()), func.sum(_reached_negotiating()), _is("booked"), _is("lost"))
        .where(*where).group_by(month, SOURCE, bucket)
    )
    counts: dict[str, dict[str, list[int]]] = {"all": {}, "month": {}, "source": {}}
    hists: dict[str, dict[str, Counter]] = {"all": {}, "month": {}, "source": {}}
    for mon, src, hundredths, *values in session.execute(stmt):
        for dimension, group in _by_dimension(mon, src):
            acc = counts[dimension].setdefault(group, [0] * len(MEASURES))
            for i, v in enumerate(values):
                acc[i] += int(v or 0)
            if hundredths is not None:
                hists[dimension].setdefault(group, Counter())[int(hundredths)] += int(values[0])
    return counts, hists


def median_hours(hist: Counter | None) -> Decimal | None:
    """The median of a histogram of hundredths of an hour: mean of the values at (n+1)//2 and (n+2)//2."""
    if not hist:
        return None
    n = sum(hist.values())
    lo_pos, hi_pos = (n + 1) // 2, (n + 2) // 2
    lo = hi = None
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if lo is None and seen >= lo_pos:
            lo = value
        if seen >= hi_pos:
            hi = value
            break
    assert lo is not None and hi is not None
    return (Decimal(lo + hi) / 200).quantize(CENT, rounding=ROUND_HALF_UP)


def _row(dimension: str, group: str, values: list[int], hist: Counter | None) -> dict:
    row: dict[str, Any] = {"dimension": dimension, "group": group, **dict(zip(MEASURES, values, strict=True))}
    booked = row["booked"]
    row.update({
        "new_to_booked": percent(booked, row["new"]),
        "contacted_to_booked": percent(booked, row["contacted"]),
        "negotiating_to_booked": percent(booked, row["negotiating"]),
        "median_response_hours": median_hours(hist),
    })
    return row
