"""Sales orders from the ERP: upsert by external_id (all or nothing), cancel, describe.

A push may replace an order's lines until it is allocated; after that the
order belongs to the floor and a push is refused (409). An order line for
an unknown SKU or unit rejects the whole request. Cancelling is allowed until
the order ships: open pick tasks stop, reservations go back, and goods
already picked get a move task back into stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wms.errors import Conflict, FieldError, NotFound, UnknownUnit, ValidationFailed
from wms.model import (
    OPEN,
    Allocation,
    Item,
    OrderStatus,
    Package,
    Partner,
    PartnerKind,
    Quant,
    SalesOrder,
    SalesOrderLine,
    ShortPolicy,
    Task,
    TaskType,
    TripTote,
    Warehouse,
    exact,
    qty_str,
)
from wms.services import outbound_events, review
from wms.services import tasks as task_service

_S = OrderStatus
#: A push may still replace the lines.
REPLACEABLE = (_S.received, _S.on_hold, _S.reviewed, _S.short)


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "No such sales order"


class OrderLocked(Conflict):
    code = "order_locked"
    title = "The order is already on the floor"


class OrderShipped(Conflict):
    code = "order_shipped"
    title = "The order has shipped"


@dataclass(frozen=True)
class LineInput:
    line_no: int
    sku: str
    qty: Decimal
    uom: str | None = None
    lot: str | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class OrderInput:
    external_id: str
    customer: str
    warehouse: str
    lines: list[LineInput]
    priority: int = 5
    ship_by: datetime | None = None
    ship_to: dict[str, Any] = field(default_factory=dict)
    carrier: str | None = None
    short_policy: str | None = None


def get_order(session: Session, external_id: str, *, lock: bool = False) -> SalesOrder:
    stmt = select(SalesOrder).where(SalesOrder.external_id == external_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    order = session.scalars(stmt).one_or_none()
    if order is None:
        raise OrderNotFound(f"no sales order {external_id}", external_id=external_id)
    return order


def upsert_orders(session: Session, orders: Sequence[OrderInput]) -> list[tuple[SalesOrder, bool]]:
    """Many orders in one transaction; every bad field of every order is reported at once."""
    errors: list[FieldError] = []
    for i, data in enumerate(orders):
        try:
            _resolve(session, data)
        except ValidationFailed as exc:
            errors += [FieldError(f"items[{i}].{e.field}", e.message, e.code) for e in exc.errors]
    if errors:
        raise ValidationFailed(errors)
    return [upsert_order(session, data) for data in orders]


def upsert_order(session: Session, data: OrderInput) -> tuple[SalesOrder, bool]:
    """Create or replace the order, then review it; returns it and whether it is new."""
    customer, warehouse, lines = _resolve(session, data)
    order = session.scalars(
        select(SalesOrder)
        .where(SalesOrder.external_id == data.external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    created = order is None
    if order is None:
        order = SalesOrder(external_id=data.external_id, status=_S.received, hold_reasons=[])
        session.add(order)
    elif order.status not in REPLACEABLE or any(ln.allocated_qty for ln in order.lines):
        raise OrderLocked(
            f"sales order {order.external_id} is {order.status.value}",
            external_id=order.external_id,
            status=order.status.value,
        )
    order.customer_id, order.warehouse_id = customer.id, warehouse.id
    order.priority, order.ship_by, order.carrier = data.priority, data.ship_by, data.carrier
    order.ship_to = dict(data.ship_to)
    order.short_policy = ShortPolicy(
        data.short_policy
        or customer.settings.get("short_policy")
        or warehouse.settings.get("short_policy")
        or ShortPolicy.ship_partial
    )
    order.lines = lines
    session.flush()
    review.review_order(session, order)
    return order, created


def _resolve(session: Session, data: OrderInput) -> tuple[Partner, Warehouse, list[SalesOrderLine]]:
    errors: list[FieldError] = []
    customer = session.scalar(select(Partner).where(Partner.code == data.customer))
    if customer is None or customer.kind is PartnerKind.supplier:
        errors.append(FieldError("customer", f"unknown customer {data.customer}"))
    warehouse = session.scalar(select(Warehouse).where(Warehouse.code == data.warehouse))
    if warehouse is None:
        errors.append(FieldError("warehouse", f"unknown warehouse {data.warehouse}"))
    if not 1 <= data.priority <= 9:
        errors.append(FieldError("priority", "priority must be 1 to 9"))
    if data.short_policy and data.short_policy not in ShortPolicy.__members__:
        errors.append(FieldError("short_policy", f"unknown short policy {data.short_policy}"))
    if not data.lines:
        errors.append(FieldError("lines", "at least one line is required"))
    items = {
        i.sku: i
        for i in session.scalars(
            select(Item)
            .options(selectinload(Item.units))
            .where(Item.sku.in_({ln.sku for ln in data.lines}))
        )
    }
    lines, seen = [], set()
    for i, ln in enumerate(data.lines):
        line = _line(ln, items.get(ln.sku), f"lines[{i}]", errors)
        if ln.line_no in seen:
            errors.append(FieldError(f"lines[{i}].line_no", f"line {ln.line_no} twice"))
        seen.add(ln.line_no)
        if line is not None:
            lines.append(line)
    if errors:
        raise ValidationFailed(errors)
    assert customer is not None and warehouse is not None
    return customer, warehouse, lines


def _line(
    ln: LineInput, item: Item | None, where: str, errors: list[FieldError]
) -> SalesOrderLine | None:
    if item is None or not item.active:
        errors.append(FieldError(f"{where}.sku", f"unknown SKU {ln.sku}", "unknown_item"))
        return None
    uom = ln.uom or item.base_uom
    try:
        qty = exact(ln.qty)
        base = item.to_base(qty, uom)
    except UnknownUnit:
        errors.append(FieldError(f"{where}.uom", f"{item.sku} has no unit {uom}", "unknown_unit"))
        return None
    if qty <= 0:
        errors.append(FieldError(f"{where}.qty", "quantity must be greater than zero"))
        return None
    return SalesOrderLine(
        line_no=ln.line_no,
        item_id=item.id,
        qty=base,
        entered_qty=qty,
        uom=uom,
        lot_no=ln.lot,
        unit_price=ln.unit_price,
    )


def cancel_order(
    session: Session,
    external_id: str,
    *,
    reason: str = "cancelled by ERP",
    actor_id: int | None = None,
) -> SalesOrder:
    """Cancel until shipped: stop open tasks, give reservations back, send picked goods back."""
    from wms.services import allocation  # allocation imports review, which imports us

    order = get_order(session, external_id, lock=True)
    if order.status is _S.shipped:
        raise OrderShipped(f"sales order {external_id} has shipped", external_id=external_id)
    if order.status is _S.cancelled:
        return order
    _stop_pick_tasks(session, order, actor_id)
    allocation.release_order(session, order)
    _put_back_picked(session, order, actor_id)
    for line in order.lines:
        line.dropped_qty = line.qty - line.shipped_qty
    order.cancel_reason = reason[:200]
    outbound_events.set_status(session, order, _S.cancelled)
    return order


def _stop_pick_tasks(session: Session, order: SalesOrder, actor_id: int | None) -> None:
    task_ids = session.scalars(
        select(Allocation.task_id).where(
            Allocation.order_id == order.id, Allocation.task_id.is_not(None)
        )
    ).all()
    open_tasks = session.scalars(
        select(Task).where(Task.id.in_(set(task_ids)), Task.status.in_(OPEN)).order_by(Task.id)
    ).all()
    for task in open_tasks:
        task_service.cancel(session, task_id=task.id, actor_id=actor_id, reason="order cancelled")


def _put_back_picked(session: Session, order: SalesOrder, actor_id: int | None) -> list[Task]:
    """One move task per tote or package that holds this order's picked goods."""
    containers = set(
        session.scalars(select(TripTote.container_id).where(TripTote.order_id == order.id)).all()
    )
    containers |= set(
        session.scalars(
            select(Package.container_id).where(
                Package.order_id == order.id, Package.status != "shipped"
            )
        ).all()
    )
    tasks = []
    for quant in session.scalars(
        select(Quant)
        .where(Quant.container_id.in_(containers), Quant.on_hand > 0)
        .order_by(Quant.id)
    ):
        first = session.scalar(
            select(Allocation.location_id)
            .where(Allocation.order_id == order.id, Allocation.item_id == quant.item_id)
            .limit(1)
        )
        tasks.append(
            task_service.create_task(
                session,
                warehouse_id=order.warehouse_id,
                type=TaskType.move,
                actor_id=actor_id,
                release=True,
                priority=7,
                container_id=quant.container_id,
                item_id=quant.item_id,
                qty=quant.on_hand,
                from_location_id=quant.location_id,
                to_location_id=first,
                document_type="sales_order",
                document_ref=order.external_id,
                note=f"put back {qty_str(quant.on_hand)}: order {order.external_id} cancelled",
            )
        )
    if tasks:
        outbound_events.tell_supervisor(
            session,
            order.warehouse_id,
            "sales_order.put_back",
            {"external_id": order.external_id, "task_ids": [t.id for t in tasks]},
        )
    return tasks
