"""One sync run: the platform pass, then Stripe when a key is configured, recorded in crm_sync_runs.

Called by `python main.py sync`, `demo`, and the window's background worker (plain data in and out,
no Qt). A Stripe failure does not undo the platform pass: it is noted in the summary and the run is
marked `partial`, and the next run picks up from the cursors."""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import asdict

from sqlalchemy import update

from crm_desktop.app import AppContext
from crm_desktop.db.models import SyncRun
from crm_desktop.sync.platform_source import sync_platform
from crm_desktop.sync.progress import CancelToken, ProgressFn, SyncSummary, no_progress
from crm_desktop.timeutil import now_iso

log = logging.getLogger(__name__)

STRIPE_SKIPPED = "Stripe skipped: no API key configured"


def summary_json(summary: SyncSummary) -> str:
    return json.dumps({
        "tables": {name: asdict(counts) for name, counts in summary.tables.items()},
        "rejects": [list(r) for r in summary.rejects[:500]],
        "rejectCount": len(summary.rejects),
        "notes": summary.notes,
        "cancelled": summary.cancelled,
    }, ensure_ascii=False)


def _start_run(ctx: AppContext) -> str:
    def fn(session) -> str:
        run = SyncRun(startedAt=now_iso(), host=socket.gethostname(), status="running")
        session.add(run)
        session.flush()
        return run.id

    return ctx.db.write(fn)


def _finish_run(ctx: AppContext, run_id: str, status: str, summary: SyncSummary) -> None:
    ctx.db.write(lambda s: s.execute(update(SyncRun).where(SyncRun.id == run_id).values(
        finishedAt=now_iso(), status=status, summary=summary_json(summary))))


def _stripe(ctx: AppContext, summary: SyncSummary, progress: ProgressFn, cancel: CancelToken | None) -> bool:
    """Run the Stripe pass when a key is configured; False when it failed (noted in the summary)."""
    try:
        api_key = ctx.stripe_api_key()
    except Exception as exc:  # keychain trouble must not stop the platform results being recorded
        summary.notes.append(f"Stripe skipped: the API key could not be read ({exc})")
        return False
    if not api_key:
        summary.notes.append(STRIPE_SKIPPED)
        return True
    try:
        from crm_desktop.sync.stripe_source import sync_stripe
    except ImportError as exc:
        summary.notes.append(f"Stripe skipped: the Stripe sync is not available ({exc})")
        return False
    try:
        sync_stripe(ctx.db, api_key, ctx.settings.stripe_api_base, summary, progress, cancel)
    except Exception as exc:
        log.warning("Stripe pass failed", exc_info=True)
        summary.notes.append(f"Stripe failed: {exc}")
        return False
    return True


def run_sync(ctx: AppContext, progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> SyncSummary:
    """Platform then Stripe. Raises DatabaseUnavailable (one sentence) when a database is unusable."""
    ctx.require_schema()
    summary = SyncSummary()
    run_id = _start_run(ctx)
    try:
        sync_platform(ctx.db, ctx.platform_db, summary, progress, cancel)
        stripe_ok = True
        if not summary.cancelled:
            stripe_ok = _stripe(ctx, summary, progress, cancel)
    except BaseException as exc:
        summary.notes.append(f"failed: {exc}")
        try:
            _finish_run(ctx, run_id, "failed", summary)
        except Exception:
            log.warning("could not record the failed sync run", exc_info=True)
        raise
    status = "cancelled" if summary.cancelled else ("ok" if stripe_ok else "partial")
    _finish_run(ctx, run_id, status, summary)
    return summary
