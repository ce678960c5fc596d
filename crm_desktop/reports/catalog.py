"""The reports by name, with the options each one takes: used by the command line and the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from crm_desktop.reports.funnel import enquiry_funnel
from crm_desktop.reports.memberships import membership_report
from crm_desktop.reports.model import Report
from crm_desktop.reports.owners import owner_insights
from crm_desktop.reports.properties import property_analytics
from crm_desktop.reports.segments import outbox, owner_scores, segment_members
from crm_desktop.reports.sql import month_range
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError


@dataclass(frozen=True)
class ReportOptions:
    """Every option any report takes; each report uses the ones that make sense for it."""

    today: date
    owner_id: str | None = None
    property_id: str | None = None
    month: str | None = None
    limit: int | None = None


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    build: Callable[[Session, ReportOptions], Report]
    options: tuple[str, ...]  # which ReportOptions fields it uses (the window shows only these)


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec for spec in (
        ReportSpec("owners", "Owner insights",
                   lambda s, o: owner_insights(s, o.owner_id, o.limit), ("owner_id", "limit")),
        ReportSpec("properties", "Property analytics",
                   lambda s, o: property_analytics(s, o.owner_id, o.property_id, o.month),
                   ("owner_id", "property_id", "month")),
        ReportSpec("funnel", "Enquiry funnel",
                   lambda s, o: enquiry_funnel(s, o.month, o.owner_id), ("month", "owner_id")),
        ReportSpec("memberships", "Memberships",
                   lambda s, o: membership_report(s, o.today, o.month), ("today", "month")),
        ReportSpec("segments", "Owner segments",
                   lambda s, o: segment_members(s, o.owner_id, o.limit), ("owner_id", "limit")),
        ReportSpec("scores", "Owner scores",
                   lambda s, o: owner_scores(s, o.today, o.owner_id, o.limit), ("today", "owner_id", "limit")),
        ReportSpec("outbox", "Email outbox", lambda s, o: outbox(s, o.month, o.limit), ("month", "limit")),
    )
}


def run_report(session: Session, actor: Actor, name: str, options: ReportOptions) -> Report:
    """Build a report by name after checking the actor may read and the options are well formed."""
    actor.require("read")
    spec = REPORTS.get(name)
    if spec is None:
        raise ValidationError({"report": f"unknown report {name!r}; choose one of {', '.join(REPORTS)}"})
    if options.month:
        try:
            month_range(options.month)
        except ValueError:
            raise ValidationError({"month": f"must be YYYY-MM, not {options.month!r}"}) from None
    if options.limit is not None and options.limit < 1:
        raise ValidationError({"limit": "must be 1 or more"})
    return spec.build(session, options)
