"""Widget builders the detail views and the dashboard share, so a heading, a row of stat cards, a
framed chart or a keyboard shortcut is made one way and looks and behaves the same on every page."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.ui.details.common import StatCard


def framed(widget: QWidget) -> QFrame:
    """A chart on a white card, like the stat cards around it."""
    frame = QFrame()
    frame.setObjectName("card")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(6, 8, 6, 6)
    lay.addWidget(widget)
    return frame


def scrolling_body(view: QWidget, name: str) -> QWidget:
    """Fill `view` with a frameless scroll area and return its grey page (object name `name`) to lay out;
    pages with charts are taller than a small window."""
    outer = QVBoxLayout(view)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    outer.addWidget(scroll)
    body = QWidget()
    body.setObjectName(name)
    body.setStyleSheet(f"QWidget#{name} {{ background: #f6f7fb; }}")
    scroll.setWidget(body)
    return body


def heading_label(text: str = "Loading…") -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    return label


def subheading_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("subheading")
    return label


def heading_row(title: QLabel, *chips: QLabel) -> QHBoxLayout:
    """The record's name and its chips, left-aligned; callers add their buttons after the stretch."""
    row = QHBoxLayout()
    for widget in (title, *chips):
        row.addWidget(widget)
    row.addStretch(1)
    return row


def selectable_label() -> QLabel:
    """Wrapped text staff can select and copy (notes, an enquiry's message)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def stat_cards(titles: Iterable[tuple[str, str]]) -> tuple[QHBoxLayout, dict[str, StatCard]]:
    """A row of StatCards from (key, title) pairs, and the cards by key."""
    row = QHBoxLayout()
    cards = {key: StatCard(title) for key, title in titles}
    for card in cards.values():
        row.addWidget(card)
    return row, cards


def add_shortcut(owner: QWidget, button: QPushButton, keys: str) -> None:
    """`keys` clicks `button` while focus is anywhere inside `owner` (one open record of several)."""
    shortcut = QShortcut(QKeySequence(keys), owner)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(button.click)


def link_buttons(layout: QBoxLayout, links: Iterable[tuple[str, str]],
                 on_click: Callable[[str], None]) -> dict[str, QPushButton]:
    """'Open owner' style buttons from (kind, label) pairs; a click calls `on_click(kind)`."""
    buttons: dict[str, QPushButton] = {}
    for kind, label in links:
        button = QPushButton(label)
        button.clicked.connect(lambda _=False, k=kind: on_click(k))
        layout.addWidget(button)
        buttons[kind] = button
    return buttons
