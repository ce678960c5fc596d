"""Deciding at start whether the app runs online or on the replica, and keeping the replica fresh.

`start(settings)` probes the shared database once. Reachable: an ordinary AppContext (the caller
refreshes the replica in the background). Unreachable with a replica on disk: an OfflineAppContext whose
`db` is the replica, opened so that every write is refused, plus an OfflineSession holding the outbox
and what the banner needs. Unreachable and no replica: DatabaseUnavailable, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import Database, DatabaseUnavailable, redact_url
from crm_desktop.offline.outbox import ApplyReport, Outbox
from crm_desktop.offline.replica import RefreshReport, Replica
from crm_desktop.services.actor import Actor

log = logging.getLogger(__name__)


@dataclass
class OfflineSession:
    """What the offline window needs: the replica, its outbox, and how to get back online."""

    replica: Replica
    live_settings: Settings
    reason: str  # why we are offline, fit to show (no password)
    actor: Actor | None = None  # who is signed in (the window runs as a read-only copy of them)
    outbox: Outbox = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.replica)

    @property
    def refreshed_at(self) -> str | None:
        return self.replica.refreshed_at

    @property
    def live_label(self) -> str:
        return redact_url(self.live_settings.database_url)

    def probe(self) -> str | None:
        """None when the shared database answers again, else why not (one sentence)."""
        return probe(self.live_settings)

    def reconnect(self) -> tuple[AppContext, ApplyReport, RefreshReport | None]:
        """Back online: apply the outbox to the live database, then refresh the replica from it.

        Raises DatabaseUnavailable when it still cannot be reached (nothing is changed then).
        """
        ctx = AppContext(self.live_settings)
        try:
            ctx.check_reachable()
            report = self.outbox.apply(ctx.db)
            refreshed = None
            if not report.failed:
                refreshed = self.replica.refresh(ctx.db, full=True, signed_in=self.actor)
        except BaseException:
            ctx.close()
            raise
        return ctx, report, refreshed


class OfflineAppContext(AppContext):
    """An AppContext whose CRM database is the read-only replica; there is no platform database."""

    def __init__(self, settings: Settings, replica: Replica) -> None:
        super().__init__(settings)
        self._replica = replica

    @cached_property
    def db(self) -> Database:
        return self._replica.reader()

    @cached_property
    def platform_db(self) -> Database:
        raise DatabaseUnavailable("Offline: the platform database cannot be reached; sync is not available.")

    def stripe_api_key(self) -> str | None:
        return None  # nothing talks to Stripe offline


def read_only(actor: Actor) -> Actor:
    """The same person as a viewer: every service refuses their writes while offline."""
    return Actor(actor.id, "viewer", f"{actor.name or actor.id} (offline, read-only)")


def probe(settings: Settings) -> str | None:
    ctx = AppContext(settings)
    try:
        ctx.check_reachable()
        return None
    except DatabaseUnavailable as exc:
        return str(exc)
    finally:
        ctx.close()


def start(settings: Settings, replica: Replica | None = None) -> tuple[AppContext, OfflineSession | None]:
    """The context the app should run on, and the offline session when it is offline."""
    replica = replica or Replica()
    problem = probe(settings)
    if problem is None:
        return AppContext(settings), None
    if not replica.exists or replica.refreshed_at is None:
        raise DatabaseUnavailable(f"{problem} There is no offline copy on this computer yet, so the app "
                                  "cannot open until the database is reachable.")
    log.warning("opening offline on the replica: %s", problem)
    session = OfflineSession(replica, settings, problem)
    return OfflineAppContext(settings, replica), session


def offline_actor(replica: Replica, current: Actor | None) -> Actor | None:
    """Who logs notes offline: the last person signed in online on this computer. Without staff
    accounts that is the app's default user; with them and nobody signed in here yet, nobody."""
    remembered = replica.signed_in
    if remembered is not None:
        return remembered
    return None if replica.has_staff() else current


def refresh_replica(ctx: AppContext, replica: Replica | None = None, *, full: bool = False,
                    signed_in: Actor | None = None) -> RefreshReport:
    """Refresh the replica from an online context (after a sync: full=True; on reads: quick)."""
    if isinstance(ctx, OfflineAppContext):
        raise DatabaseUnavailable("Offline: the replica cannot be refreshed until the database is back.")
    replica = replica or Replica()
    if replica.path.resolve() == _sqlite_path(ctx.db):
        raise ValueError("The replica cannot be the CRM database itself.")
    return replica.refresh(ctx.db, full=full, signed_in=signed_in)


def refresh_after_sync(ctx: AppContext, replica: Replica | None = None) -> RefreshReport | None:
    """After a command-line sync: bring this computer's offline copy up to date, if it keeps one.

    A failure here is logged, never raised: the sync itself succeeded.
    """
    replica = replica or Replica()
    if not replica.exists:
        return None
    try:
        return refresh_replica(ctx, replica, full=True)
    except Exception as exc:  # noqa: BLE001 - the copy is a convenience; the sync result stands
        log.warning("the offline copy was not refreshed: %s", exc)
        return None
    finally:
        replica.close()


def _sqlite_path(db: Database):  # noqa: ANN202
    from pathlib import Path

    name = db.engine.url.database if db.dialect == "sqlite" else None
    return Path(name).resolve() if name and name != ":memory:" else None
