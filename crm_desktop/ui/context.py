"""What every widget is built with: the app's database handles, the task runner, who is signed in,
and the change bus that tells views which kinds of record changed.

Widgets take a `UiContext` in their constructor instead of reaching for a global; this file is the
stable contract between the window and the views other engineers write (details, dialogs, dashboard...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from crm_desktop.app import AppContext
from crm_desktop.services.actor import Actor
from crm_desktop.ui.tasks import TaskRunner

# Entity names carried by ChangeBus.changed (a frozenset of these).
ENTITIES = ("contact", "property", "enquiry", "membership", "interaction", "activity", "staff", "sync",
            "settings")

DEFAULT_ACTOR = Actor("admin", "admin", "Administrator")


class ChangeBus(QObject):
    """Broadcast once after a write: `changed` carries a frozenset of entity names that changed.

    Views connect to it and refresh only when one of the entities they show is in the set.
    """

    changed = Signal(object)

    def notify(self, *entities: str) -> None:
        if entities:
            self.changed.emit(frozenset(entities))


@dataclass
class UiContext:
    app: AppContext  # settings, db, platform_db
    tasks: TaskRunner
    actor: Actor = DEFAULT_ACTOR  # the signed-in member of staff
    changes: ChangeBus = field(default_factory=ChangeBus)
    # crm_desktop.offline.mode.OfflineSession while the window runs on the offline copy, else None
    offline: Any = None

    @property
    def db(self):  # noqa: ANN201 - crm_desktop.db.engine.Database; a shortcut for views
        return self.app.db
