"""Inventory control bodies and answers: purchase requisitions and transfer orders."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from wms.model import RequisitionStatus, TransferStatus
from wms.web.api.schemas.common import (
    ApiModel,
    Code,
    OutModel,
    PageQuery,
    PositiveQty,
    QtyOut,
    Text,
)


class RequisitionQuery(PageQuery):
    status: RequisitionStatus = RequisitionStatus.approved


class RequisitionOut(OutModel):
    id: int
    status: RequisitionStatus
    warehouse: str
    sku: str
    qty: QtyOut
    suggested_qty: QtyOut
    available: QtyOut
    safety_stock: QtyOut
    reorder_point: QtyOut
    note: str | None
    created_at: datetime


class RequisitionPage(OutModel):
    items: list[RequisitionOut]
    next_cursor: str | None


class TransferLineIn(ApiModel):
    sku: Code
    qty: PositiveQty
    lot: Code | None = None


class TransferOrderIn(ApiModel):
    external_id: Code
    from_warehouse: Code
    to_warehouse: Code
    note: Text | None = None
    lines: list[TransferLineIn] = Field(min_length=1, max_length=1000)


class TransferLineOut(OutModel):
    line_no: int
    sku: str
    lot: str | None
    qty: QtyOut
    shipped_qty: QtyOut
    received_qty: QtyOut
    in_transit: QtyOut


class TransferDiscrepancyOut(OutModel):
    line_no: int
    shipped_qty: QtyOut
    received_qty: QtyOut
    diff_qty: QtyOut
    status: str


class TransferOrderOut(OutModel):
    external_id: str
    status: TransferStatus
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLineOut]
    discrepancies: list[TransferDiscrepancyOut]
