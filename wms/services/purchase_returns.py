"""Purchase returns: stock rejected at QC or surplus goes back to the supplier.

A return is a document (number ``PR-000001``) the ERP can read; shipping it
posts one ledger move per line from where the stock waits to the supplier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, InvalidQuantity, NotFound
from wms.model import (
    Item,
    Location,
    Lot,
    PurchaseReturn,
    PurchaseReturnLine,
    ReturnStatus,
    StockStatus,
    VirtualKind,
    exact,
    qty_str,
    utcnow,
)
from wms.services import ledger, masterdata


@dataclass(frozen=True)
class ReturnLineInput:
    item_id: int
    qty: Decimal
    location_id: int
    lot_id: int | None = None
    serial_id: int | None = None
    container_id: int | None = None
    status: StockStatus = StockStatus.available


def create_return(
    session: Session,
    *,
    warehouse_id: int,
    supplier_id: int,
    reason: str,
    lines: Sequence[ReturnLineInput],
    order_id: int | None = None,
    created_by_id: int | None = None,
) -> PurchaseReturn:
    if not lines:
        raise InvalidQuantity("a purchase return needs at least one line", field="lines")
    doc = PurchaseReturn(
        number=f"tmp-{uuid4().hex[:20]}",
        warehouse_id=warehouse_id,
        supplier_id=supplier_id,
        order_id=order_id,
        reason=reason,
        created_by_id=created_by_id,
        status=ReturnStatus.open,
    )
    for line in lines:
        qty = exact(line.qty)
        if qty <= 0:
            raise InvalidQuantity("quantity must be greater than zero", field="qty")
        doc.lines.append(
            PurchaseReturnLine(
                item_id=line.item_id,
                qty=qty,
                location_id=line.location_id,
                lot_id=line.lot_id,
                serial_id=line.serial_id,
                container_id=line.container_id,
                status=line.status,
            )
        )
    session.add(doc)
    session.flush()
    doc.number = f"PR-{doc.id:06d}"
    session.flush()
    return doc


def ship_return(
    session: Session,
    *,
    return_id: int,
    operator_id: int | None,
    location_id: int,
    device_id: str | None = None,
    request_id: str | None = None,
) -> PurchaseReturn:
    """The operator scanned the location the returned goods leave from: book them out."""
    doc = _open_return(session, return_id)
    here = _lines_waiting_here(session, doc, location_id)
    moves = _moves_to_supplier(session, doc, here)
    ledger.post_moves(
        session, moves, operator_id=operator_id, device_id=device_id, request_id=request_id
    )
    _mark_shipped(doc, here, operator_id)
    _announce_shipped(session, doc)
    session.flush()
    return doc


def waiting_at(doc: PurchaseReturn, location_id: int) -> list[PurchaseReturnLine]:
    """The lines of ``doc`` whose goods still wait at the location."""
    return [
        line
        for line in doc.lines
        if line.location_id == location_id and line.shipped_qty < line.qty
    ]


def _open_return(session: Session, return_id: int) -> PurchaseReturn:
    """The return, locked; only an open one ships."""
    doc = session.scalars(
        select(PurchaseReturn).where(PurchaseReturn.id == return_id).with_for_update()
    ).one_or_none()
    if doc is None:
        raise NotFound(f"no purchase return {return_id}")
    if doc.status is not ReturnStatus.open:
        raise Conflict(f"purchase return {doc.number} is {doc.status.value}", number=doc.number)
    return doc


def _lines_waiting_here(
    session: Session, doc: PurchaseReturn, location_id: int
) -> list[PurchaseReturnLine]:
    here = waiting_at(doc, location_id)
    if not here:
        loc = session.get(Location, location_id)
        raise Conflict(
            f"nothing of {doc.number} waits at {loc.code if loc else location_id}",
            number=doc.number,
            location=loc.code if loc else str(location_id),
        )
    return here


def _moves_to_supplier(
    session: Session, doc: PurchaseReturn, lines: list[PurchaseReturnLine]
) -> list[ledger.MoveRequest]:
    """One ledger move per line, out of its container, to the supplier."""
    supplier = masterdata.virtual_location(
        session, warehouse_id=doc.warehouse_id, kind=VirtualKind.supplier
    )
    return [
        ledger.MoveRequest(
            item_id=line.item_id,
            qty=line.qty,
            from_location_id=line.location_id,
            to_location_id=supplier.id,
            reason="purchase_return",
            lot_id=line.lot_id,
            serial_id=line.serial_id,
            from_container_id=line.container_id,
            to_container_id=None,
            keep_container=False,
            from_status=line.status,
            document_type="purchase_return",
            document_ref=doc.number,
        )
        for line in lines
    ]


def _mark_shipped(
    doc: PurchaseReturn, shipped: list[PurchaseReturnLine], operator_id: int | None
) -> None:
    """The shipped lines are done; the return is shipped once every line is."""
    for line in shipped:
        line.shipped_qty = line.qty
    if all(line.shipped_qty >= line.qty for line in doc.lines):
        doc.status, doc.shipped_at = ReturnStatus.shipped, utcnow()
        doc.shipped_by_id = operator_id


def _announce_shipped(session: Session, doc: PurchaseReturn) -> None:
    events.record(
        session,
        "purchase_return.shipped",
        describe_return(session, doc),
        rooms=[f"warehouse:{doc.warehouse_id}"],
    )


def describe_return(session: Session, doc: PurchaseReturn) -> dict[str, Any]:
    return {
        "number": doc.number,
        "status": doc.status.value,
        "supplier": doc.supplier.code,
        "purchase_order": doc.order.external_id if doc.order else None,
        "reason": doc.reason,
        "created_at": doc.created_at.isoformat() if doc.created_at else None,
        "shipped_at": doc.shipped_at.isoformat() if doc.shipped_at else None,
        "lines": [_describe_line(session, line) for line in doc.lines],
    }


def _describe_line(session: Session, line: PurchaseReturnLine) -> dict[str, Any]:
    item = session.get(Item, line.item_id)
    lot = session.get(Lot, line.lot_id) if line.lot_id else None
    location = session.get(Location, line.location_id)
    return {
        "sku": item.sku if item else None,
        "qty": qty_str(line.qty),
        "uom": item.base_uom if item else None,
        "lot": lot.lot_no if lot else None,
        "location": location.code if location else None,
        "status": line.status.value,
        "shipped_qty": qty_str(line.shipped_qty),
    }
