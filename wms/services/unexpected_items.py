"""Unexpected items: goods the purchase order does not list wait for a supervisor.

The receiver reports what arrived; nothing is booked. A supervisor accepts
(a new order line is added, marked as added by decision, and the goods can
then be received against it) or refuses (the goods go back with the driver).
Never a silent extra line.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, InvalidQuantity, NotFound
from wms.model import (
    DecisionStatus,
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    UnexpectedItem,
    exact,
    qty_str,
    utcnow,
)


class AlreadyDecided(Conflict):
    code = "already_decided"
    title = "A supervisor already decided on this item"


def report(
    session: Session,
    *,
    order_id: int,
    item_id: int,
    qty: Decimal,
    uom: str,
    lot_no: str | None = None,
    reported_by_id: int | None = None,
) -> UnexpectedItem:
    order, item = session.get(PurchaseOrder, order_id), session.get(Item, item_id)
    if order is None or item is None:
        raise NotFound("unknown order or item")
    qty = exact(qty)
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero", field="qty")
    item.to_base(qty, uom)  # refuses a unit the item does not have
    found = UnexpectedItem(
        order_id=order.id,
        item_id=item.id,
        qty=qty,
        uom=uom,
        lot_no=lot_no,
        reported_by_id=reported_by_id,
        status=DecisionStatus.pending,
    )
    session.add(found)
    session.flush()
    events.record(
        session,
        "unexpected_item.reported",
        {
            "id": found.id,
            "order": order.external_id,
            "sku": item.sku,
            "qty": qty_str(qty),
            "uom": uom,
        },
        rooms=[f"warehouse:{order.warehouse_id}"],
    )
    return found


def decide(
    session: Session,
    *,
    unexpected_id: int,
    accept: bool,
    decided_by_id: int | None,
    note: str | None = None,
) -> UnexpectedItem:
    found = session.scalars(
        select(UnexpectedItem).where(UnexpectedItem.id == unexpected_id).with_for_update()
    ).one_or_none()
    if found is None:
        raise NotFound(f"no unexpected item {unexpected_id}")
    if found.status is not DecisionStatus.pending:
        raise AlreadyDecided(f"already {found.status.value}", status=found.status.value)
    found.status = DecisionStatus.accepted if accept else DecisionStatus.refused
    found.decided_by_id, found.decided_at, found.note = decided_by_id, utcnow(), note
    if accept:
        found.order_line_id = _add_line(session, found).id
    events.record(
        session,
        "unexpected_item.decided",
        {"id": found.id, "status": found.status.value},
        rooms=[f"warehouse:{found.order.warehouse_id}"],
    )
    session.flush()
    return found


def _add_line(session: Session, found: UnexpectedItem) -> PurchaseOrderLine:
    last = session.scalar(
        select(func.max(PurchaseOrderLine.line_no)).where(
            PurchaseOrderLine.order_id == found.order_id
        )
    )
    line = PurchaseOrderLine(
        order_id=found.order_id,
        line_no=(last or 0) + 1,
        item_id=found.item_id,
        qty=found.qty,
        uom=found.uom,
        qty_base=found.item.to_base(found.qty, found.uom),
        received_base=Decimal(0),
        lot_no=found.lot_no,
        added_by_decision=True,
    )
    session.add(line)
    session.flush()
    return line


def pending(session: Session, *, warehouse_id: int) -> list[UnexpectedItem]:
    return list(
        session.scalars(
            select(UnexpectedItem)
            .join(PurchaseOrder)
            .where(
                PurchaseOrder.warehouse_id == warehouse_id,
                UnexpectedItem.status == DecisionStatus.pending,
            )
            .order_by(UnexpectedItem.id)
        )
    )
