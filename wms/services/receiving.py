"""Receiving at the dock: find the order, receive by scan, close the receipt.

``receive`` checks everything before it changes anything (item on the order,
lot format, shelf life, serials, tolerance, location), then posts one ledger
move from the supplier into the receiving location, or into the QC location
with status quarantine when the item or supplier needs inspection. The
order lines it counts against are locked first, so two receivers on one
order never take more than the line allows. ``close_receipt`` opens the QC
inspections, creates the putaway tasks and announces the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import InvalidQuantity, LocationBlocked, NotFound
from wms.model import (
    Container,
    Item,
    Location,
    Lot,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    QcInspection,
    Receipt,
    ReceiptLine,
    ReceiptStatus,
    Serial,
    StockStatus,
    Task,
    VirtualKind,
    exact,
    qty_str,
    utcnow,
)
from wms.services import inbound_events, inbound_places, ledger, masterdata, putaway, qc
from wms.services.inbound_rules import (
    InboundRules,
    ItemNotOnOrder,
    LotNotOnOrder,
    OrderNotReceivable,
    OverTolerance,
    ReceiptClosed,
    check_expiry,
    check_lot,
    check_serials,
    line_complete,
    max_receivable,
    rules_for,
)

_S = PurchaseOrderStatus
RECEIVABLE = (_S.open, _S.receiving)


@dataclass(frozen=True)
class Arrival:
    """What the receiver scanned or typed for one receipt line."""

    item_id: int
    qty: Decimal
    uom: str
    lot_no: str | None = None
    expiry: date | None = None
    serials: tuple[str, ...] = ()
    container_id: int | None = None


@dataclass(frozen=True)
class ClosedReceipt:
    receipt: Receipt
    putaway_tasks: list[Task] = field(default_factory=list)
    inspections: list[QcInspection] = field(default_factory=list)


def start_receipt(
    session: Session, *, order_id: int, operator_id: int | None, device_id: str | None = None
) -> Receipt:
    order = session.get(PurchaseOrder, order_id)
    if order is None:
        raise NotFound(f"no purchase order {order_id}")
    _check_receivable(order)
    dock = inbound_places.receiving_location(session, order.warehouse_id)
    receipt = Receipt(
        order_id=order.id,
        warehouse_id=order.warehouse_id,
        location_id=dock.id,
        operator_id=operator_id,
        device_id=device_id,
        status=ReceiptStatus.open,
    )
    session.add(receipt)
    session.flush()
    return receipt


def receive(
    session: Session,
    *,
    receipt_id: int,
    arrival: Arrival,
    operator_id: int | None = None,
    device_id: str | None = None,
    request_id: str | None = None,
    today: date | None = None,
) -> ReceiptLine:
    """Check and book one arrival; any refusal raises and changes nothing."""
    receipt = _open_receipt(session, receipt_id)
    order = receipt.order
    item, qty_base, rules = _check_arrival(session, order, arrival, today or date.today())
    line = _order_line(session, order, item, arrival.lot_no, qty_base, rules)
    dest, status = _destination(session, receipt, rules)
    booking = _Booking(
        arrival,
        item,
        qty_base,
        lot_id=_lot_id(session, item, arrival),
        location=dest,
        status=status,
        container=_place_container(session, arrival.container_id, dest.id),
    )
    who = {"operator_id": operator_id, "device_id": device_id, "request_id": request_id}
    _post_arrival(session, receipt, booking, who)
    line.received_base = line.received_base + qty_base
    order.status = _S.receiving
    row = _record_line(session, receipt, line, booking, who)
    _announce_line(session, order, line, row)
    return row


@dataclass(frozen=True)
class _Booking:
    """A checked arrival and where it goes: the ledger move and the receipt line say the same."""

    arrival: Arrival
    item: Item
    qty_base: Decimal
    lot_id: int | None
    location: Location
    status: StockStatus
    container: Container | None


def _open_receipt(session: Session, receipt_id: int) -> Receipt:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound(f"no receipt {receipt_id}")
    if receipt.status is not ReceiptStatus.open:
        raise ReceiptClosed(f"receipt {receipt_id} is closed", receipt=str(receipt_id))
    _check_receivable(receipt.order)
    return receipt


def _check_receivable(order: PurchaseOrder) -> None:
    if order.status not in RECEIVABLE:
        raise OrderNotReceivable(
            f"purchase order {order.external_id} is {order.status.value}",
            order=order.external_id,
            status=order.status.value,
        )


def rules_for_order(session: Session, order: PurchaseOrder, item: Item) -> InboundRules:
    """The inbound rules for ``item`` from this order's supplier into its warehouse."""
    return rules_for(
        session, item=item, supplier_id=order.supplier_id, warehouse_id=order.warehouse_id
    )


def _check_arrival(
    session: Session, order: PurchaseOrder, arrival: Arrival, today: date
) -> tuple[Item, Decimal, InboundRules]:
    """The item, its quantity in base units and its rules, once lot, shelf life and serials pass."""
    item = session.get(Item, arrival.item_id)
    if item is None:
        raise NotFound(f"no item {arrival.item_id}")
    qty_base = _base_qty(item, arrival)
    rules = rules_for_order(session, order, item)
    check_lot(item, arrival.lot_no, rules)
    check_expiry(item, arrival.expiry, rules, today)
    check_serials(session, item, arrival.serials, qty_base)
    return item, qty_base, rules


def _destination(
    session: Session, receipt: Receipt, rules: InboundRules
) -> tuple[Location, StockStatus]:
    """Quarantine at the QC location when the item or supplier needs inspection, else the dock."""
    if rules.qc_required:
        dest = inbound_places.qc_location(session, receipt.order.warehouse_id)
        status = StockStatus.quarantine
    else:
        dest, status = receipt.location, StockStatus.available
    if dest.blocked:
        raise LocationBlocked(f"location {dest.code} is blocked", location=dest.code)
    return dest, status


def _base_qty(item: Item, arrival: Arrival) -> Decimal:
    qty = exact(arrival.qty)
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero", field="qty")
    return item.to_base(qty, arrival.uom)


def check_quantity(
    session: Session, *, receipt_id: int, item: Item, qty_base: Decimal, lot_no: str | None
) -> None:
    """Refuse now what ``receive`` would refuse for this quantity (the PDA asks early)."""
    order = _open_receipt(session, receipt_id).order
    _order_line(session, order, item, lot_no, qty_base, rules_for_order(session, order, item))


def _order_line(
    session: Session,
    order: PurchaseOrder,
    item: Item,
    lot_no: str | None,
    qty_base: Decimal,
    rules: InboundRules,
) -> PurchaseOrderLine:
    """The order line this arrival counts against, locked; refuse what the order cannot take."""
    lines = session.scalars(
        select(PurchaseOrderLine)
        .where(
            PurchaseOrderLine.order_id == order.id,
            PurchaseOrderLine.item_id == item.id,
            PurchaseOrderLine.cancelled.is_(False),
        )
        .order_by(PurchaseOrderLine.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if not lines:
        raise ItemNotOnOrder(
            f"{item.sku} is not on purchase order {order.external_id}",
            sku=item.sku,
            order=order.external_id,
        )
    matching = [line for line in lines if line.lot_no in (None, lot_no)]
    if not matching:
        raise LotNotOnOrder(
            f"lot {lot_no} of {item.sku} is not announced",
            sku=item.sku,
            lot=lot_no or "",
            expected=", ".join(sorted({line.lot_no or "" for line in lines})),
        )
    for fits in (
        lambda ln: qty_base <= ln.open_base,
        lambda ln: qty_base <= max_receivable(ln, rules),
    ):
        for line in matching:
            if fits(line):
                return line
    most = max(max_receivable(line, rules) for line in matching)
    raise OverTolerance(
        f"{item.sku}: at most {qty_str(most)} {item.base_uom} more, not {qty_str(qty_base)}",
        sku=item.sku,
        max=qty_str(most),
        requested=qty_str(qty_base),
        uom=item.base_uom,
    )


def _lot_id(session: Session, item: Item, arrival: Arrival) -> int | None:
    if arrival.lot_no is None:
        return None
    lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.lot_no == arrival.lot_no))
    if lot is None:
        lot = Lot(item_id=item.id, lot_no=arrival.lot_no, expiry_date=arrival.expiry)
        session.add(lot)
        session.flush()
    elif lot.expiry_date is None and arrival.expiry is not None:
        lot.expiry_date = arrival.expiry
    return lot.id


def _place_container(
    session: Session, container_id: int | None, location_id: int
) -> Container | None:
    if container_id is None:
        return None
    container = session.get(Container, container_id)
    if container is None:
        raise NotFound(f"no container {container_id}")
    container.location_id = location_id
    return container


def _post_arrival(
    session: Session, receipt: Receipt, booking: _Booking, who: dict[str, Any]
) -> None:
    """One ledger move from the supplier, or one per serial, into the destination."""
    supplier = masterdata.virtual_location(
        session, warehouse_id=receipt.warehouse_id, kind=VirtualKind.supplier
    )
    arrival, item = booking.arrival, booking.item
    base = {
        "item_id": item.id,
        "from_location_id": supplier.id,
        "to_location_id": booking.location.id,
        "reason": "receipt",
        "lot_id": booking.lot_id,
        "from_status": booking.status,
        "to_container_id": booking.container.id if booking.container else None,
        "document_type": "purchase_order",
        "document_ref": receipt.order.external_id,
        "entered_qty": exact(arrival.qty),
        "entered_uom": arrival.uom,
    }
    if arrival.serials:
        moves = [
            ledger.MoveRequest(
                **base, qty=Decimal(1), serial_id=_serial_id(session, item, s, booking.lot_id)
            )
            for s in arrival.serials
        ]
    else:
        moves = [ledger.MoveRequest(**base, qty=booking.qty_base)]
    ledger.post_moves(session, moves, **who)


def _serial_id(session: Session, item: Item, serial_no: str, lot_id: int | None) -> int:
    serial = session.scalar(
        select(Serial).where(Serial.item_id == item.id, Serial.serial_no == serial_no)
    )
    if serial is None:
        serial = Serial(item_id=item.id, serial_no=serial_no, lot_id=lot_id)
        session.add(serial)
        session.flush()
    return serial.id


def _record_line(
    session: Session,
    receipt: Receipt,
    line: PurchaseOrderLine,
    booking: _Booking,
    who: dict[str, Any],
) -> ReceiptLine:
    """The receipt line: what came, how it was entered, where it stands and who booked it."""
    arrival = booking.arrival
    row = ReceiptLine(
        receipt_id=receipt.id,
        order_line_id=line.id,
        item_id=booking.item.id,
        qty=booking.qty_base,
        entered_qty=exact(arrival.qty),
        entered_uom=arrival.uom,
        lot_id=booking.lot_id,
        expiry_date=arrival.expiry,
        serials=list(arrival.serials),
        container_id=booking.container.id if booking.container else None,
        location_id=booking.location.id,
        status=booking.status,
        **who,
    )
    session.add(row)
    session.flush()
    return row


def _announce_line(
    session: Session, order: PurchaseOrder, line: PurchaseOrderLine, row: ReceiptLine
) -> None:
    events.record(
        session,
        "receipt.line_received",
        {
            "order": order.external_id,
            "line_no": line.line_no,
            "sku": line.item.sku,
            "qty": qty_str(row.qty),
            "received_qty": qty_str(line.received_base),
            "ordered_qty": qty_str(line.qty_base),
            "status": row.status.value,
        },
        rooms=[f"warehouse:{order.warehouse_id}"],
    )


def close_receipt(
    session: Session, *, receipt_id: int, operator_id: int | None, device_id: str | None = None
) -> ClosedReceipt:
    """Finish the receipt: inspections for quarantined lines, putaway for the rest."""
    receipt = _open_receipt(session, receipt_id)
    receipt.status, receipt.closed_at = ReceiptStatus.closed, utcnow()
    held = [row for row in receipt.lines if row.status is StockStatus.quarantine]
    free = [row for row in receipt.lines if row.status is StockStatus.available]
    inspections = [qc.open_inspection(session, row) for row in held]
    tasks = putaway.plan_for_receipt_lines(session, free, actor_id=operator_id)
    order = receipt.order
    _update_order_status(session, order)
    if receipt.lines:
        inbound_events.purchase_order_received(session, order, receipt)
    session.flush()
    return ClosedReceipt(receipt, tasks, inspections)


def _update_order_status(session: Session, order: PurchaseOrder) -> None:
    """``received`` once every line is in within tolerance; a short receipt stays open."""
    done = all(
        line_complete(line, rules_for_order(session, order, line.item)) for line in order.lines
    )
    if done:
        order.status = _S.received
    elif any(line.received_base > 0 for line in order.lines):
        order.status = _S.receiving
