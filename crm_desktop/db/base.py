"""Declarative base with a constraint naming convention and the shared column types."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import MetaData, Numeric, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    return str(uuid.uuid4())


class Money(TypeDecorator):
    """Exact pounds and pence: Decimal in Python, DECIMAL(p, 2) in the database.

    SQLite has no decimal type, so values come back as floats there; quantising to pence on the way
    out restores the exact amount (every stored value has at most two decimals).
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 12, scale: int = 2) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=False)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        dec = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
        return str(dec) if dialect.name == "sqlite" else dec

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: object) -> Decimal | None:
    """Round any number to exact pence (floats via their shortest repr, never binary noise)."""
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
