"""Keep crm_segments in step with the owners' scores: one open row (removedAt NULL) per owner and
segment while the owner is in it; `addedAt` when they enter, `removedAt` when they leave.

Open rows also carry the latest engagement score, lifetime value and reasons (JSON list: why the owner
is in the segment, then how the score was made up), so staff see the current picture. Entering and
leaving a segment are audited; daily score refreshes are not (they would drown the log).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import insert, select, update
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
    """Open and close crm_segments rows to match `scores` (computed here when not given).

    Rows are read as tuples and written with executemany (bulk insert / update by primary key), not
    through the unit of work: 80k rescored rows take a second or two instead of twelve.
    """
    outcome = JobOutcome()
    if scores is None:
        scores = compute_scores(session, today)
    open_rows = {(cid, seg): (sid, score, ltv, reasons) for sid, cid, seg, score, ltv, reasons in session.execute(
        select(Segment.id, Segment.contactId, Segment.segment, Segment.engagementScore, Segment.lifetimeValue,
               Segment.reasons).where(Segment.removedAt.is_(None)))}
    now = now_iso()
    added: list[dict] = []
    rescored: list[dict] = []
    for cid, sc in scores.items():
        for segment in sorted(sc.segments):
            reasons = reasons_json(sc, segment)
            current = open_rows.pop((cid, segment), None)
            if current is None:
                row_id = new_id()
                added.append({"id": row_id, "contactId": cid, "segment": segment, "addedAt": now,
                              "lifetimeValue": sc.lifetime_value, "engagementScore": sc.score, "reasons": reasons})
                log_activity(session, SYSTEM, "segment", row_id, "created",
                             {"segment": {"before": None, "after": segment}},
                             reason=f"daily job {today}: " + "; ".join(sc.segments[segment]),
                             metadata={"contactId": cid, "score": sc.score})
                outcome.add("added", f"{sc.label} joined {segment}: {'; '.join(sc.segments[segment])}")
            elif current[1:] != (sc.score, sc.lifetime_value, reasons):
                rescored.append({"id": current[0], "engagementScore": sc.score, "lifetimeValue": sc.lifetime_value,
                                 "reasons": reasons})
                outcome.add("rescored")
    removed = []
    for (cid, segment), current in sorted(open_rows.items()):
        removed.append({"id": current[0], "removedAt": now})
        sc = scores.get(cid)
        label = sc.label if sc else f"contact {cid} (no longer an owner)"
        log_activity(session, SYSTEM, "segment", current[0], "updated",
                     {"removedAt": {"before": None, "after": now}},
                     reason=f"daily job {today}: no longer {segment}", metadata={"contactId": cid})
        outcome.add("removed", f"{label} left {segment}")
    if added:
        session.execute(insert(Segment), added)
    for batch in (rescored, removed):
        if batch:
            session.execute(update(Segment), batch)
    session.flush()
    outcome.counts["owners_scored"] = len(scores)
    outcome.message = (f"scored {len(scores)} owner(s); {outcome.counts.get('added', 0)} joined and "
                       f"{outcome.counts.get('removed', 0)} left a segment")
    return outcome
