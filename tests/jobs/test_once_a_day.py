"""Two desktops starting the daily jobs at the same moment: each job runs exactly once."""

from __future__ import annotations

import threading
import time
from datetime import date

from sqlalchemy import func, select

from crm_desktop.db.engine import Database
from crm_desktop.db.models import JobRun
from crm_desktop.jobs.runs import JobOutcome, run_once

DAY = date(2026, 3, 15)


def test_concurrent_claims_run_the_job_once(db):
    calls: list[str] = []
    barrier = threading.Barrier(2)
    results = {}

    def work(session) -> JobOutcome:
        calls.append(threading.current_thread().name)
        time.sleep(0.3)  # hold the claim while the other desktop tries
        return JobOutcome({"done": 1}, ["did it"], "did it")

    def desktop(name: str) -> None:
        other = Database(db.url)  # each desktop has its own engine and connections
        try:
            barrier.wait()
            results[name] = run_once(other, "demo", DAY, work)
        finally:
            other.dispose()

    threads = [threading.Thread(target=desktop, args=(n,), name=n) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1
    ran = [r for r in results.values() if r.ran]
    skipped = [r for r in results.values() if not r.ran]
    assert len(ran) == 1 and len(skipped) == 1
    assert "already ran for 2026-03-15" in skipped[0].message
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(JobRun)) == 1


def test_a_failed_job_releases_its_claim(db):
    def boom(session) -> JobOutcome:
        raise RuntimeError("disk on fire")

    try:
        run_once(db, "demo", DAY, boom)
    except RuntimeError:
        pass
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(JobRun)) == 0
    assert run_once(db, "demo", DAY, lambda s: JobOutcome()).ran
