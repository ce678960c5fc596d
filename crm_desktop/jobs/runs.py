"""Once a day per job, even with several desktops on one database.

A job claims its (job, day) row in `crm_job_runs` inside the same transaction that does its work: the
unique constraint lets only one desktop insert it (on PostgreSQL the second insert waits for the first
transaction, then fails; on SQLite write transactions queue on BEGIN IMMEDIATE and the second one sees
the row). If the work fails, the claim is rolled back with it, so a later run tries again. `force`
re-runs a job that already ran today; every job is idempotent, so a forced run only does what is left.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_desktop.db.engine import Database
from crm_desktop.db.models import JobRun
from crm_desktop.timeutil import now_iso


@dataclass
class JobOutcome:
    """What a job did: counts for machines, one line per change for people."""

    counts: dict[str, int] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    message: str = ""

    def add(self, key: str, line: str | None = None, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n
        if line:
            self.changes.append(line)


@dataclass(frozen=True)
class JobResult:
    job: str
    day: str
    ran: bool  # False: it had already run today (on this or another desktop), nothing was done
    counts: dict[str, int]
    changes: tuple[str, ...]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"job": self.job, "day": self.day, "ran": self.ran, "counts": self.counts,
                "changes": list(self.changes), "message": self.message}


class _AlreadyClaimed(Exception):
    pass


def _already_ran(job: str, day: str, run: JobRun | None) -> JobResult:
    summary = json.loads(run.summary) if run is not None and run.summary else {}
    when = run.finishedAt or run.startedAt if run is not None else "just now, on another desktop"
    return JobResult(job, day, False, summary.get("counts", {}), (),
                     f"already ran for {day} (at {when}); use --force to run it again")


def run_once(db: Database, job: str, today: date, work: Callable[..., JobOutcome],
             force: bool = False, prepare: Callable[[Session], Any] | None = None) -> JobResult:
    """Run `work` in one write transaction unless (job, today) is already claimed.

    `prepare` (optional) does the heavy reading first, in a read transaction, so the write transaction
    (which on SQLite holds the one write lock every desktop waits for) stays short; `work` then gets its
    result as a second argument.
    """
    day = today.isoformat()
    args: tuple[Any, ...] = ()
    if prepare is not None:
        with db.read() as session:
            done = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.day == day))
            if done is not None and not force:
                return _already_ran(job, day, done)
            args = (prepare(session),)

    def tx(session: Session) -> JobResult:
        run = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.day == day))
        if run is not None and not force:
            return _already_ran(job, day, run)
        if run is None:
            run = JobRun(job=job, day=day, startedAt=now_iso())
            session.add(run)
            try:
                session.flush()
            except IntegrityError as exc:
                raise _AlreadyClaimed from exc
        else:
            run.startedAt, run.finishedAt = now_iso(), None
        outcome = work(session, *args)
        run.finishedAt = now_iso()
        run.summary = json.dumps({"counts": outcome.counts, "changes": outcome.changes[:200],
                                  "message": outcome.message}, ensure_ascii=False)
        return JobResult(job, day, True, dict(outcome.counts), tuple(outcome.changes), outcome.message)

    try:
        return db.write(tx)
    except _AlreadyClaimed:
        with db.read() as session:
            run = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.day == day))
        return _already_ran(job, day, run)


def amend_summary(db: Database, job: str, today: date, counts: dict[str, int], message: str) -> None:
    """Add what happened after the claimed transaction (e.g. emails delivered) to the run's summary."""
    def tx(session: Session) -> None:
        run = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.day == today.isoformat()))
        if run is None:
            return
        summary = json.loads(run.summary) if run.summary else {}
        summary.setdefault("counts", {}).update(counts)
        summary["message"] = message
        run.summary = json.dumps(summary, ensure_ascii=False)
    db.write(tx)
