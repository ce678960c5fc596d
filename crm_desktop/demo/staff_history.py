"""The demo office's past: enquiries older than a few weeks were answered and closed long ago.

Thousands of them go through the services in over a minute, so this writes in a few bulk statements
exactly the rows `change_status` and `log_interaction` would have written at the time (enquiry status,
firstResponseAt, closedAt, version; a `status_change` interaction and an audit entry per move; the
staff's call or email and closing note; the guest's lastContactedAt). Recent enquiries are worked
through the real services instead (staff_activity.py).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from crm_desktop.db.base import new_id
from crm_desktop.db.models import ActivityLog, Contact, Enquiry, Interaction
from crm_desktop.timeutil import iso, parse_ts

LOST_REASONS = ("Chose another venue", "Dates not available at this house", "Budget too low for the group size",
                "No reply after two follow-ups", "Event postponed indefinitely", "Group size over the house limit")
SPAM_REASONS = ("Link spam in the message", "Automated form submission", "Duplicate of another enquiry")


def plausible_time(rng: random.Random, start: datetime, hours: float, now: datetime) -> datetime:
    """`hours` after start, moved into office hours (08-20 UTC), never in the future nor before start."""
    when = start + timedelta(hours=hours)
    if when.hour >= 20:
        when += timedelta(days=1)
    if not 8 <= when.hour < 20:
        when = when.replace(hour=rng.randint(9, 11), minute=rng.randint(0, 59))
    latest = now - timedelta(minutes=rng.randint(5, 90))
    return max(min(when, latest), start + timedelta(minutes=1))


@dataclass
class _Rows:
    enquiries: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    contacted: dict[str, str] = field(default_factory=dict)

    def interaction(self, enq: dict[str, Any], by: str, at: str, kind: str, subject: str, content: str,
                    direction: str) -> None:
        self.interactions.append({
            "id": new_id(), "contactId": enq["contactId"], "relatedEnquiryId": enq["id"],
            "relatedPropertyId": enq["propertyId"], "type": kind, "subject": subject, "content": content,
            "direction": direction, "initiatedBy": "admin", "createdAt": at, "performedBy": by})
        if direction != "internal":
            self.contacted[enq["contactId"]] = max(self.contacted.get(enq["contactId"], ""), at)

    def move(self, enq: dict[str, Any], by: str, at: str, old: str, new: str, reason: str | None,
             first_response: str | None) -> None:
        changed: dict[str, Any] = {"status": {"before": old, "after": new}}
        if old == "new":
            changed["firstResponseAt"] = {"before": None, "after": first_response}
        if new in ("lost", "spam"):
            changed["closedAt"] = {"before": None, "after": at}
        self.audit.append({"id": new_id(), "entityType": "enquiry", "entityId": enq["id"], "action": "status_changed",
                           "changedFields": json.dumps(changed), "performedBy": by, "timestamp": at,
                           "reason": reason})
        self.interaction(enq, by, at, "status_change", f"Enquiry {old} → {new}",
                         f"Status changed from {old} to {new}" + (f": {reason}" if reason else ""), "internal")


def close_old_enquiries(session: Session, old: list[dict[str, Any]], staff_ids: list[str], titles: dict[str, str],
                        rng: random.Random, now: datetime) -> tuple[dict[str, int], int, int]:
    """Answer and close `old` (rows with id, contactId, propertyId, guestName, createdAt): about 9 in
    10 lost after a first reply, the rest spam. Returns (how many went to each status, how many were
    assigned, how many calls, emails and notes were logged)."""
    rows = _Rows()
    moved: dict[str, int] = {}
    for enq in old:
        created = parse_ts(enq["createdAt"])
        assert created is not None
        by = rng.choice(staff_ids)
        first = plausible_time(rng, created, rng.lognormvariate(1.3, 1.0), now)
        first_s = iso(first) or ""
        if rng.random() < 0.1:
            reason = rng.choice(SPAM_REASONS)
            rows.move(enq, by, first_s, "new", "spam", reason, first_s)
            rows.enquiries.append({"b_id": enq["id"], "b_status": "spam", "b_first": first_s, "b_closed": first_s,
                                   "b_assigned": None, "b_n": 1})
            moved["spam"] = moved.get("spam", 0) + 1
            continue
        house = titles.get(enq["propertyId"] or "", "the house")
        guest = (enq["guestName"] or "").split(" ")[0] or "there"
        if rng.random() < 0.5:
            rows.interaction(enq, by, first_s, "phone", f"Call with {guest}",
                             f"Called {guest} about {house}: talked through dates and numbers.", "outbound")
        else:
            rows.interaction(enq, by, first_s, "email", f"Re: your enquiry about {house}",
                             f"Hi {guest}, thanks for your enquiry about {house}. Could you confirm the "
                             "number of guests and the occasion?", "outbound")
        rows.move(enq, by, first_s, "new", "contacted", None, first_s)
        last, step = first, "contacted"
        if rng.random() < 0.35:  # a quote went out before it fell through
            last = plausible_time(rng, first, rng.uniform(20, 24 * 6), now)
            quoted = iso(last) or ""
            rows.interaction(enq, by, quoted, "note", "Quote sent",
                             "Sent the owner's quote with the deposit terms.", "internal")
            rows.move(enq, by, quoted, "contacted", "negotiating", None, None)
            step = "negotiating"
        end_s = iso(plausible_time(rng, last, rng.uniform(24, 24 * 21), now)) or ""
        reason = rng.choice(LOST_REASONS)
        rows.interaction(enq, by, end_s, "note", "Lost", f"{reason}.", "internal")
        rows.move(enq, by, end_s, step, "lost", reason, None)
        rows.enquiries.append({"b_id": enq["id"], "b_status": "lost", "b_first": first_s, "b_closed": end_s,
                               "b_assigned": by if rng.random() < 0.7 else None,
                               "b_n": 3 if step == "negotiating" else 2})
        moved["lost"] = moved.get("lost", 0) + 1
    _write(session, rows)
    assigned = sum(1 for r in rows.enquiries if r["b_assigned"])
    return moved, assigned, sum(1 for r in rows.interactions if r["type"] != "status_change")


def _write(session: Session, rows: _Rows) -> None:
    if not rows.enquiries:
        return
    enq = Enquiry.__table__
    session.execute(update(enq).where(enq.c.id == bindparam("b_id")).values(
        status=bindparam("b_status"), firstResponseAt=bindparam("b_first"), closedAt=bindparam("b_closed"),
        lastUpdatedAt=bindparam("b_closed"), assignedToAdminId=bindparam("b_assigned"),
        version=enq.c.version + bindparam("b_n")), rows.enquiries)
    session.execute(insert(Interaction.__table__), rows.interactions)
    session.execute(insert(ActivityLog.__table__), rows.audit)
    contacts = Contact.__table__
    newer = or_(contacts.c.lastContactedAt.is_(None), contacts.c.lastContactedAt < bindparam("b_at"))
    session.execute(update(contacts).where(contacts.c.id == bindparam("b_id"), newer).values(
        lastContactedAt=bindparam("b_at")), [
        {"b_id": cid, "b_at": at} for cid, at in sorted(rows.contacted.items())])


def date_sync_records(session: Session) -> None:
    """Date the sync's "created" audit entries of demo enquiries and contacts from the rows themselves,
    so a timeline starts with the enquiry arriving, not with the day the demo was built."""
    log = ActivityLog.__table__
    for entity, model in (("enquiry", Enquiry), ("contact", Contact)):
        tbl = model.__table__  # type: ignore[attr-defined]
        created = select(tbl.c.createdAt).where(tbl.c.id == log.c.entityId).scalar_subquery()
        session.execute(update(log).where(log.c.entityType == entity, log.c.action == "created",
                                          log.c.performedBy == "system").values(timestamp=created))
