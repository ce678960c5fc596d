"""Staff-facing lists the daily jobs produce: owners in each segment (with why), and the email outbox."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact, OutboxEmail, Segment
from crm_desktop.reports.model import Chart, Column, Report
from crm_desktop.reports.sql import month_range

SEGMENT_COLUMNS = [
    Column("segment", "Segment"),
    Column("owner_id", "Owner id"),
    Column("name", "Name"),
    Column("email", "Email"),
    Column("engagement_score", "Score", "int"),
    Column("lifetime_value", "Lifetime value £", "money"),
    Column("added_at", "Since"),
    Column("reasons", "Why"),
]

OUTBOX_COLUMNS = [
    Column("status", "Status"),
    Column("to", "To"),
    Column("subject", "Subject"),
    Column("created_at", "Written"),
    Column("sent_at", "Sent"),
    Column("error", "Problem"),
]


def _reasons(raw: str | None) -> str:
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return raw or ""
    return "; ".join(str(i) for i in items) if isinstance(items, list) else str(items)


def segment_members(session: Session, owner_id: str | None = None, limit: int | None = None) -> Report:
    """Owners currently in each segment (open rows), best score first, with the stored reasons."""
    stmt = (
        select(Segment, Contact.firstName, Contact.lastName, Contact.email)
        .join(Contact, Contact.id == Segment.contactId)
        .where(Segment.removedAt.is_(None))
        .order_by(Segment.segment, Segment.engagementScore.desc(), Contact.lastName, Contact.id)
    )
    if owner_id:
        stmt = stmt.where(Segment.contactId == owner_id)
    if limit:
        stmt = stmt.limit(limit)
    rows = [{
        "segment": seg.segment, "owner_id": seg.contactId,
        "name": " ".join(x for x in (first, last) if x), "email": email,
        "engagement_score": seg.engagementScore, "lifetime_value": seg.lifetimeValue,
        "added_at": seg.addedAt[:10], "reasons": _reasons(seg.reasons),
    } for seg, first, last, email in session.execute(stmt)]
    counts = dict(session.execute(select(Segment.segment, func.count()).where(Segment.removedAt.is_(None))
                                  .group_by(Segment.segment)).all())
    return Report(
        name="segments", title="Owner segments", columns=SEGMENT_COLUMNS, rows=rows,
        params={"owner": owner_id} if owner_id else {},
        notes=["Updated by the daily jobs; " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                                                 or "no owner is in a segment yet") + "."],
        chart=Chart("segment", None, "Owners per segment"),
    )


def outbox(session: Session, month: str | None = None, limit: int | None = None) -> Report:
    """Emails the CRM has written (renewal reminders): queued, sent or failed, newest first."""
    stmt = select(OutboxEmail).order_by(OutboxEmail.createdAt.desc(), OutboxEmail.id)
    if month:
        first, nxt = month_range(month)
        stmt = stmt.where(OutboxEmail.createdAt >= first.isoformat(), OutboxEmail.createdAt < nxt.isoformat())
    if limit:
        stmt = stmt.limit(limit)
    rows = [{"status": m.status, "to": m.toAddress, "subject": m.subject, "created_at": m.createdAt[:16],
             "sent_at": m.sentAt[:16] if m.sentAt else None, "error": m.error}
            for m in session.scalars(stmt)]
    return Report(name="outbox", title="Email outbox", columns=OUTBOX_COLUMNS, rows=rows,
                  params={"month": month} if month else {},
                  notes=["Queued emails are sent by the daily jobs when a mail server (CRM_SMTP_URL) is set."],
                  chart=Chart("status", None, "Emails by status"))


SCORE_COLUMNS = [
    Column("owner_id", "Owner id"),
    Column("name", "Owner"),
    Column("engagement_score", "Score", "int"),
    Column("lifetime_value", "Lifetime value £", "money"),
    Column("segments", "Segments"),
    Column("reasons", "How the score is made up"),
]


def owner_scores(session: Session, today: date, owner_id: str | None = None, limit: int | None = None) -> Report:
    """Every owner's engagement score and lifetime value as of `today`, computed now with the daily job's
    rules (crm_desktop.jobs.scoring), so staff can see the score of owners who are in no segment too."""
    from crm_desktop.jobs.scoring import load_facts, score_owner
    from crm_desktop.services.errors import NotFoundError

    facts = load_facts(session, today, owner_id)
    if owner_id and not facts:
        raise NotFoundError(f"No owner with id {owner_id}.")
    scores = sorted((score_owner(f, today) for f in facts.values()),
                    key=lambda sc: (-sc.score, -sc.lifetime_value, sc.label))
    rows = [{
        "owner_id": sc.contact_id, "name": sc.label, "engagement_score": sc.score,
        "lifetime_value": sc.lifetime_value, "segments": ", ".join(sorted(sc.segments)),
        "reasons": "; ".join(sc.score_reasons),
    } for sc in scores[:limit]]
    return Report(name="scores", title="Owner scores", columns=SCORE_COLUMNS, rows=rows,
                  params={"today": today.isoformat(), **({"owner": owner_id} if owner_id else {})},
                  notes=["Computed now with the daily job's rules (docs/reports-and-jobs.md); the segments "
                         "report shows what the last daily run stored."],
                  chart=Chart("name", "engagement_score", "Top engagement scores", top=15))
