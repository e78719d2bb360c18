"""Warehouse-to-warehouse transfer orders through the in-transit location.

Shipping posts ``location → in_transit`` in the sending warehouse; receiving
posts ``in_transit → location`` in the receiving one (each warehouse has its
own virtual in-transit location; a ledger line never crosses warehouses).
What is shipped and not yet received is in transit on the order's lines.
Closing the receipt compares received with shipped per line: any difference
becomes a ``TransferDiscrepancy`` row and the order status ``discrepancy``
— never silently fixed; a supervisor resolves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, FieldError, InvalidQuantity, NotFound, ValidationFailed
from wms.model import (
    Location,
    TransferDiscrepancy,
    TransferLine,
    TransferOrder,
    TransferStatus,
    VirtualKind,
    exact,
    qty_str,
    utcnow,
)
from wms.services import ledger, masterdata

_T = TransferStatus
SHIPPABLE = (_T.open, _T.shipping)
RECEIVABLE = (_T.in_transit, _T.receiving)


class TransferNotReady(Conflict):
    code = "transfer_not_ready"
    title = "The transfer order is not in a state for this"


class OverShipment(Conflict):
    code = "over_shipment"
    title = "More than the order asks for"


@dataclass(frozen=True)
class LineSpec:
    item_id: int
    qty: Decimal
    lot_id: int | None = None


def create(session: Session, *, external_id: str, from_warehouse_id: int, to_warehouse_id: int,
           lines: Sequence[LineSpec], api_client_id: int | None = None,
           note: str | None = None) -> TransferOrder:
    errors = []
    if from_warehouse_id == to_warehouse_id:
        errors.append(FieldError("to_warehouse", "must differ from the sending warehouse"))
    if not lines:
        errors.append(FieldError("lines", "at least one line is required"))
    errors += [FieldError(f"lines[{i}].qty", "must be greater than zero")
               for i, spec in enumerate(lines) if exact(spec.qty) <= 0]
    if errors:
        raise ValidationFailed(errors)
    if session.scalar(select(TransferOrder.id).where(TransferOrder.external_id == external_id)):
        raise Conflict(f"transfer order {external_id} exists", external_id=external_id)
    order = TransferOrder(external_id=external_id, from_warehouse_id=from_warehouse_id,
                          to_warehouse_id=to_warehouse_id, api_client_id=api_client_id,
                          note=note, status=_T.open)
    order.lines = [TransferLine(line_no=i + 1, item_id=s.item_id, lot_id=s.lot_id,
                                qty=exact(s.qty), shipped_qty=Decimal(0),
                                received_qty=Decimal(0)) for i, s in enumerate(lines)]
    session.add(order)
    session.flush()
    return order


def locked(session: Session, order_id: int) -> TransferOrder:
    order = session.scalars(select(TransferOrder).where(TransferOrder.id == order_id)
                            .with_for_update().execution_options(populate_existing=True)
                            ).one_or_none()
    if order is None:
        raise NotFound(f"no transfer order {order_id}")
    return order


def _line(order: TransferOrder, item_id: int) -> TransferLine:
    for line in order.lines:
        if line.item_id == item_id:
            return line
    raise NotFound(f"the item is not on transfer {order.external_id}", order=order.external_id)


def _in_transit(session: Session, warehouse_id: int) -> Location:
    return masterdata.virtual_location(session, warehouse_id=warehouse_id,
                                       kind=VirtualKind.in_transit)


def _move(session: Session, order: TransferOrder, line: TransferLine, qty: Decimal,
          src: int, dst: int, operator_id: int | None, device_id: str | None) -> None:
    ledger.post_moves(session, [ledger.MoveRequest(
        item_id=line.item_id, qty=qty, from_location_id=src, to_location_id=dst,
        reason="transfer", lot_id=line.lot_id, document_type="transfer_order",
        document_ref=order.external_id)], operator_id=operator_id, device_id=device_id)


def ship(session: Session, *, order_id: int, item_id: int, location_id: int, qty: Decimal,
         operator_id: int | None = None, device_id: str | None = None) -> TransferLine:
    """Take ``qty`` of the line's item from ``location`` into in-transit."""
    qty = exact(qty)
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero")
    order = locked(session, order_id)
    if order.status not in SHIPPABLE:
        raise TransferNotReady(order=order.external_id, status=order.status.value)
    line = _line(order, item_id)
    if line.shipped_qty + qty > line.qty:
        raise OverShipment(order=order.external_id, remaining=qty_str(line.qty - line.shipped_qty))
    _move(session, order, line, qty, location_id,
          _in_transit(session, order.from_warehouse_id).id, operator_id, device_id)
    line.shipped_qty += qty
    order.status = _T.shipping
    return line


def dispatch(session: Session, *, order_id: int) -> TransferOrder:
    """The truck leaves: what was shipped is in transit."""
    order = locked(session, order_id)
    if order.status is not _T.shipping:
        raise TransferNotReady(order=order.external_id, status=order.status.value)
    order.status, order.shipped_at = _T.in_transit, utcnow()
    events.record(session, "transfer.dispatched", describe(order),
                  rooms=[f"warehouse:{order.to_warehouse_id}"])
    return order


def receive(session: Session, *, order_id: int, item_id: int, location_id: int, qty: Decimal,
            operator_id: int | None = None, device_id: str | None = None) -> TransferLine:
    """Put ``qty`` that arrived into ``location`` of the receiving warehouse; what the
    receiver counts is what is booked, even when it differs from what was shipped."""
    qty = exact(qty)
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero")
    order = locked(session, order_id)
    if order.status not in RECEIVABLE:
        raise TransferNotReady(order=order.external_id, status=order.status.value)
    line = _line(order, item_id)
    _move(session, order, line, qty, _in_transit(session, order.to_warehouse_id).id,
          location_id, operator_id, device_id)
    line.received_qty += qty
    order.status = _T.receiving
    return line


def close_receipt(session: Session, *, order_id: int,
                  user_id: int | None = None) -> list[TransferDiscrepancy]:
    """Compare received with shipped per line; every difference is recorded."""
    order = locked(session, order_id)
    if order.status not in RECEIVABLE:
        raise TransferNotReady(order=order.external_id, status=order.status.value)
    found = [TransferDiscrepancy(order_id=order.id, line_id=ln.id, shipped_qty=ln.shipped_qty,
                                 received_qty=ln.received_qty,
                                 diff_qty=ln.received_qty - ln.shipped_qty,
                                 recorded_by_id=user_id, status="open")
             for ln in order.lines if ln.received_qty != ln.shipped_qty]
    session.add_all(found)
    order.status = _T.discrepancy if found else _T.received
    order.received_at = utcnow()
    session.flush()
    events.record(session, "transfer.received", describe(order),
                  rooms=[f"warehouse:{order.to_warehouse_id}",
                         f"warehouse:{order.from_warehouse_id}"])
    return found


def describe(order: TransferOrder) -> dict[str, Any]:
    return {
        "external_id": order.external_id, "status": order.status.value,
        "lines": [{"line_no": ln.line_no, "item_id": ln.item_id, "qty": qty_str(ln.qty),
                   "shipped_qty": qty_str(ln.shipped_qty),
                   "received_qty": qty_str(ln.received_qty),
                   "in_transit": qty_str(ln.in_transit)} for ln in order.lines],
    }
