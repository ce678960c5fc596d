"""`sync`: one pass over the platform tables and Stripe, printing what was read, created, updated and
set aside per table (and why rows were set aside). Progress goes to stderr on long syncs."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from crm_desktop.app import AppContext
from crm_desktop.sync.progress import ProgressFn, SyncSummary

MAX_REJECTS_SHOWN = 50


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="bring platform and Stripe changes into the CRM (one pass)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def stderr_progress(stream: TextIO | None = None, min_interval: float = 0.5) -> ProgressFn:
    """A progress line per batch (at most every `min_interval` seconds), and at each stage's end."""
    last = {"t": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if total == 0 or (done < total and done and now - last["t"] < min_interval) or (done == 0 and total < 1000):
            return
        last["t"] = now
        print(f"  {stage}: {done}/{total}", file=stream or sys.stderr, flush=True)

    return report


def print_summary(summary: SyncSummary, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    width = max([len(n) for n in summary.tables] + [5])
    print(f"{'table':<{width}}  {'read':>7} {'created':>7} {'updated':>7} {'unchanged':>9} {'set aside':>9}", file=out)
    for name, c in summary.tables.items():
        print(f"{name:<{width}}  {c.read:>7} {c.created:>7} {c.updated:>7} {c.unchanged:>9} {c.set_aside:>9}",
              file=out)
    if summary.rejects:
        print(f"\nSet aside ({len(summary.rejects)}; kept in crm_sync_rejects until fixed on the platform):", file=out)
        for table, ext, reason in summary.rejects[:MAX_REJECTS_SHOWN]:
            print(f"  {table} #{ext}: {reason}", file=out)
        if len(summary.rejects) > MAX_REJECTS_SHOWN:
            print(f"  ... and {len(summary.rejects) - MAX_REJECTS_SHOWN} more", file=out)
    for note in summary.notes:
        print(note, file=out)
    if summary.cancelled:
        print("Cancelled: the batches done so far are kept; the next sync continues from there.", file=out)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from crm_desktop.sync.runner import run_sync

    progress = (lambda *_a: None) if args.quiet else stderr_progress()
    summary = run_sync(ctx, progress)
    print_summary(summary)
    from crm_desktop.offline.mode import refresh_after_sync

    refresh_after_sync(ctx)  # this computer's offline copy follows every sync (when it keeps one)
    return 1 if any(n.startswith("Stripe failed") for n in summary.notes) else 0
