"""Stock bodies and answers: on-hand rows, immediate moves, the moves feed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from wms.model import MoveReason, StockStatus
from wms.web.api.schemas.common import (
    MAX_BULK,
    ApiModel,
    Code,
    OutModel,
    PageQuery,
    PositiveQty,
    QtyOut,
    Text,
    Uom,
)

#: Reasons an integrated system may give; reversals go through their own use case.
ApiReason = Literal[tuple(r.value for r in MoveReason if r is not MoveReason.reversal)]  # type: ignore[valid-type]


class StockQuery(PageQuery):
    sku: Code | None = None
    location: Code | None = None
    lot: Code | None = None
    warehouse: Code | None = None
    status: StockStatus | None = None


class StockRow(OutModel):
    warehouse: str
    sku: str
    location: str
    lot: str | None
    expiry: date | None
    serial: str | None
    container: str | None
    status: StockStatus
    uom: str = Field(description="The item's base unit; every quantity here is in it.")
    on_hand: QtyOut
    reserved: QtyOut
    available: QtyOut = Field(description="on_hand - reserved")
    in_date: datetime


class StockPage(OutModel):
    items: list[StockRow]
    next_cursor: str | None


class StockMoveIn(ApiModel):
    sku: Code
    qty: PositiveQty
    uom: Uom | None = Field(None, description="Default: the item's base unit.")
    from_location: Code = Field(
        description="A location code, or SUPPLIER, CUSTOMER, "
        "PRODUCTION, INVENTORY_LOSS, IN_TRANSIT."
    )
    to_location: Code
    warehouse: Code | None = Field(None, description="Needed when the key may act on several.")
    lot: Code | None = None
    serial: Code | None = None
    container: Code | None = Field(None, description="Container the stock is in; it stays in it.")
    status: StockStatus = Field(StockStatus.available, description="Status of the stock moved.")
    to_status: StockStatus | None = Field(None, description="New status; default unchanged.")
    reason: ApiReason  # type: ignore[valid-type]
    reference: Code | None = Field(None, description="The caller's document number.")
    note: Text | None = None


class StockMoveBulkIn(ApiModel):
    items: list[StockMoveIn] = Field(min_length=1, max_length=MAX_BULK)


class StockMoveOut(OutModel):
    id: int
    created_at: datetime
    warehouse: str
    sku: str
    qty: QtyOut = Field(description="In the item's base unit.")
    uom: str
    entered_qty: QtyOut | None
    entered_uom: str | None
    from_location: str
    to_location: str
    lot: str | None
    serial: str | None
    from_container: str | None
    to_container: str | None
    from_status: StockStatus
    to_status: StockStatus
    reason: str
    reference: str | None
    note: str | None
    task_id: int | None
    reverses_move_id: int | None


class StockMoveList(OutModel):
    items: list[StockMoveOut]


class StockMovePage(OutModel):
    items: list[StockMoveOut]
    next_cursor: str = Field(description="Always set: poll again with it to get newer lines.")


class StockMoveQuery(PageQuery):
    warehouse: Code | None = None
    sku: Code | None = None


class LedgerDiscrepancyOut(OutModel):
    quant_key: str
    problem: str
    expected: str
    actual: str


class LedgerCheckOut(OutModel):
    ok: bool = Field(description="True when every quant equals the sum of its moves.")
    quants: int
    moves: int
    discrepancies: list[LedgerDiscrepancyOut]
