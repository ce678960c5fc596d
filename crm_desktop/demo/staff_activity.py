"""Demo staff at work: after the demo sync every enquiry is `new` (or booked), which is not what a CRM
in use looks like. This step adds a few office staff and, through the real services acting as them,
moves the last RECENT_DAYS of enquiries along the pipeline (older ones further along, the last day or
two mostly still new), assigns them, sets priorities and logs calls, emails and notes. Each step is
then backdated (in the same transaction) to a plausible moment after the enquiry arrived, so timelines,
the funnel's time to first response and "last contacted" read like real work. Older enquiries were
closed long ago: staff_history.py writes those rows in bulk (the services take a minute for them).

Deterministic for a seed and a day; runs once per database (a marker in crm_settings).
Staff are created without passwords: nobody can sign in as them, so the window still offers to create
the first admin (no demo credentials exist to leak).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    CLOSED_ENQUIRY_STATUSES,
    ActivityLog,
    Contact,
    Enquiry,
    Interaction,
    Property,
    Setting,
    Staff,
)
from crm_desktop.demo.staff_history import (
    LOST_REASONS,
    SPAM_REASONS,
    close_old_enquiries,
    date_sync_records,
    plausible_time,
)
from crm_desktop.services import enquiries, interactions
from crm_desktop.services import staff as staff_service
from crm_desktop.services.actor import SYSTEM, Actor
from crm_desktop.timeutil import iso, now_iso, parse_ts, utcnow

MARKER = "demo.staff_activity"
# Office staff who exist only in the CRM (the platform's own admins are synced as staff too).
DEMO_STAFF = (("Sophie Clarke", "sophie.clarke@office.partyhouses.example"),
              ("Tom Reid", "tom.reid@office.partyhouses.example"))
RECENT_DAYS = 60  # newer enquiries are worked through the services; older ones were closed long ago


@dataclass
class ActivityCounts:
    """What the step did, for the command's summary."""

    staff_created: int = 0
    moved: dict[str, int] = field(default_factory=dict)
    assigned: int = 0
    interactions: int = 0
    skipped: bool = False

    def summary(self) -> str:
        if self.skipped:
            return "Staff activity already added; nothing to do."
        moved = ", ".join(f"{n} {s}" for s, n in sorted(self.moved.items()))
        return (f"Demo staff at work: {self.staff_created} staff added; enquiries moved to {moved or 'nothing'}; "
                f"{self.assigned} assigned; {self.interactions} calls, emails and notes logged.")


@contextmanager
def _backdated(session: Session, when: str) -> Iterator[None]:
    """Rows the services add inside the block (interactions, audit entries) get `when` instead of now."""
    added: list[Any] = []

    def collect(_session: Session, obj: Any) -> None:
        added.append(obj)

    event.listen(session, "transient_to_pending", collect)
    try:
        yield
    finally:
        event.remove(session, "transient_to_pending", collect)
    for obj in added:
        if isinstance(obj, Interaction):
            obj.createdAt = when
        elif isinstance(obj, ActivityLog):
            obj.timestamp = when


class _Office:
    """The staff, the clock and the random source one run of the step works with."""

    def __init__(self, session: Session, staff: list[Actor], rng: random.Random, now: datetime) -> None:
        self.session, self.staff, self.rng, self.now = session, staff, rng, now
        self.counts = ActivityCounts()
        self.titles = dict(session.execute(select(Property.id, Property.title)).all())

    def at(self, start: datetime, hours: float) -> datetime:
        return plausible_time(self.rng, start, hours, self.now)

    def move(self, actor: Actor, enq: Enquiry, status: str, when: datetime, reason: str | None = None) -> None:
        stamp = iso(when)
        assert stamp is not None
        first_response = enq.firstResponseAt
        with _backdated(self.session, stamp):
            enquiries.change_status(self.session, actor, enq.id, status, reason=reason)
        if first_response is None:
            enq.firstResponseAt = stamp
        if status in CLOSED_ENQUIRY_STATUSES:
            enq.closedAt = stamp
        enq.lastUpdatedAt = stamp

    def log(self, actor: Actor, enq: Enquiry, kind: str, when: datetime, subject: str, content: str,
            direction: str = "outbound") -> None:
        stamp = iso(when)
        assert stamp is not None
        contact = self.session.get(Contact, enq.contactId)
        before = contact.lastContactedAt if contact is not None else None
        with _backdated(self.session, stamp):
            interactions.log_interaction(self.session, actor, enq.contactId, kind, content, subject=subject,
                                         direction=direction, related_enquiry_id=enq.id,
                                         related_property_id=enq.propertyId)
        if contact is not None and direction != "internal":
            contact.lastContactedAt = max(before or "", stamp)
        self.counts.interactions += 1

    def work(self, enq: Enquiry) -> None:
        """Decide what happened to one `new` enquiry, from its age, and do it."""
        created = parse_ts(enq.createdAt)
        assert created is not None
        age = (self.now - created).total_seconds() / 86400
        rng = self.rng
        if rng.random() > (0.2 if age < 2 else 0.6 if age < 7 else 0.85 if age < 14 else 0.96):
            return  # still waiting for someone to pick it up
        if age < 7:
            target = rng.choices(("contacted", "negotiating", "spam"), (70, 22, 8))[0]
        elif age < 45:
            target = rng.choices(("contacted", "negotiating", "lost", "spam"), (30, 30, 32, 8))[0]
        else:
            target = rng.choices(("contacted", "negotiating", "lost", "spam"), (6, 6, 80, 8))[0]
        actor = rng.choice(self.staff)
        self.counts.moved[target] = self.counts.moved.get(target, 0) + 1
        house = self.titles.get(enq.propertyId or "", "the house")
        guest = (enq.guestName or "").split(" ")[0] or "there"
        first = self.at(created, rng.lognormvariate(1.3, 1.0))  # median ~4 h to the first response
        if target == "spam":
            self.move(actor, enq, "spam", first, reason=rng.choice(SPAM_REASONS))
            return
        changes: dict[str, Any] = {}
        if rng.random() < 0.7:
            changes["assignedToAdminId"] = actor.id
        budget = enq.estimatedBudget or 0
        if target == "negotiating" and budget >= 3000:
            changes["priority"] = "high"
        elif target == "lost" and enq.priority == "high":
            changes["priority"] = "medium"
        if changes:
            with _backdated(self.session, iso(first) or ""):
                enquiries.update_enquiry(self.session, actor, enq.id, changes)
            enq.lastUpdatedAt = iso(first)
            self.counts.assigned += "assignedToAdminId" in changes
        if rng.random() < 0.55:
            self.log(actor, enq, "phone", first, f"Call with {guest}",
                     f"Called {guest} about {house}: talked through dates, numbers and the deposit.")
        else:
            self.log(actor, enq, "email", first, f"Re: your enquiry about {house}",
                     f"Hi {guest}, thanks for your enquiry about {house}. The dates look possible; "
                     "could you confirm the number of guests and the occasion?")
        self.move(actor, enq, "contacted", first)
        if target == "contacted":
            return
        later = self.at(first, rng.uniform(20, 24 * min(10.0, max(1.5, age / 3))))
        if rng.random() < 0.6:
            self.log(actor, enq, "email", later - timedelta(hours=2), f"Re: {house}",
                     f"{guest} replied: keen on {house}, asked about early check-in.", direction="inbound")
        if target == "negotiating":
            self.log(actor, enq, "note", later, "Quote sent",
                     "Sent the owner's quote with the deposit terms; follow up in a few days.", direction="internal")
            self.move(actor, enq, "negotiating", later)
            return
        if rng.random() < 0.5:
            self.move(actor, enq, "negotiating", later)
        end = self.at(later, rng.uniform(24, 24 * min(21.0, max(2.0, age / 2))))
        why = rng.choice(LOST_REASONS)
        self.log(actor, enq, "note", end, "Lost", f"{why}.", direction="internal")
        self.move(actor, enq, "lost", end, reason=why)


def _staff(session: Session) -> tuple[list[Staff], int]:
    """The active staff to act as: the demo office staff (created now) plus the platform's admins."""
    created = 0
    for name, email in DEMO_STAFF:
        if staff_service.find_by_email(session, email) is None:
            staff_service.create_staff(session, SYSTEM, email=email, name=name, role="staff")
            created += 1
    rows = session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role != "viewer")
                           .order_by(Staff.email)).all()
    return list(rows), created


def add_staff_activity(session: Session, *, seed: int = 7, now: datetime | None = None) -> ActivityCounts:
    """Run once per database: staff work the `new` enquiries, older ones further along the pipeline."""
    if session.get(Setting, MARKER) is not None:
        return ActivityCounts(skipped=True)
    now = now or utcnow()
    date_sync_records(session)
    staff_rows, created = _staff(session)  # kept referenced: the services' lookups hit the identity map
    office = _Office(session, [staff_service.to_actor(s) for s in staff_rows], random.Random(seed), now)
    office.counts.staff_created = created
    cutoff = iso(now - timedelta(days=RECENT_DAYS))
    tbl = Enquiry.__table__
    old = [dict(r._mapping) for r in session.execute(
        select(tbl.c.id, tbl.c.contactId, tbl.c.propertyId, tbl.c.guestName, tbl.c.createdAt)
        .where(tbl.c.status == "new", tbl.c.createdAt < cutoff)
        .order_by(tbl.c.createdAt, tbl.c.platformEnquiryId, tbl.c.id))]
    counts = office.counts
    counts.moved, counts.assigned, counts.interactions = close_old_enquiries(session, old, [a.id for a in office.staff], office.titles,
                                              office.rng, now)
    recent = session.scalars(select(Enquiry).where(Enquiry.status == "new", Enquiry.createdAt >= cutoff)
                             .order_by(Enquiry.createdAt, Enquiry.platformEnquiryId, Enquiry.id)).all()
    contacts = session.scalars(select(Contact).where(Contact.id.in_(select(tbl.c.contactId).where(
        tbl.c.status == "new", tbl.c.createdAt >= cutoff)))).all()
    for enq in recent:
        office.work(enq)
    session.add(Setting(key=MARKER, value=iso(now), updatedAt=now_iso()))
    session.flush()
    del contacts
    return office.counts
