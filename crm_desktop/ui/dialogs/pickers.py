"""Choosing a related record without loading a whole table: type part of a name, pick from matches.

The search runs in SQL (through the services) in a background task, 20 matches at a time, so it works
the same with ten contacts or a million.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QWidget
from sqlalchemy import select

from crm_desktop.db.models import Staff
from crm_desktop.services import contacts, properties
from crm_desktop.services.actor import Actor
from crm_desktop.services.listing import ListQuery
from crm_desktop.ui.context import UiContext

Search = Callable[[Any, Actor, str], list[tuple[str, str]]]
LIMIT = 20


def contact_label(c: Any) -> str:
    name = " ".join(p for p in (c.firstName, c.lastName) if p) or "(no name)"
    return f"{name} <{c.email}>"


def search_contacts(session, actor: Actor, text: str, contact_type: str | None = None) -> list[tuple[str, str]]:  # noqa: ANN001
    page = contacts.list_contacts(session, actor, ListQuery(search=text, limit=LIMIT),
                                  contacts.ContactFilter(type=contact_type))
    return [(c.id, contact_label(c)) for c in page.items]


def search_properties(session, actor: Actor, text: str) -> list[tuple[str, str]]:  # noqa: ANN001
    page = properties.list_properties(session, actor, ListQuery(search=text, limit=LIMIT))
    return [(p.id, f"{p.title}" + (f" — {p.location}" if p.location else "")) for p in page.items]


def staff_choices(session) -> list[tuple[str, str]]:  # noqa: ANN001
    rows = session.execute(select(Staff.id, Staff.name).where(Staff.active.is_(True)).order_by(Staff.name))
    return [(r.id, r.name) for r in rows]


class RecordPicker(QComboBox):
    """An editable combo box: typing searches (debounced), choosing a match sets the record id."""

    def __init__(self, ctx: UiContext, search: Search, placeholder: str = "Type to search…",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = search
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lineEdit().setPlaceholderText(placeholder)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self._run_search)
        self.lineEdit().textEdited.connect(lambda _t: self._timer.start())
        self._generation = 0
        self.searches = 0  # finished searches (tests wait on it)

    def set_record(self, record_id: str | None, label: str | None) -> None:
        self.blockSignals(True)
        self.clear()
        if record_id:
            self.addItem(label or record_id, record_id)
            self.setCurrentIndex(0)
        else:
            self.setCurrentIndex(-1)
            self.setEditText("")
        self.blockSignals(False)

    def currentData(self, role: int | None = None) -> Any:  # noqa: N802 - Qt API
        """The chosen record's id; None while the text is only typed, not picked."""
        index = self.currentIndex()
        if index < 0 or self.itemText(index) != self.currentText():
            return None
        return self.itemData(index)

    def _run_search(self) -> None:
        text = self.currentText().strip()
        if len(text) < 2:
            return
        self._generation += 1
        generation = self._generation
        actor, search = self.ctx.actor, self.search

        def work(_task) -> list[tuple[str, str]]:  # noqa: ANN001
            with self.ctx.db.read() as session:
                return search(session, actor, text)

        self.ctx.tasks.run("search records", work, on_success=lambda rows: self._show(generation, text, rows))

    def _show(self, generation: int, typed: str, rows: list[tuple[str, str]]) -> None:
        if not shiboken6.isValid(self):  # the dialog closed while searching
            return
        self.searches += 1
        if generation != self._generation:
            return
        self.blockSignals(True)
        self.clear()
        for record_id, label in rows:
            self.addItem(label, record_id)
        self.setCurrentIndex(-1)
        self.setEditText(typed)
        self.blockSignals(False)
        if rows and self.isVisible():
            self.showPopup()
