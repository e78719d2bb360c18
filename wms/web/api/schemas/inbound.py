"""Purchase order (ASN) and purchase return bodies and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from wms.model import PurchaseOrderStatus
from wms.web.api.schemas.common import (
    MAX_BULK,
    ApiModel,
    Code,
    PageQuery,
    PositiveQty,
    Text,
    Uom,
)

Sscc = Annotated[str, StringConstraints(pattern=r"^\d{18}$")]


class PurchaseOrderLineIn(ApiModel):
    line_no: StrictInt = Field(ge=1, le=100_000)
    sku: Code
    qty: PositiveQty
    uom: Uom | None = Field(None, description="Default: the item's base unit.")
    lot: Code | None = Field(None, description="The lot the supplier announces (ASN).")
    expiry: date | None = None
    sscc: Sscc | None = Field(None, description="The supplier's pallet SSCC (ASN).")


class PurchaseOrderIn(ApiModel):
    external_id: Code = Field(description="The ERP's own order number; the upsert key.")
    supplier: Code
    warehouse: Code
    expected_at: datetime | None = None
    note: Text | None = None
    lines: list[PurchaseOrderLineIn] = Field(min_length=1, max_length=1000)


class PurchaseOrderBulkIn(ApiModel):
    items: list[PurchaseOrderIn] = Field(min_length=1, max_length=MAX_BULK)


class PurchaseOrderLineOut(BaseModel):
    line_no: int
    sku: str
    qty: str
    uom: str
    base_uom: str
    qty_base: str
    received_qty: str = Field(description="Received so far, in the base unit.")
    open_qty: str
    lot: str | None
    expiry: str | None
    cancelled: bool = Field(description="Removed by the ERP after receiving started.")
    added_by_decision: bool = Field(description="Added by a supervisor for an unexpected item.")


class ConflictOut(BaseModel):
    line_no: int
    field: str
    message: str
    received_qty: str


class PurchaseOrderOut(BaseModel):
    external_id: str
    supplier: str
    warehouse: str
    status: str = Field(description="open → receiving → received → closed, or cancelled.")
    version: int
    expected_at: str | None
    conflicts: list[ConflictOut] = Field(
        description="What the last change could not apply because goods were already received."
    )
    lines: list[PurchaseOrderLineOut]


class PurchaseOrderQuery(PageQuery):
    status: PurchaseOrderStatus | None = None


class PurchaseOrderPage(BaseModel):
    items: list[PurchaseOrderOut]
    next_cursor: str | None


class PurchaseOrderResult(BaseModel):
    index: int
    key: str
    result: str
    status: str


class PurchaseOrderBulkReply(BaseModel):
    items: list[PurchaseOrderResult]


class PurchaseReturnLineOut(BaseModel):
    sku: str | None
    qty: str
    uom: str | None
    lot: str | None
    location: str | None
    status: str
    shipped_qty: str


class PurchaseReturnOut(BaseModel):
    number: str
    status: str
    supplier: str
    purchase_order: str | None
    reason: str
    created_at: str | None
    shipped_at: str | None
    lines: list[PurchaseReturnLineOut]


class PurchaseReturnPage(BaseModel):
    items: list[PurchaseReturnOut]
    next_cursor: str | None
