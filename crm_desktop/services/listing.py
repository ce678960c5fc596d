"""Paging, sorting and searching done in SQL, with sort columns from a whitelist only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from crm_desktop.services.errors import ValidationError

T = TypeVar("T")
MAX_PAGE = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class ListQuery:
    """Common list parameters: `filters` are equality filters on whitelisted columns."""

    filters: dict[str, Any] = field(default_factory=dict)
    search: str | None = None
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 100


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def search_clause(columns: list[Any], text: str):
    pattern = like_pattern(text.strip())
    return or_(*[func.lower(col).like(pattern, escape="\\") for col in columns])


def apply_filters(stmt: Select, model: type, label: str, allowed: tuple[str, ...],
                  generic: dict[str, Any], named: dict[str, Any]) -> tuple[Select, dict[str, Any]]:
    """Equality filters on whitelisted columns: the query's generic ones plus the named ones that are set.

    Returns the statement and the filters applied (callers use the latter to pick a faster plan).
    """
    filters = dict(generic)
    filters.update({key: value for key, value in named.items() if value})
    for key, value in filters.items():
        if key not in allowed:
            raise ValidationError({key: f"is not a filter for {label}"})
        stmt = stmt.where(getattr(model, key) == value)
    return stmt, filters


def apply_sort(stmt: Select, model: type, sortable: tuple[str, ...], sort: str | None, descending: bool,
               default: str) -> Select:
    key = sort or default
    if key not in sortable:
        raise ValidationError({"sort": f"cannot sort by '{key}'; choose one of: {', '.join(sortable)}"})
    column = getattr(model, key)
    order = column.desc() if descending else column.asc()
    tie = model.id.desc() if descending else model.id.asc()
    return stmt.order_by(order, tie)


def unsearchable(text: str) -> bool:
    """NUL (PostgreSQL refuses it, SQLite cuts text at it) or broken unicode (lone surrogates)."""
    return "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _check_params(stmt: Select) -> None:
    """Refuse search/filter values no database can compare, instead of crashing or matching everything."""
    for element in visitors.iterate(stmt):
        if isinstance(element, BindParameter) and isinstance(element.value, str) and unsearchable(element.value):
            raise ValidationError({"search": "contains characters that cannot be searched for (NUL or broken "
                                             "unicode)"})


def paginate(session: Session, stmt: Select, offset: int, limit: int, total: int | None = None) -> Page:
    """One page and the total; `total` when the caller already knows it (e.g. from a search index)."""
    _check_params(stmt)
    if limit < 1 or limit > MAX_PAGE:
        raise ValidationError({"limit": f"must be between 1 and {MAX_PAGE}"})
    if offset < 0:
        raise ValidationError({"offset": "cannot be negative"})
    if total is None:
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.offset(offset).limit(limit)))
    return Page(items=items, total=total, offset=offset, limit=limit)
