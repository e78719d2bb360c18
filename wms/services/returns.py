"""Sales returns (RMA): goods come back against the order they shipped on.

Each received line posts through the ledger from the CUSTOMER virtual
location to the location the goods were put, by disposition::

    restock     CUSTOMER ──return──► location, available
    quarantine  CUSTOMER ──return──► location, quarantine
    scrap       CUSTOMER ──return──► location, damaged ──scrap──► INVENTORY_LOSS

Nothing can come back that did not ship: per order line, returned quantity
never exceeds shipped quantity. Lot- and serial-tracked items name what came
back, checked against the order's ``ship`` lines in the ledger: the lot must be
one that shipped on the order (and no more of it than shipped and not yet
returned), each serial number must have shipped on the order and not already
come back. The returned lot and serials travel on every ledger line.
Closing the return tells the ERP with the ``sales_order.returned`` webhook
(an outbox row, sent after commit), each line with its lot and serials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from wms.errors import NotFound, WmsError
from wms.model import (
    Disposition,
    Item,
    Location,
    Lot,
    OrderStatus,
    ReturnAuthorization,
    ReturnLine,
    SalesOrder,
    SalesOrderLine,
    Serial,
    StockMove,
    StockStatus,
    Tracking,
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


class ReturnLotRequired(WmsError):
    code = "return_lot_required"
    http_status = 422


class LotNotShipped(WmsError):
    code = "lot_not_shipped"
    http_status = 422


class ReturnSerialsRequired(WmsError):
    code = "return_serials_required"
    http_status = 422


class SerialNotShipped(WmsError):
    code = "serial_not_shipped"
    http_status = 422


class SerialAlreadyReturned(WmsError):
    code = "serial_already_returned"
    http_status = 422


class SerialScannedTwice(WmsError):
    code = "serial_scanned_twice"
    http_status = 422


@dataclass(frozen=True)
class ShippedUnit:
    """A serial number that left on the order, with the lot it shipped from."""

    serial_id: int
    serial_no: str
    lot_id: int | None


_STATUS = {
    Disposition.restock: StockStatus.available,
    Disposition.quarantine: StockStatus.quarantine,
    Disposition.scrap: StockStatus.damaged,
}


def open_return(
    session: Session, external_id: str, *, warehouse_id: int, reason: str | None = None
) -> ReturnAuthorization:
    """The open return of a shipped order, created on first scan."""
    order = session.scalar(
        select(SalesOrder).where(
            SalesOrder.external_id == external_id, SalesOrder.warehouse_id == warehouse_id
        )
    )
    if order is None or order.status is not OrderStatus.shipped:
        raise OrderNotShipped(order=external_id)
    rma = session.scalar(
        select(ReturnAuthorization).where(
            ReturnAuthorization.order_id == order.id, ReturnAuthorization.status == "open"
        )
    )
    if rma is None:
        n = (
            session.scalar(
                select(func.count())
                .select_from(ReturnAuthorization)
                .where(ReturnAuthorization.order_id == order.id)
            )
            or 0
        )
        rma = ReturnAuthorization(
            rma_no=f"RMA-{external_id}-{n + 1}", order_id=order.id, reason=reason
        )
        session.add(rma)
        session.flush()
    return rma


def returnable(
    session: Session, rma: ReturnAuthorization, item_id: int
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
    total = session.scalar(
        select(func.sum(ReturnLine.qty)).where(ReturnLine.order_line_id == order_line_id)
    )
    return Decimal(total or 0)


def _shipped(order: SalesOrder, item_id: int) -> tuple[ColumnElement[bool], ...]:
    """The ledger's ``ship`` lines of the item on the order."""
    return (
        StockMove.warehouse_id == order.warehouse_id,
        StockMove.item_id == item_id,
        StockMove.reason == "ship",
        StockMove.document_type == "sales_order",
        StockMove.document_ref == order.external_id,
    )


def _rma_ids(session: Session, order: SalesOrder) -> Sequence[int]:
    return session.scalars(
        select(ReturnAuthorization.id).where(ReturnAuthorization.order_id == order.id)
    ).all()


def lot_returnable(
    session: Session, rma: ReturnAuthorization, item_id: int, lot_no: str
) -> tuple[Lot, Decimal]:
    """The lot, if it shipped on the return's order, and how much of it may still come back."""
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    item = session.get(Item, item_id)
    sku = item.sku if item else str(item_id)
    lot = session.scalar(select(Lot).where(Lot.item_id == item_id, Lot.lot_no == lot_no))
    shipped = (
        Decimal(0)
        if lot is None
        else Decimal(
            session.scalar(
                select(func.coalesce(func.sum(StockMove.qty), 0)).where(
                    *_shipped(order, item_id), StockMove.lot_id == lot.id
                )
            )
            or 0
        )
    )
    if lot is None or shipped <= 0:
        raise LotNotShipped(lot=lot_no, sku=sku, order=order.external_id)
    returned = Decimal(
        session.scalar(
            select(func.coalesce(func.sum(ReturnLine.qty), 0)).where(
                ReturnLine.rma_id.in_(_rma_ids(session, order)),
                ReturnLine.item_id == item_id,
                ReturnLine.lot_id == lot.id,
            )
        )
        or 0
    )
    return lot, shipped - returned


def serial_returnable(
    session: Session, rma: ReturnAuthorization, item_id: int, serial_no: str
) -> ShippedUnit:
    """The serial number, if it shipped on the return's order and has not come back yet."""
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    item = session.get(Item, item_id)
    sku = item.sku if item else str(item_id)
    serial = session.scalar(
        select(Serial).where(Serial.item_id == item_id, Serial.serial_no == serial_no)
    )
    move = (
        None
        if serial is None
        else session.scalars(
            select(StockMove)
            .where(*_shipped(order, item_id), StockMove.serial_id == serial.id)
            .order_by(StockMove.id.desc())
        ).first()
    )
    if serial is None or move is None:
        raise SerialNotShipped(serial=serial_no, sku=sku, order=order.external_id)
    for returned in session.scalars(
        select(ReturnLine).where(
            ReturnLine.rma_id.in_(_rma_ids(session, order)), ReturnLine.item_id == item_id
        )
    ):
        if serial_no in returned.serials:
            rma_no = session.scalar(
                select(ReturnAuthorization.rma_no).where(ReturnAuthorization.id == returned.rma_id)
            )
            raise SerialAlreadyReturned(serial=serial_no, sku=sku, rma=rma_no)
    return ShippedUnit(serial.id, serial.serial_no, move.lot_id)


def receive_line(
    session: Session,
    rma: ReturnAuthorization,
    *,
    item_id: int,
    qty: Decimal,
    disposition: Disposition,
    location_id: int,
    user_id: int | None,
    request_id: str | None = None,
    lot_no: str | None = None,
    serials: Sequence[str] = (),
) -> ReturnLine:
    """Book ``qty`` of the item back from the customer to ``location_id`` by disposition.

    A lot-tracked item needs ``lot_no`` (shipped on the order); a serial-tracked
    item needs one serial number per unit in ``serials`` (each shipped on the
    order, none returned before). Anything wrong is refused before a line posts.
    """
    line, left = returnable(session, rma, item_id)
    item = session.get(Item, item_id)
    assert item is not None
    if qty <= 0 or qty > left:
        raise ReturnExceedsShipped(sku=item.sku, left=qty_str(left))
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    lot, units = _what_comes_back(session, rma, item, qty, lot_no, serials)
    _check_return_location(session, order, location_id)
    pieces = [(Decimal(1), u.lot_id, u.serial_id) for u in units] or [
        (qty, lot.id if lot else None, None)
    ]
    ledger.post_moves(
        session,
        [
            move
            for q, lot_id, serial_id in pieces
            for move in _moves(
                session, order, rma, item_id, q, disposition, location_id, lot_id, serial_id
            )
        ],
        operator_id=user_id,
        request_id=request_id,
    )
    row = ReturnLine(
        rma_id=rma.id,
        order_line_id=line.id,
        item_id=item_id,
        qty=qty,
        disposition=disposition,
        location_id=location_id,
        received_by=user_id,
        lot_id=lot.id if lot else None,
        serials=[u.serial_no for u in units],
    )
    session.add(row)
    session.flush()
    return row


def _what_comes_back(
    session: Session,
    rma: ReturnAuthorization,
    item: Item,
    qty: Decimal,
    lot_no: str | None,
    serials: Sequence[str],
) -> tuple[Lot | None, list[ShippedUnit]]:
    """The lot, or the serial units, a tracked item comes back as; each one shipped on the order."""
    if item.tracking is Tracking.lot:
        if not lot_no:
            raise ReturnLotRequired(sku=item.sku)
        lot, lot_left = lot_returnable(session, rma, item.id, lot_no)
        if qty > lot_left:
            raise ReturnExceedsShipped(sku=f"{item.sku} {lot_no}", left=qty_str(lot_left))
        return lot, []
    units: list[ShippedUnit] = []
    if item.tracking is Tracking.serial:
        if len(serials) != qty:
            raise ReturnSerialsRequired(sku=item.sku, qty=qty_str(qty), n=len(serials))
        for serial_no in serials:
            if serial_no in (u.serial_no for u in units):
                raise SerialScannedTwice(serial=serial_no)
            units.append(serial_returnable(session, rma, item.id, serial_no))
    return None, units


def _check_return_location(session: Session, order: SalesOrder, location_id: int) -> None:
    location = session.get(Location, location_id)
    if location is None or location.is_virtual or location.warehouse_id != order.warehouse_id:
        raise NotAReturnLocation(location=location.code if location else str(location_id))


def _moves(
    session: Session,
    order: SalesOrder,
    rma: ReturnAuthorization,
    item_id: int,
    qty: Decimal,
    disposition: Disposition,
    location_id: int,
    lot_id: int | None,
    serial_id: int | None,
) -> list[ledger.MoveRequest]:
    def virtual(kind: VirtualKind) -> int:
        return masterdata.virtual_location(session, warehouse_id=order.warehouse_id, kind=kind).id

    status = _STATUS[disposition]
    doc = {
        "document_type": "return",
        "document_ref": rma.rma_no,
        "lot_id": lot_id,
        "serial_id": serial_id,
    }
    moves = [
        ledger.MoveRequest(
            item_id=item_id,
            qty=qty,
            from_location_id=virtual(VirtualKind.customer),
            to_location_id=location_id,
            reason="return",
            to_status=status,
            **doc,
        )
    ]
    if disposition is Disposition.scrap:
        moves.append(
            ledger.MoveRequest(
                item_id=item_id,
                qty=qty,
                from_location_id=location_id,
                to_location_id=virtual(VirtualKind.inventory_loss),
                reason="scrap",
                from_status=status,
                **doc,
            )
        )
    return moves


def close_return(session: Session, rma: ReturnAuthorization) -> ReturnAuthorization:
    """The return is received: tell the ERP what came back and where it went."""
    if not rma.lines:
        raise NothingReturned(rma=rma.rma_no)
    order = session.get(SalesOrder, rma.order_id)
    assert order is not None
    rma.status = "received"
    numbers = {ln.id: ln.line_no for ln in order.lines}
    emit_webhook(
        session,
        "sales_order.returned",
        {
            "external_id": order.external_id,
            "rma_no": rma.rma_no,
            "lines": [_webhook_line(session, numbers[r.order_line_id], r) for r in rma.lines],
        },
    )
    session.flush()
    return rma


def _webhook_line(session: Session, line_no: int, row: ReturnLine) -> dict:
    """One returned line for the ERP; ``lot`` and ``serials`` only for tracked items."""
    out: dict = {"line_no": line_no, "qty": qty_str(row.qty), "disposition": row.disposition.value}
    if row.lot_id is not None:
        lot = session.get(Lot, row.lot_id)
        out["lot"] = lot.lot_no if lot else None
    if row.serials:
        out["serials"] = list(row.serials)
    return out


def get_return(session: Session, rma_id: int) -> ReturnAuthorization:
    rma = session.get(ReturnAuthorization, rma_id)
    if rma is None:
        raise ReturnNotFound(rma=str(rma_id))
    return rma
