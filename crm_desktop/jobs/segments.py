"""Keep crm_segments in step with the owners' scores: one open row (removedAt NULL) per owner and
segment while the owner is in it; `addedAt` when they enter, `removedAt` when they leave.

Open rows also carry the latest engagement score, lifetime value and reasons (JSON list: why the owner
is in the segment, then how the score was made up), so staff see the current picture. Entering and
leaving a segment are audited; daily score refreshes are not (they would drown the log).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.base import new_id
from crm_desktop.db.models import Segment
from crm_desktop.jobs.runs import JobOutcome
from crm_desktop.jobs.scoring import OwnerScore, load_facts, score_owner
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.audit import log_activity
from crm_desktop.timeutil import now_iso

JOB = "segments"


def reasons_json(score: OwnerScore, segment: str) -> str:
    return json.dumps([*score.segments[segment], *(f"score: {r}" for r in score.score_reasons)],
                      ensure_ascii=False)


def compute_scores(session: Session, today: date) -> dict[str, OwnerScore]:
    """The heavy part (grouped scans of enquiries, listings, interactions, memberships): read-only."""
    return {f.contact_id: score_owner(f, today) for f in load_facts(session, today).values()}


def update_segments(session: Session, today: date, scores: dict[str, OwnerScore] | None = None) -> JobOutcome:
    """Open and close crm_segments rows to match `scores` (computed here when not given)."""
    outcome = JobOutcome()
    if scores is None:
        scores = compute_scores(session, today)
    open_rows = {(row.contactId, row.segment): row
                 for row in session.scalars(select(Segment).where(Segment.removedAt.is_(None)))}
    now = now_iso()
    for cid, sc in scores.items():
        for segment in sorted(sc.segments):
            reasons = reasons_json(sc, segment)
            row = open_rows.pop((cid, segment), None)
            if row is None:
                row = Segment(id=new_id(), contactId=cid, segment=segment, lifetimeValue=sc.lifetime_value,
                              engagementScore=sc.score, addedAt=now, reasons=reasons)
                session.add(row)
                log_activity(session, SYSTEM, "segment", row.id, "created",
                             {"segment": {"before": None, "after": segment}},
                             reason=f"daily job {today}: " + "; ".join(sc.segments[segment]),
                             metadata={"contactId": cid, "score": sc.score})
                outcome.add("added", f"{sc.label} joined {segment}: {'; '.join(sc.segments[segment])}")
            elif (row.engagementScore, row.lifetimeValue, row.reasons) != (sc.score, sc.lifetime_value, reasons):
                row.engagementScore, row.lifetimeValue, row.reasons = sc.score, sc.lifetime_value, reasons
                outcome.add("rescored")
    for (cid, segment), row in sorted(open_rows.items()):
        row.removedAt = now
        sc = scores.get(cid)
        label = sc.label if sc else f"contact {cid} (no longer an owner)"
        log_activity(session, SYSTEM, "segment", row.id, "updated",
                     {"removedAt": {"before": None, "after": now}},
                     reason=f"daily job {today}: no longer {segment}", metadata={"contactId": cid})
        outcome.add("removed", f"{label} left {segment}")
    session.flush()
    outcome.counts["owners_scored"] = len(scores)
    outcome.message = (f"scored {len(scores)} owner(s); {outcome.counts.get('added', 0)} joined and "
                       f"{outcome.counts.get('removed', 0)} left a segment")
    return outcome
