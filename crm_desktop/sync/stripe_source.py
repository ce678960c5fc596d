"""One Stripe pass: events since the cursor (oldest first, deduplicated), or a full reconcile from the
list endpoints on the first run and after a gap longer than Stripe keeps events.

Network reads happen outside database transactions (a slow Stripe never holds the CRM's write lock);
each batch is then applied in one write transaction together with the cursor that covers it, so a
crash or a cancel loses nothing and duplicates nothing. Any Stripe failure after the retries raises
StripeUnavailable with the cursor where the last committed batch left it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import stripe
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_desktop.db.engine import Database
from crm_desktop.integrations.stripe_gateway import StripeGateway, StripeUnavailable
from crm_desktop.sync import stripe_apply as apply
from crm_desktop.sync.progress import CancelToken, ProgressFn, SyncSummary
from crm_desktop.sync.stripe_cursor import CursorState, load_cursor, save_cursor
from crm_desktop.sync.stripe_fetch import (
    T_EVENTS,
    T_INVOICES,
    T_SUBS,
    Fetcher,
    Work,
    event_work,
    reconcile_work,
)
from crm_desktop.sync.stripe_shapes import ShapeError

BATCH = 100


@dataclass
class _Pass:
    db: Database
    fetch: Fetcher
    summary: SyncSummary
    progress: ProgressFn
    cancel: CancelToken | None
    # Counts of the transaction in progress, merged into `summary` only once it commits (a retried
    # transaction must not count twice).
    batch: SyncSummary = field(default_factory=SyncSummary)

    def cancelled(self) -> bool:
        if self.cancel is not None and self.cancel.cancelled:
            self.summary.cancelled = True
            return True
        return False

    def write(self, fn: Callable[[Session], None]) -> None:
        def locked(session: Session) -> None:
            self.batch = SyncSummary()
            if self.db.dialect == "postgresql":  # two desktops syncing at once take turns
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext('crm-desktop:stripe-sync'))"))
            fn(session)
        self.db.write(locked)
        _merge(self.summary, self.batch)

    def apply_work(self, session: Session, work: Work) -> None:
        """Apply one object inside a savepoint: a bad one is set aside without spoiling the batch."""
        if work.reject:
            apply.set_aside(session, self.batch, work.table, work.external_id, work.reject, work.payload)
            return
        try:
            with session.begin_nested():
                for inp, why in work.subscriptions:
                    outcome = apply.apply_subscription(session, inp, work.event_time, why)
                    self._count(T_SUBS, outcome)
                if work.invoice is not None:
                    outcome = apply.apply_invoice(session, work.invoice, work.failed, work.event_time, work.why)
                    if outcome == "missing":
                        raise ShapeError(f"invoice {work.invoice.id}: its subscription "
                                         f"{work.invoice.subscription_id} is not in the CRM (set aside, or "
                                         "no longer in Stripe)")
                    self._count(T_INVOICES, outcome)
        except ShapeError as exc:
            apply.set_aside(session, self.batch, work.table, work.external_id, str(exc), work.payload)
            return
        except IntegrityError as exc:  # e.g. a period that ends before it starts
            reason = f"breaks a CRM database rule: {str(exc.orig).strip().splitlines()[0]}"
            apply.set_aside(session, self.batch, work.table, work.external_id, reason, work.payload)
            return
        apply.resolve_reject(session, work.external_id)

    def _count(self, table: str, outcome: str) -> None:
        counts = self.batch.table(table)
        counts.read += 1
        if outcome == "created":
            counts.created += 1
        elif outcome == "updated":
            counts.updated += 1
        else:
            counts.unchanged += 1


def _merge(into: SyncSummary, part: SyncSummary) -> None:
    for name, counts in part.tables.items():
        total = into.table(name)
        for attr in ("read", "created", "updated", "unchanged", "set_aside"):
            setattr(total, attr, getattr(total, attr) + getattr(counts, attr))
    into.rejects.extend(part.rejects)
    into.notes.extend(part.notes)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _oldest_first(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stripe lists newest first; sort by created, keeping the server's order between equal times."""
    created = [e.get("created") if isinstance(e.get("created"), int) else 0 for e in events]
    if len(created) > 1 and created[0] > created[-1]:
        events = list(reversed(events))
    return sorted(events, key=lambda e: e.get("created") if isinstance(e.get("created"), int) else 0)


def _incremental(run: _Pass, state: CursorState) -> None:
    listed_at = int(time.time())
    events = _oldest_first(list(run.fetch.gateway.list_events(created_gte=state.list_from())))
    fresh = [e for e in events if not state.is_applied(str(e.get("id")), e.get("created"))]
    run.summary.table(T_EVENTS).read += len(fresh)
    done = 0
    run.progress("Stripe events", 0, len(fresh))
    for batch in _chunks(fresh, BATCH):
        if run.cancelled():
            return
        works = [event_work(run.fetch, e) for e in batch]  # network look-ups, outside the transaction

        def write(session: Session, works: list[Work] = works) -> None:
            current = load_cursor(session, lock=True)  # another desktop may have applied some already
            for work in works:
                if work.event_id and current.is_applied(work.event_id, work.event_created):
                    continue
                run.apply_work(session, work)
                if work.event_id:
                    current.advance(work.event_id, work.event_created)
            save_cursor(session, current)

        run.write(write)
        done += len(batch)
        run.progress("Stripe events", done, len(fresh))

    def finish(session: Session) -> None:
        current = load_cursor(session, lock=True)
        current.listed_at = max(current.listed_at or 0, listed_at)
        save_cursor(session, current)
    run.write(finish)


def _reconcile(run: _Pass) -> None:
    started = int(time.time())
    run.summary.notes.append("Stripe: full reconcile from subscriptions, invoices and customers "
                             "(first sync, or events older than Stripe keeps).")
    works = reconcile_work(run.fetch, run.progress)
    done = 0
    for batch in _chunks(works, BATCH):
        if run.cancelled():
            return  # nothing committed marks the reconcile done: the next pass runs it again

        def write(session: Session, batch: Sequence[Work] = batch) -> None:
            for work in batch:
                run.apply_work(session, work)

        run.write(write)
        done += len(batch)
        run.progress("Stripe reconcile", done, len(works))

    def finish(session: Session) -> None:
        save_cursor(session, CursorState(created=started, seen={}, listed_at=started))
    run.write(finish)


def sync_stripe(db: Database, api_key: str, api_base: str | None, summary: SyncSummary,
                progress: ProgressFn, cancel: CancelToken | None) -> None:
    """Bring crm_memberships up to date with Stripe. Raises StripeUnavailable (a sentence for the user)."""
    gateway = StripeGateway(api_key, api_base)
    sync_stripe_with(db, gateway, summary, progress, cancel)


def sync_stripe_with(db: Database, gateway: StripeGateway, summary: SyncSummary, progress: ProgressFn,
                     cancel: CancelToken | None) -> None:
    run = _Pass(db, Fetcher(gateway, db), summary, progress, cancel)
    try:
        with db.read() as session:
            state = load_cursor(session)
        if state.needs_reconcile(int(time.time())):
            _reconcile(run)
        else:
            _incremental(run, state)
        if not summary.cancelled:
            run.write(lambda s: _link(s, run.batch))
    except stripe.StripeError as exc:
        raise StripeUnavailable(f"Stripe answered with an error ({gateway.where}): "
                                f"{exc.user_message or exc.__class__.__name__}") from exc


def _link(session: Session, summary: SyncSummary) -> None:
    linked = apply.link_pending(session)
    if linked:
        summary.table(T_SUBS).updated += linked
        summary.notes.append(f"Stripe: {linked} membership(s) linked to owners who arrived since.")
