"""Order review (审核): rules that hold an order for a person, and the supervisor's decisions.

Rules are configured per warehouse in ``settings["review"]``::

    {"credit_hold": true, "address_required": true, "value_limit": "5000",
     "stock_check": true}

``credit_hold`` holds orders of a customer whose ``settings["credit_hold"]``
is true; ``address_required`` holds an order without ``ship_to.address``;
``value_limit`` holds an order worth more (Σ qty × unit price);
``stock_check`` holds an order with a line the warehouse cannot cover from
free stock. An order that passes every rule is ``reviewed``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms.errors import InvalidQuantity
from wms.model import (
    Location,
    OrderStatus,
    Partner,
    Quant,
    SalesOrder,
    StockStatus,
    Warehouse,
)
from wms.services import outbound_events

_S = OrderStatus


def hold_reasons(session: Session, order: SalesOrder) -> list[str]:
    """Which configured rules stop this order, in a stable order."""
    warehouse = session.get(Warehouse, order.warehouse_id)
    rules = (warehouse.settings or {}).get("review", {}) if warehouse else {}
    customer = session.get(Partner, order.customer_id)
    reasons = []
    if rules.get("credit_hold") and customer is not None and customer.settings.get("credit_hold"):
        reasons.append("credit_hold")
    if rules.get("address_required") and not (order.ship_to or {}).get("address"):
        reasons.append("address_missing")
    limit = rules.get("value_limit")
    if limit is not None and order.value > Decimal(str(limit)):
        reasons.append("value_over_limit")
    if rules.get("stock_check") and _short_lines(session, order):
        reasons.append("items_short")
    return reasons


def _short_lines(session: Session, order: SalesOrder) -> list[int]:
    wanted: dict[int, Decimal] = {}
    for line in order.lines:
        wanted[line.item_id] = wanted.get(line.item_id, Decimal(0)) + line.qty
    free = dict(
        session.execute(
            select(Quant.item_id, func.sum(Quant.on_hand - Quant.reserved))
            .join(Location, Location.id == Quant.location_id)
            .where(
                Quant.item_id.in_(wanted),
                Quant.warehouse_id == order.warehouse_id,
                Quant.status == StockStatus.available,
                Location.pickable.is_(True),
                Location.blocked.is_(False),
            )
            .group_by(Quant.item_id)
        ).all()
    )
    return [item for item, qty in wanted.items() if Decimal(free.get(item) or 0) < qty]


def review_order(session: Session, order: SalesOrder) -> SalesOrder:
    """Apply the rules to a received order: ``reviewed``, or ``on_hold`` with its reasons."""
    if order.status in (_S.on_hold, _S.reviewed, _S.short):
        order.status = _S.received  # a re-push is reviewed afresh
    reasons = hold_reasons(session, order)
    order.hold_reasons = reasons
    outbound_events.set_status(session, order, _S.on_hold if reasons else _S.reviewed)
    return order


def approve(session: Session, order: SalesOrder, *, actor_id: int | None) -> SalesOrder:
    """A supervisor releases a held order; the holds are cleared."""
    order.hold_reasons = []
    outbound_events.set_status(session, order, _S.reviewed)
    return order


def hold(session: Session, order: SalesOrder, *, reason: str, actor_id: int | None) -> SalesOrder:
    """A supervisor stops an order that has not reached the floor (allocations go back)."""
    from wms.services import allocation

    allocation.release_order(session, order)
    order.hold_reasons = [*(order.hold_reasons or []), reason[:64]]
    outbound_events.set_status(session, order, _S.on_hold)
    return order


def set_priority(
    session: Session, order: SalesOrder, *, priority: int, actor_id: int | None
) -> SalesOrder:
    if not 1 <= priority <= 9:
        raise InvalidQuantity("priority must be 1 to 9", field="priority")
    order.priority = priority
    return order
