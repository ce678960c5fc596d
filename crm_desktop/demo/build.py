"""A living demo CRM in one call: a generated platform, synced, worked by demo staff, daily jobs run.

Used by the `demo` command and by the tests that take the README's screenshots, so both show the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_desktop.app import AppContext
from crm_desktop.demo.generator import generate_platform
from crm_desktop.demo.staff_activity import ActivityCounts, add_staff_activity
from crm_desktop.jobs.daily import DailyReport, run_daily_jobs
from crm_desktop.sync.progress import ProgressFn, SyncSummary, no_progress
from crm_desktop.sync.runner import run_sync


@dataclass(frozen=True)
class DemoBuild:
    platform_counts: object | None  # the generator's counts; None when the platform already had data
    sync: SyncSummary
    activity: ActivityCounts | None
    jobs: DailyReport


def build_demo(ctx: AppContext, *, owners: int, seed: int, generate: bool = True,
               progress: ProgressFn = no_progress) -> DemoBuild:
    """Generate (unless told not to), sync, add staff work (only on generated data) and run the daily jobs."""
    counts = generate_platform(ctx.platform_db.engine, owners=max(1, owners), seed=seed) if generate else None
    summary = run_sync(ctx, progress)
    activity = ctx.db.write(lambda s: add_staff_activity(s, seed=seed)) if generate else None
    return DemoBuild(counts, summary, activity, run_daily_jobs(ctx))
