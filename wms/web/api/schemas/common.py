"""Shared field types: codes, names, exact quantities, pages, problems, bulk results."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from wms.errors import InvalidQuantity
from wms.model import exact, qty_str

MAX_BULK = 1000


class ApiModel(BaseModel):
    """Request bodies: unknown fields are refused, so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid")


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


_CODE = r"^[^\s\x00-\x1f](?:[^\x00-\x1f]*[^\s\x00-\x1f])?$"
#: A business key (SKU, location code, partner code): no surrounding blanks or control characters.
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_CODE)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=16)]
Uom = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_.-]+$")]
Text = Annotated[str, StringConstraints(max_length=500)]
AbcClass = Literal["A", "B", "C"]

_QTY_TEXT = r"^[+-]?\d{1,14}(\.\d{1,6})?$"
#: Greater than zero, at most 14 digits before and 6 after the point.
_POSITIVE_TEXT = (
    r"^(?:[1-9]\d{0,13}(?:\.\d{1,6})?|0?\.(?:[1-9]\d{0,5}|0[1-9]\d{0,4}|00[1-9]\d{0,3}"
    r"|000[1-9]\d{0,2}|0000[1-9]\d?|00000[1-9]))$"
)


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal, float)):
        raise ValueError('a quantity is a number or a decimal string such as "12.5"')
    try:
        return exact(value, field="value")
    except InvalidQuantity as exc:
        raise ValueError(exc.detail) from None


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


def _not_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _schema(pattern: str, **number: Any) -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "pattern": pattern},
            {"type": "number", "multipleOf": 0.000001, "maximum": 10**14, **number},
        ],
        "examples": ["12.5"],
    }


#: Any exact decimal (coordinates): at most 6 places, never rounded.
Decimal6 = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    WithJsonSchema(_schema(_QTY_TEXT, minimum=-(10**14)), mode="validation"),
]
#: A quantity greater than zero: "12.5", 12.5 or 12; zero, negative, >6 places → 422.
PositiveQty = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    AfterValidator(_positive),
    WithJsonSchema(_schema(_POSITIVE_TEXT, exclusiveMinimum=0), mode="validation"),
]
NonNegativeQty = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    AfterValidator(_not_negative),
    WithJsonSchema(_schema(r"^\+?\d{1,14}(\.\d{1,6})?$", minimum=0), mode="validation"),
]
#: Quantities in answers are decimal strings without exponent or trailing zeros.
QtyOut = Annotated[
    Decimal,
    PlainSerializer(qty_str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}, mode="serialization"),
]


class PageQuery(ApiModel):
    limit: int = Field(100, ge=1, le=1000, description="Rows per page.")
    cursor: str | None = Field(
        None, max_length=200, description="`next_cursor` of the previous page; omit for the first."
    )


class FieldProblem(BaseModel):
    field: str
    message: str
    code: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; ``errors`` lists every invalid field."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    errors: list[FieldProblem] | None = None
    available: str | None = None
    shortages: list[dict[str, Any]] | None = None


class BulkResult(OutModel):
    index: int
    key: str
    result: Literal["created", "updated", "unchanged"]


class BulkReply(BaseModel):
    """One result per item, in the order sent."""

    items: list[BulkResult]
