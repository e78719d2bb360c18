"""Purchase orders (ASNs) from the ERP or the console: create, change, describe.

An order is upserted by its ``external_id``. Before receiving starts a push
replaces the lines. Once goods have arrived a push can no longer undo them:
what was received stays, and every change that clashes with it is kept in
``PurchaseOrder.conflicts`` for the ERP to read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wms.errors import Conflict, FieldError, UnknownUnit, ValidationFailed, WmsError
from wms.model import (
    Item,
    Partner,
    PartnerKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Warehouse,
    exact,
    qty_str,
)

_S = PurchaseOrderStatus
RECEIVABLE = (_S.open, _S.receiving)
#: Orders a push may still change.
CHANGEABLE = (_S.open, _S.receiving, _S.received)


@dataclass(frozen=True)
class LineInput:
    line_no: int
    sku: str
    qty: Decimal
    uom: str | None = None
    lot: str | None = None
    expiry: date | None = None
    sscc: str | None = None


@dataclass(frozen=True)
class OrderInput:
    external_id: str
    supplier: str
    warehouse: str
    lines: list[LineInput]
    expected_at: datetime | None = None
    note: str | None = None


@dataclass
class _Resolved:
    supplier: Partner
    warehouse: Warehouse
    lines: dict[int, tuple[LineInput, Item, Decimal]] = field(default_factory=dict)


def upsert_purchase_orders(
    session: Session, orders: Sequence[OrderInput]
) -> list[tuple[PurchaseOrder, bool]]:
    """Many orders in one transaction: every bad field of every order is reported at once."""
    errors: list[FieldError] = []
    for i, data in enumerate(orders):
        try:
            _resolve(session, data)
        except ValidationFailed as exc:
            errors += [FieldError(f"items[{i}].{e.field}", e.message, e.code) for e in exc.errors]
    if errors:
        raise ValidationFailed(errors)
    return [upsert_purchase_order(session, data) for data in orders]


def upsert_purchase_order(session: Session, data: OrderInput) -> tuple[PurchaseOrder, bool]:
    """Create or change the order; returns it and whether it is new."""
    resolved = _resolve(session, data)
    order = session.scalars(
        select(PurchaseOrder)
        .where(PurchaseOrder.external_id == data.external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if order is None:
        order = PurchaseOrder(external_id=data.external_id, status=_S.open, conflicts=[])
        _apply_header(order, data, resolved)
        order.lines = [_new_line(*resolved.lines[no]) for no in sorted(resolved.lines)]
        session.add(order)
        session.flush()
        return order, True
    if order.status not in CHANGEABLE:
        raise Conflict(
            f"purchase order {order.external_id} is {order.status.value}",
            external_id=order.external_id,
            status=order.status.value,
        )
    _apply_header(order, data, resolved)
    order.conflicts = _merge_lines(order, resolved)
    order.version += 1
    session.flush()
    return order, False


def create_purchase_order(session: Session, data: OrderInput) -> PurchaseOrder:
    """A new order entered by hand; an order with the same number is refused, never changed."""
    taken = session.scalar(
        select(PurchaseOrder.id).where(PurchaseOrder.external_id == data.external_id)
    )
    if taken is not None:
        raise ValidationFailed(
            [FieldError("external_id", f"purchase order {data.external_id} exists", "duplicate")]
        )
    order, _ = upsert_purchase_order(session, data)
    return order


def _apply_header(order: PurchaseOrder, data: OrderInput, resolved: _Resolved) -> None:
    order.supplier_id = resolved.supplier.id
    order.warehouse_id = resolved.warehouse.id
    order.expected_at = data.expected_at
    order.note = data.note


def _resolve(session: Session, data: OrderInput) -> _Resolved:
    """Look up every reference and check every line; raise once with all problems."""
    errors: list[FieldError] = []
    supplier = session.scalar(select(Partner).where(Partner.code == data.supplier))
    if supplier is None or supplier.kind is PartnerKind.customer:
        errors.append(FieldError("supplier", f"unknown supplier {data.supplier}"))
    warehouse = session.scalar(select(Warehouse).where(Warehouse.code == data.warehouse))
    if warehouse is None:
        errors.append(FieldError("warehouse", f"unknown warehouse {data.warehouse}"))
    if not data.lines:
        errors.append(FieldError("lines", "at least one line is required"))
    lines: dict[int, tuple[LineInput, Item, Decimal]] = {}
    skus = {line.sku for line in data.lines}
    items = {
        i.sku: i
        for i in session.scalars(
            select(Item).options(selectinload(Item.units)).where(Item.sku.in_(skus))
        )
    }
    for i, line in enumerate(data.lines):
        checked = _check_line(line, items.get(line.sku), f"lines[{i}]", errors)
        if checked is None:
            continue
        if line.line_no in lines:
            errors.append(FieldError(f"lines[{i}].line_no", f"line {line.line_no} twice"))
        lines[line.line_no] = (line, checked[0], checked[1])
    if errors:
        raise ValidationFailed(errors)
    assert supplier is not None and warehouse is not None
    return _Resolved(supplier, warehouse, lines)


def _check_line(
    line: LineInput, item: Item | None, where: str, errors: list[FieldError]
) -> tuple[Item, Decimal] | None:
    if item is None:
        errors.append(FieldError(f"{where}.sku", f"unknown item {line.sku}"))
        return None
    try:
        qty = exact(line.qty)
        if qty <= 0:
            errors.append(FieldError(f"{where}.qty", "quantity must be greater than zero"))
            return None
        base = item.to_base(qty, line.uom or item.base_uom)
    except (UnknownUnit, WmsError) as exc:
        field_name = "uom" if isinstance(exc, UnknownUnit) else "qty"
        errors.append(FieldError(f"{where}.{field_name}", exc.detail))
        return None
    return item, base


def _new_line(data: LineInput, item: Item, qty_base: Decimal) -> PurchaseOrderLine:
    return PurchaseOrderLine(
        line_no=data.line_no,
        item_id=item.id,
        item=item,
        qty=exact(data.qty),
        uom=data.uom or item.base_uom,
        qty_base=qty_base,
        received_base=Decimal(0),
        lot_no=data.lot,
        expiry_date=data.expiry,
        sscc=data.sscc,
    )


def _merge_lines(order: PurchaseOrder, resolved: _Resolved) -> list[dict[str, Any]]:
    """Apply the ERP's lines over what was received; report what could not be applied."""
    conflicts: list[dict[str, Any]] = []
    current = {line.line_no: line for line in order.lines}
    for no, line in current.items():
        if no in resolved.lines:
            _change_line(line, *resolved.lines[no], conflicts)
        elif line.received_base > 0 or line.added_by_decision:
            if line.received_base > 0:
                line.cancelled = True
                conflicts.append(_conflict(line, "removed", "line removed after receiving"))
        else:
            order.lines.remove(line)
    for no in sorted(resolved.lines.keys() - current.keys()):
        order.lines.append(_new_line(*resolved.lines[no]))
    return conflicts


def _change_line(
    line: PurchaseOrderLine,
    data: LineInput,
    item: Item,
    qty_base: Decimal,
    conflicts: list[dict[str, Any]],
) -> None:
    if line.received_base > 0 and item.id != line.item_id:
        conflicts.append(_conflict(line, "sku", f"line has receipts; item kept, not {item.sku}"))
        return
    line.item_id, line.item, line.cancelled = item.id, item, False
    line.qty, line.uom, line.qty_base = exact(data.qty), data.uom or item.base_uom, qty_base
    line.lot_no, line.expiry_date, line.sscc = data.lot, data.expiry, data.sscc
    if line.received_base > qty_base:
        conflicts.append(_conflict(line, "qty", f"already received {qty_str(line.received_base)}"))


def _conflict(line: PurchaseOrderLine, field_name: str, message: str) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "field": field_name,
        "message": message,
        "received_qty": qty_str(line.received_base),
    }


def describe_order(order: PurchaseOrder) -> dict[str, Any]:
    """The order as the ERP reads it: status and received quantity per line."""
    return {
        "external_id": order.external_id,
        "supplier": order.supplier.code,
        "warehouse": order.warehouse.code,
        "status": order.status.value,
        "version": order.version,
        "expected_at": order.expected_at.astimezone(UTC).isoformat() if order.expected_at else None,
        "conflicts": list(order.conflicts or []),
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.item.sku,
                "qty": qty_str(line.qty),
                "uom": line.uom,
                "base_uom": line.item.base_uom,
                "qty_base": qty_str(line.qty_base),
                "received_qty": qty_str(line.received_base),
                "open_qty": qty_str(line.open_base),
                "lot": line.lot_no,
                "expiry": line.expiry_date.isoformat() if line.expiry_date else None,
                "cancelled": line.cancelled,
                "added_by_decision": line.added_by_decision,
            }
            for line in order.lines
        ],
    }


def order_by_reference(session: Session, *, warehouse_id: int, text: str) -> PurchaseOrder | None:
    """The order a scan names: its number, or the SSCC its ASN announces."""
    by_number = session.scalar(
        select(PurchaseOrder).where(
            PurchaseOrder.external_id == text, PurchaseOrder.warehouse_id == warehouse_id
        )
    )
    if by_number is not None:
        return by_number
    return session.scalar(
        select(PurchaseOrder)
        .join(PurchaseOrderLine)
        .where(PurchaseOrderLine.sscc == text, PurchaseOrder.warehouse_id == warehouse_id)
        .order_by(PurchaseOrder.id.desc())
        .limit(1)
    )


def order_for_item(session: Session, *, warehouse_id: int, item_id: int) -> PurchaseOrder | None:
    """The receivable order expecting this item soonest (a line's barcode finds its order)."""
    return session.scalar(
        select(PurchaseOrder)
        .join(PurchaseOrderLine)
        .where(
            PurchaseOrder.warehouse_id == warehouse_id,
            PurchaseOrder.status.in_(RECEIVABLE),
            PurchaseOrderLine.item_id == item_id,
            PurchaseOrderLine.received_base < PurchaseOrderLine.qty_base,
        )
        .order_by(PurchaseOrder.expected_at, PurchaseOrder.id)
        .limit(1)
    )
