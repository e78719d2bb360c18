"""Sales returns (RMA): goods come back against the order they shipped on.

Each received line posts through the ledger from the CUSTOMER virtual
location to the location the goods were put, by disposition::

    restock     CUSTOMER ──return──► location, available
    quarantine  CUSTOMER ──return──► location, quarantine
    scrap       CUSTOMER ──return──► location, damaged ──scrap──► INVENTORY_LOSS

Nothing can come back that did not ship: per order line, returned quantity
never exceeds shipped quantity. Closing the return tells the ERP with the
``sales_order.returned`` webhook (an outbox row, sent after commit).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms.errors import NotFound, WmsError
from wms.model import (
    Disposition,
    Item,
    Location,
    OrderStatus,
    ReturnAuthorization,
    ReturnLine,
    SalesOrder,
    SalesOrderLine,
    StockStatus,
    VirtualKind,
    qty_str,
)
from wms.services import ledger, masterdata
from wms.services.webhooks import emit_webhook


class OrderNotShipped(WmsError):
    code = "order_not_shipped"
    http_status = 422


class ItemNotShipped(WmsError):
    code = "item_not_shipped"
    http_status = 422


class ReturnExceedsShipped(WmsError):
    code = "return_exceeds_shipped"
    http_status = 422


class NotAReturnLocation(WmsError):
    code = "not_a_return_location"
    http_status = 422


class NothingReturned(WmsError):
    code = "nothing_returned"
    http_status = 422


class ReturnNotFound(NotFound):
    code = "return_not_found"


_STATUS = {Disposition.restock: StockStatus.available,
           Disposition.quarantine: StockStatus.quarantine,
           Disposition.scrap: StockStatus.damaged}


def open_return(session: Session, external_id: str, *, warehouse_id: int,
                reason: str | None = None) -> ReturnAuthorization:
    """The open return of a shipped order, created on first scan."""
    order = session.scalar(select(SalesOrder).where(SalesOrder.external_id == external_id,
                                                    SalesOrder.warehouse_id == warehouse_id))
    if order is None or order.status is not OrderStatus.shipped:
        raise OrderNotShipped(order=external_id)
    rma = session.scalar(select(ReturnAuthorization).where(
        ReturnAuthorization.order_id == order.id, ReturnAuthorization.status == "open"))
    if rma is None:
        n = session.scalar(select(func.count()).select_from(ReturnAuthorization)
                           .where(ReturnAuthorization.order_id == order.id)) or 0
        rma = ReturnAuthorization(rma_no=f"RMA-{external_id}-{n + 1}", order_id=order.id,
                                  reason=reason)
        session.add(rma)
        session.flush()
    return rma


def returnable(session: Session, rma: ReturnAuthorization, item_id: int
               ) -> tuple[SalesOrderLine, Decimal]:
    """The first order line of the item with shipped units not yet returned, and how many."""
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    item = session.get(Item, item_id)
    sku = item.sku if item else str(item_id)
    lines = [ln for ln in order.lines if ln.item_id == item_id and ln.shipped_qty > 0]
    if not lines:
        raise ItemNotShipped(sku=sku, order=order.external_id)
    for line in lines:
        left = line.shipped_qty - _returned(session, line.id)
        if left > 0:
            return line, left
    raise ReturnExceedsShipped(sku=sku, left="0")


def _returned(session: Session, order_line_id: int) -> Decimal:
    total = session.scalar(select(func.sum(ReturnLine.qty))
                           .where(ReturnLine.order_line_id == order_line_id))
    return Decimal(total or 0)


def receive_line(session: Session, rma: ReturnAuthorization, *, item_id: int, qty: Decimal,
                 disposition: Disposition, location_id: int, user_id: int | None,
                 request_id: str | None = None) -> ReturnLine:
    """Book ``qty`` of the item back from the customer to ``location_id`` by disposition."""
    line, left = returnable(session, rma, item_id)
    if qty <= 0 or qty > left:
        item = session.get(Item, item_id)
        raise ReturnExceedsShipped(sku=item.sku if item else str(item_id), left=qty_str(left))
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    location = session.get(Location, location_id)
    if location is None or location.is_virtual or location.warehouse_id != order.warehouse_id:
        raise NotAReturnLocation(location=location.code if location else str(location_id))
    ledger.post_moves(session, _moves(session, order, rma, item_id, qty, disposition,
                                      location_id), operator_id=user_id, request_id=request_id)
    row = ReturnLine(rma_id=rma.id, order_line_id=line.id, item_id=item_id, qty=qty,
                     disposition=disposition, location_id=location_id, received_by=user_id)
    session.add(row)
    session.flush()
    return row


def _moves(session: Session, order: SalesOrder, rma: ReturnAuthorization, item_id: int,
           qty: Decimal, disposition: Disposition, location_id: int
           ) -> list[ledger.MoveRequest]:
    def virtual(kind: VirtualKind) -> int:
        return masterdata.virtual_location(session, warehouse_id=order.warehouse_id,
                                           kind=kind).id

    status = _STATUS[disposition]
    doc = {"document_type": "return", "document_ref": rma.rma_no}
    moves = [ledger.MoveRequest(item_id=item_id, qty=qty,
                                from_location_id=virtual(VirtualKind.customer),
                                to_location_id=location_id, reason="return", to_status=status,
                                **doc)]
    if disposition is Disposition.scrap:
        moves.append(ledger.MoveRequest(item_id=item_id, qty=qty, from_location_id=location_id,
                                        to_location_id=virtual(VirtualKind.inventory_loss),
                                        reason="scrap", from_status=status, **doc))
    return moves


def close_return(session: Session, rma: ReturnAuthorization) -> ReturnAuthorization:
    """The return is received: tell the ERP what came back and where it went."""
    if not rma.lines:
        raise NothingReturned(rma=rma.rma_no)
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    rma.status = "received"
    numbers = {ln.id: ln.line_no for ln in order.lines}
    emit_webhook(session, "sales_order.returned", {
        "external_id": order.external_id, "rma_no": rma.rma_no,
        "lines": [{"line_no": numbers[r.order_line_id], "qty": qty_str(r.qty),
                   "disposition": r.disposition.value} for r in rma.lines]})
    session.flush()
    return rma


def get_return(session: Session, rma_id: int) -> ReturnAuthorization:
    rma = session.get(ReturnAuthorization, rma_id)
    if rma is None:
        raise ReturnNotFound(rma=str(rma_id))
    return rma
