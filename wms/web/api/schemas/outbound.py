"""Sales order bodies and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictInt

from wms.web.api.schemas.common import MAX_BULK, ApiModel, Code, PageQuery, PositiveQty, Text, Uom


class SalesOrderLineIn(ApiModel):
    line_no: StrictInt = Field(ge=1, le=100_000)
    sku: Code
    qty: PositiveQty
    uom: Uom | None = Field(None, description="Default: the item's base unit.")
    lot: Code | None = Field(None, description="Only this lot may be allocated.")
    unit_price: PositiveQty | None = Field(None, description="For the order value review rule.")


class SalesOrderIn(ApiModel):
    external_id: Code = Field(description="The ERP's own order number; the upsert key.")
    customer: Code
    warehouse: Code
    priority: StrictInt = Field(5, ge=1, le=9)
    ship_by: datetime | None = None
    ship_to: dict[str, Any] = Field(default_factory=dict)
    carrier: Code | None = None
    short_policy: Literal["ship_partial", "wait", "backorder"] | None = None
    note: Text | None = None
    lines: list[SalesOrderLineIn] = Field(min_length=1, max_length=1000)


class SalesOrderBulkIn(ApiModel):
    items: list[SalesOrderIn] = Field(min_length=1, max_length=MAX_BULK)


class SalesOrderLineOut(BaseModel):
    line_no: int
    sku: str
    qty: str
    uom: str
    qty_base: str
    lot: str | None
    allocated_qty: str
    picked_qty: str
    packed_qty: str
    shipped_qty: str
    dropped_qty: str = Field(description="Given up: short with ship_partial, or cancelled.")


class PackageOut(BaseModel):
    code: str
    status: str
    carrier: str | None
    tracking_no: str | None
    weight_g: int | None


class SalesOrderOut(BaseModel):
    external_id: str
    customer: str
    warehouse: str
    status: str = Field(description="received → reviewed → allocated → picking → picked → "
                        "packed → shipped, or on_hold, short, cancelled.")
    hold_reasons: list[str]
    priority: int
    carrier: str | None
    shipped_at: str | None
    lines: list[SalesOrderLineOut]
    packages: list[PackageOut]


class SalesOrderResult(BaseModel):
    index: int
    key: str
    status: str
    result: str


class SalesOrderBulkReply(BaseModel):
    items: list[SalesOrderResult]


class SalesOrderQuery(PageQuery):
    status: str | None = None


class SalesOrderPage(BaseModel):
    items: list[SalesOrderOut]
    next_cursor: str | None


class CancelIn(ApiModel):
    reason: Text | None = None
