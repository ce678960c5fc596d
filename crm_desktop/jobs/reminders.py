"""Renewal reminders: one email per owner membership that is expiring soon, never two for one renewal.

The email is written from the editable template (crm_desktop.jobs.templates) into crm_outbox, where staff
can see it (status queued), and logged as an outbound `email` interaction on the owner's timeline. Its
dedupe key is the membership id plus the end date, and crm_outbox.dedupeKey is unique: a renewal moves
the end date, so the next renewal gets its own reminder, but the same one is never written twice.
Delivery through SMTP is a separate step (crm_desktop.jobs.mailer) after this transaction commits.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.base import new_id
from crm_desktop.db.models import Contact, Interaction, Membership, OutboxEmail
from crm_desktop.jobs import templates
from crm_desktop.jobs.runs import JobOutcome
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.audit import log_activity
from crm_desktop.timeutil import now_iso, parse_day

JOB = "renewal_reminders"
REMIND_DAYS = 30


def dedupe_key(membership: Membership) -> str:
    return f"renewal:{membership.id}:{membership.endDate[:10]}"


def _fields(contact: Contact, membership: Membership, today: date) -> dict[str, str]:
    end = parse_day(membership.endDate)
    assert end is not None
    price = f"£{membership.planPrice:,.2f}" if membership.planPrice is not None else "your plan price"
    return {
        "first_name": contact.firstName or "there",
        "last_name": contact.lastName or "",
        "name": " ".join(x for x in (contact.firstName, contact.lastName) if x) or contact.email,
        "business_name": contact.businessName or "",
        "email": contact.email,
        "tier": membership.planTier.capitalize(),
        "price": price,
        "billing_cycle": {"annual": "annually", "monthly": "monthly"}.get(membership.billingCycle or "",
                                                                          "annually"),
        "end_date": f"{end.day} {end:%B %Y}",
        "days_left": str((end - today).days),
    }


def queue_renewal_reminders(session: Session, today: date) -> JobOutcome:
    outcome = JobOutcome()
    template = templates.get_template(session)
    candidates = session.execute(
        select(Membership, Contact)
        .join(Contact, Contact.id == Membership.contactId)
        .where(Membership.status == "expiring_soon",
               Membership.endDate >= today.isoformat(),
               Membership.endDate < (today + timedelta(days=REMIND_DAYS + 1)).isoformat(),
               Contact.erasedAt.is_(None))
        .order_by(Membership.endDate, Membership.id)
    ).all()
    keys = [dedupe_key(m) for m, _ in candidates]
    done: set[str] = set()
    for start in range(0, len(keys), 500):
        done.update(session.scalars(select(OutboxEmail.dedupeKey)
                                    .where(OutboxEmail.dedupeKey.in_(keys[start:start + 500]))))
    now = now_iso()
    for (membership, contact), key in zip(candidates, keys, strict=True):
        if key in done:
            outcome.add("already_reminded")
            continue
        if not contact.email:
            outcome.add("no_email", f"{contact.id}: no email address, no reminder")
            continue
        subject, body = templates.render(template, _fields(contact, membership, today))
        email = OutboxEmail(id=new_id(), dedupeKey=key, contactId=contact.id, toAddress=contact.email,
                            subject=subject, body=body, status="queued", createdAt=now)
        session.add(email)
        session.add(Interaction(
            contactId=contact.id, relatedPropertyId=membership.propertyId, type="email", subject=subject,
            content=body, direction="outbound", initiatedBy="system", createdAt=now, performedBy=SYSTEM.id,
            externalKey=key,
            metadata_=json.dumps({"kind": "renewal_reminder", "outboxId": email.id,
                                  "membershipId": membership.id}),
        ))
        log_activity(session, SYSTEM, "outbox", email.id, "created",
                     {"toAddress": {"before": None, "after": contact.email},
                      "subject": {"before": None, "after": subject}},
                     reason=f"renewal reminder: {membership.planTier} membership ends {membership.endDate[:10]}",
                     metadata={"dedupeKey": key, "membershipId": membership.id})
        done.add(key)
        outcome.add("queued", f"reminder to {contact.email}: {membership.planTier} membership ends "
                              f"{membership.endDate[:10]}")
    session.flush()
    queued = outcome.counts.get("queued", 0)
    outcome.message = f"{queued} renewal reminder(s) written to the outbox"
    return outcome
