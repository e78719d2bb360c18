"""Stock status changes: quarantine, hold, damaged and back to available, always with a reason.

A status change is one ledger line at the same location (``status_change``),
so the ledger says who changed what, when and why.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import FieldError, InvalidQuantity, ValidationFailed
from wms.model import Quant, StockMove, StockStatus, exact
from wms.services import ledger


def held_statuses(session: Session, *, location_id: int, item_id: int,
                  container_id: int | None = None) -> dict[StockStatus, Decimal]:
    """Free quantity per status of the item at the location (loose or in the container)."""
    rows = session.execute(
        select(Quant.status, func.sum(Quant.on_hand - Quant.reserved))
        .where(Quant.location_id == location_id, Quant.item_id == item_id,
               Quant.container_id.is_(None) if container_id is None
               else Quant.container_id == container_id)
        .group_by(Quant.status)).all()
    return {StockStatus(r[0]): Decimal(r[1]) for r in rows if r[1] and Decimal(r[1]) > 0}


def change_status(
    session: Session, *, location_id: int, item_id: int, qty: Decimal,
    from_status: StockStatus, to_status: StockStatus, reason: str,
    lot_id: int | None = None, container_id: int | None = None,
    operator_id: int | None = None, device_id: str | None = None, request_id: str | None = None,
) -> StockMove:
    qty = exact(qty)
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "a status change needs a reason")])
    if from_status == to_status:
        raise ValidationFailed([FieldError("to_status", f"the stock is already {to_status}")])
    (line,) = ledger.post_moves(session, [ledger.MoveRequest(
        item_id=item_id, qty=qty, from_location_id=location_id, to_location_id=location_id,
        reason="status_change", lot_id=lot_id, from_container_id=container_id,
        from_status=from_status, to_status=to_status, note=reason.strip()[:500])],
        operator_id=operator_id, device_id=device_id, request_id=request_id)
    events.record(session, "stock.status_changed",
                  {"move_id": line.id, "item_id": item_id, "location_id": location_id,
                   "qty": str(qty), "from": from_status.value, "to": to_status.value,
                   "reason": line.note}, rooms=[f"warehouse:{line.warehouse_id}"])
    return line
