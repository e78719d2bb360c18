"""Declarative base, naming convention and the exact quantity type."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from wms.errors import InvalidQuantity

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Quantities and money carry at most this many decimal places.
QTY_SCALE = 6
_QUANTUM = Decimal(1).scaleb(-QTY_SCALE)
_FACTOR = 10**QTY_SCALE


def utcnow() -> datetime:
    return datetime.now(UTC)


def exact(value: Any, *, field: str = "qty") -> Decimal:
    """Turn input into an exact Decimal; refuse floats' noise and over-precision."""
    if isinstance(value, bool) or value is None:
        raise InvalidQuantity(f"{field} must be a number", field=field)
    if isinstance(value, float):
        value = repr(value)
    try:
        dec = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise InvalidQuantity(f"{field} is not a number: {value!r}", field=field) from None
    if not dec.is_finite():
        raise InvalidQuantity(f"{field} must be finite", field=field)
    if abs(dec) >= Decimal(10) ** 20:
        raise InvalidQuantity(f"{field} {value} is too large", field=field)
    if dec != dec.quantize(_QUANTUM):
        raise InvalidQuantity(
            f"{field} {value} has more than {QTY_SCALE} decimal places", field=field
        )
    return dec


def qty_str(value: Decimal) -> str:
    """A quantity as plain text without exponent or trailing zeros: 12.5, 3, 0.001."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class Qty(TypeDecorator[Decimal]):
    """Exact decimal: NUMERIC(28,6) on PostgreSQL, scaled BIGINT on SQLite.

    SQLite has no decimal type (NUMERIC goes through float), so there a
    quantity is stored as an integer count of millionths; sums stay exact.
    """

    impl = Numeric(28, QTY_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(28, QTY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        dec = exact(value)
        if dialect.name == "sqlite":
            return int(dec * _FACTOR)
        return dec

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-QTY_SCALE)
        return Decimal(value)

    @property
    def python_type(self) -> type:
        return Decimal


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {Decimal: Qty(), datetime: UtcDateTime()}


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
