"""The daily jobs, in order: membership statuses, then segments, then renewal reminders (which need
the fresh statuses). The window calls `run_daily_jobs` once a day; `python main.py jobs` runs it by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.jobs import membership_status, reminders, segments
from crm_desktop.jobs.mailer import SmtpConfig, deliver_outbox
from crm_desktop.jobs.runs import JobOutcome, JobResult, amend_summary, run_once
from crm_desktop.services.errors import ValidationError
from crm_desktop.timeutil import utcnow

JOBS: dict[str, Callable[[Session, date], JobOutcome]] = {
    membership_status.JOB: membership_status.update_membership_statuses,
    segments.JOB: segments.update_segments,
    reminders.JOB: reminders.queue_renewal_reminders,
}


class HasDbAndSettings(Protocol):
    @property
    def db(self) -> Database: ...
    settings: Settings


@dataclass(frozen=True)
class DailyReport:
    day: str
    results: tuple[JobResult, ...]

    @property
    def changed(self) -> bool:
        return any(r.ran and r.changes for r in self.results)

    def as_dict(self) -> dict:
        return {"day": self.day, "jobs": [r.as_dict() for r in self.results]}


def run_daily_jobs(ctx: HasDbAndSettings, today: date | None = None, *, force: bool = False,
                   only: tuple[str, ...] | None = None) -> DailyReport:
    """Run each daily job once for `today` (default: today in UTC); plain data in, plain data out."""
    today = today or utcnow().date()
    unknown = sorted(set(only or ()) - set(JOBS))
    if unknown:
        raise ValidationError({"job": f"unknown job(s) {', '.join(unknown)}; choose from {', '.join(JOBS)}"})
    results = []
    for name, work in JOBS.items():
        if only and name not in only:
            continue
        if name == segments.JOB:  # score in a read transaction, write the segment rows in a short one
            result = run_once(ctx.db, name, today, lambda s, scores: segments.update_segments(s, today, scores),
                              force=force, prepare=lambda s: segments.compute_scores(s, today))
        else:
            result = run_once(ctx.db, name, today, lambda s, w=work: w(s, today), force=force)
        if name == reminders.JOB and result.ran:
            result = _deliver(ctx.db, today, result, ctx.settings.smtp_url)
        results.append(result)
    return DailyReport(today.isoformat(), tuple(results))


def _deliver(db: Database, today: date, result: JobResult, smtp_url: str | None) -> JobResult:
    problem = "no mail server configured (CRM_SMTP_URL)"
    smtp = None
    if smtp_url:
        try:
            smtp = SmtpConfig.from_url(smtp_url)
        except ValidationError as exc:
            problem = f"the mail server setting is wrong ({exc})"
    if smtp is None:
        message = f"{result.message}; {problem}, so they wait in the outbox"
        amend_summary(db, reminders.JOB, today, {}, message)
        return JobResult(result.job, result.day, True, result.counts, result.changes, message)
    delivery = deliver_outbox(db, smtp)
    counts = {**result.counts, "sent": delivery.sent, "send_failed": delivery.failed}
    message = f"{result.message}; sent {delivery.sent} email(s) through {smtp.where()}"
    if delivery.errors:
        message += f"; {len(delivery.errors)} problem(s): " + "; ".join(delivery.errors[:3])
    amend_summary(db, reminders.JOB, today, {"sent": delivery.sent, "send_failed": delivery.failed}, message)
    return JobResult(result.job, result.day, True, counts, result.changes, message)
