"""SQL building blocks the reports share, written once for SQLite and PostgreSQL.

- Money is summed as whole pence (`ROUND(x * 100)` cast to an integer), which is exact on SQLite too,
  where DECIMAL columns are stored as floating point.
- Timestamps are fixed-width ISO-8601 UTC text, so a month is its first 7 characters and a day range is a
  text range: `col >= '2026-03-01' AND col < '2026-03-02'` matches both '2026-03-01' and
  '2026-03-01T10:00:00.000Z', and can use the column's index.
- The median is computed by window functions (row_number / count per group), not by loading rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, Numeric, and_, cast, func, literal, select, type_coerce
from sqlalchemy.sql import ColumnElement


def pence_sum(column: Any, where: ColumnElement[bool] | None = None) -> ColumnElement[Any]:
    """SUM of a money column in whole pence; with `where`, only rows matching it are summed."""
    amount = type_coerce(column, Numeric(asdecimal=False))
    pence = cast(func.round(amount * literal(100, Integer)), BigInteger)
    if where is not None:
        from sqlalchemy import case

        pence = case((where, pence), else_=None)
    return func.sum(pence)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows match: SUM(CASE WHEN condition THEN 1 ELSE 0 END), portable and NULL-safe."""
    from sqlalchemy import case

    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def month_of(column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a stored day or timestamp."""
    return func.substr(column, 1, 7)


def on_days(column: Any, first: date, last: date) -> ColumnElement[bool]:
    """The stored day/timestamp falls on a day from `first` to `last` inclusive."""
    return and_(column >= first.isoformat(), column < (last + timedelta(days=1)).isoformat())


def before_day(column: Any, day: date) -> ColumnElement[bool]:
    """The stored day/timestamp is on a day before `day`."""
    return column < day.isoformat()


def on_or_after_day(column: Any, day: date) -> ColumnElement[bool]:
    return column >= day.isoformat()


def month_range(month: str) -> tuple[date, date]:
    """First day and first day of the next month for 'YYYY-MM'; ValueError for anything else."""
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    first = date(int(month[:4]), int(month[5:]), 1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """end - start in seconds, for two ISO timestamp text columns."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * literal(86400.0, Float)
    from sqlalchemy.dialects.postgresql import TIMESTAMP

    delta = cast(end, TIMESTAMP(timezone=True)) - cast(start, TIMESTAMP(timezone=True))
    return cast(func.extract("epoch", delta), Float)


def median_by(value: ColumnElement[Any], group: ColumnElement[Any] | None, source_filter: list[Any],
              from_: Any) -> Any:
    """SELECT group, median(value) ... GROUP BY group, via row_number()/count() windows.

    With group None there is one row, labelled 'all'. The median of n ordered values is the mean of
    the values at positions (n+1)//2 and (n+2)//2.
    """
    from sqlalchemy import literal_column

    ranked = (
        select(
            (group if group is not None else literal_column("'all'")).label("grp"),
            value.label("v"),
            func.row_number().over(partition_by=group, order_by=value).label("rn"),
            func.count().over(partition_by=group).label("n"),
        )
        .select_from(from_)
        .where(*source_filter, value.is_not(None))
        .subquery()
    )
    lo = (ranked.c.n + 1) // 2
    hi = (ranked.c.n + 2) // 2
    return (
        select(ranked.c.grp, func.avg(ranked.c.v))
        .where((ranked.c.rn == lo) | (ranked.c.rn == hi))
        .group_by(ranked.c.grp)
    )
