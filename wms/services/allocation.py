"""Allocation: reserve stock for order lines by the removal strategy, never overselling.

``allocate_orders`` locks the orders, then every candidate quant of the
items involved in one ``SELECT ... ORDER BY id FOR UPDATE`` (a stable order,
so two allocators never deadlock and never both see the same free stock),
runs the removal strategy in memory, reserves through the quant's own guard
(``Quant.reserve`` raises rather than exceed on hand) and writes the ledger's
``Reservation`` rows with our ``Allocation`` links. SQLite serialises writers
with ``BEGIN IMMEDIATE``.

Short lines follow the order's policy: ``ship_partial`` drops what is
missing, ``wait`` keeps the order ``short`` until a later run tops it up,
``backorder`` drops it here and opens a backorder ``<external_id>-BO<n>``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wms import strategies
from wms.model import (
    Allocation,
    Location,
    Lot,
    OrderStatus,
    Partner,
    Quant,
    Reservation,
    SalesOrder,
    SalesOrderLine,
    ShortPolicy,
    StockStatus,
    Warehouse,
)
from wms.services import ledger, outbound_events
from wms.strategies.removal import QuantCandidate

_S = OrderStatus
ZERO = Decimal(0)
ALLOCATABLE = (_S.reviewed, _S.short)
OWNER = "sales_order_line"


def allocate_orders(
    session: Session,
    order_ids: Sequence[int],
    *,
    today: date | None = None,
    exclude_location_ids: frozenset[int] = frozenset(),
    topping_up: bool = False,
) -> list[SalesOrder]:
    """Allocate every open line of these orders (those reviewed or short), best first.

    ``topping_up`` re-allocates a line of an order already on the floor (after
    a short pick) and leaves its status alone.
    """
    statuses = (OrderStatus.picking,) if topping_up else ALLOCATABLE
    orders = list(
        session.scalars(
            select(SalesOrder)
            .where(SalesOrder.id.in_(order_ids), SalesOrder.status.in_(statuses))
            .order_by(SalesOrder.id)
            .with_for_update()
            .options(selectinload(SalesOrder.lines))
            .execution_options(populate_existing=True)
        )
    )
    if not orders:
        return []
    orders.sort(key=lambda o: (-o.priority, o.ship_by is None, o.ship_by or o.created_at, o.id))
    pool = _lock_pool(session, orders, exclude_location_ids)
    with session.no_autoflush:  # status webhooks query; flushing per order is quadratic
        for order in orders:
            _allocate_order(session, order, pool, today or date.today(), settle=not topping_up)
    session.flush()  # one batch of inserts; then the allocations learn their reservation ids
    for alloc, res in pool.pending:
        alloc.reservation_id = res.id
    session.flush()
    return orders


class _Pool:
    """The locked quants by item, with what they hold, for the strategy."""

    def __init__(self, quants: list[tuple[Quant, str, str | None, object]]) -> None:
        self.by_item: dict[int, list[tuple[Quant, QuantCandidate]]] = defaultdict(list)
        self.pending: list[tuple[Allocation, Reservation]] = []
        for quant, loc, lot, expiry in quants:
            self.by_item[quant.item_id].append(
                (
                    quant,
                    QuantCandidate(
                        id=quant.id,
                        location=loc,
                        available=quant.available,
                        lot=lot,
                        expiry=expiry,
                        in_date=quant.in_date,  # type: ignore[arg-type]
                        container=str(quant.container_id) if quant.container_id else None,
                    ),
                )
            )

    def candidates(self, item_id: int) -> list[QuantCandidate]:
        out = []
        for quant, cand in self.by_item.get(item_id, []):
            if quant.available > 0:
                out.append(
                    QuantCandidate(
                        cand.id,
                        cand.location,
                        quant.available,
                        cand.lot,
                        cand.expiry,
                        cand.in_date,
                        cand.container,
                    )
                )
        return out

    def quant(self, item_id: int, quant_id: object) -> Quant:
        return next(q for q, _ in self.by_item[item_id] if q.id == quant_id)


def _lock_pool(session: Session, orders: list[SalesOrder], exclude: frozenset[int]) -> _Pool:
    items = {ln.item_id for o in orders for ln in o.lines if ln.open_qty > 0}
    warehouses = {o.warehouse_id for o in orders}
    stmt = (
        select(Quant, Location.code, Lot.lot_no, Lot.expiry_date)
        .join(Location, Location.id == Quant.location_id)
        .outerjoin(Lot, Lot.id == Quant.lot_id)
        .where(
            Quant.item_id.in_(items),
            Quant.warehouse_id.in_(warehouses),
            Quant.status == StockStatus.available,
            Quant.on_hand > Quant.reserved,
            Location.pickable.is_(True),
            Location.blocked.is_(False),
            Location.virtual_kind.is_(None),
        )
        .order_by(Quant.id)
        .with_for_update(of=Quant)
        .execution_options(populate_existing=True)
    )
    if exclude:
        stmt = stmt.where(Quant.location_id.not_in(exclude))
    return _Pool([tuple(row) for row in session.execute(stmt)])  # type: ignore[misc]


def _allocate_order(
    session: Session, order: SalesOrder, pool: _Pool, today: date, *, settle: bool = True
) -> None:
    warehouse = session.get(Warehouse, order.warehouse_id)
    customer = session.get(Partner, order.customer_id)
    remover = strategies.get(
        "removal", (warehouse.settings or {}).get("removal", "fifo") if warehouse else "fifo"
    )
    shelf = int((customer.settings or {}).get("min_shelf_life_days", 0)) if customer else 0
    short: list[SalesOrderLine] = []
    for line in order.lines:
        if line.open_qty <= 0:
            continue
        plan = remover.allocate(
            pool.candidates(line.item_id),
            line.open_qty,
            lot=line.lot_no,
            today=today,
            min_shelf_life_days=shelf,
        )
        for cand, qty in plan.lines:
            pool.pending.append(
                _reserve(session, order, line, pool.quant(line.item_id, cand.id), qty)
            )
        if plan.short > 0:
            short.append(line)
    if settle:
        _settle(session, order, short)


def _reserve(
    session: Session, order: SalesOrder, line: SalesOrderLine, quant: Quant, qty: Decimal
) -> tuple[Allocation, Reservation]:
    quant.reserve(qty)  # the entity guard: never beyond on hand
    res = Reservation(quant_id=quant.id, qty=qty, owner_type=OWNER, owner_id=str(line.id))
    session.add(res)
    line.allocated_qty = line.allocated_qty + qty
    alloc = Allocation(
        line_id=line.id,
        order_id=order.id,
        item_id=line.item_id,
        quant_id=quant.id,
        location_id=quant.location_id,
        lot_id=quant.lot_id,
        container_id=quant.container_id,
        qty=qty,
    )
    session.add(alloc)
    return alloc, res


def _settle(session: Session, order: SalesOrder, short: list[SalesOrderLine]) -> None:
    """Status after a run, following the order's short policy."""
    anything = any(ln.allocated_qty > 0 for ln in order.lines)
    if not short:
        outbound_events.set_status(session, order, _S.allocated)
        return
    if order.short_policy is ShortPolicy.wait or not anything:
        outbound_events.set_status(session, order, _S.short)
        return
    if order.short_policy is ShortPolicy.backorder:
        _backorder(session, order, short)
    for line in short:
        line.dropped_qty = line.dropped_qty + line.open_qty
    outbound_events.set_status(session, order, _S.allocated)


def _backorder(session: Session, order: SalesOrder, short: list[SalesOrderLine]) -> SalesOrder:
    n = 1 + len(
        session.scalars(
            select(SalesOrder.id).where(SalesOrder.external_id.like(f"{order.external_id}-BO%"))
        ).all()
    )
    back = SalesOrder(
        external_id=f"{order.external_id}-BO{n}",
        warehouse_id=order.warehouse_id,
        customer_id=order.customer_id,
        priority=order.priority,
        ship_by=order.ship_by,
        ship_to=dict(order.ship_to),
        carrier=order.carrier,
        status=_S.short,
        hold_reasons=[],
        short_policy=ShortPolicy.wait,
        lines=[
            SalesOrderLine(
                line_no=ln.line_no,
                item_id=ln.item_id,
                qty=ln.open_qty,
                entered_qty=ln.open_qty,
                uom=_base_uom(session, ln),
                lot_no=ln.lot_no,
                unit_price=ln.unit_price,
            )
            for ln in short
        ],
    )
    session.add(back)
    session.flush()
    outbound_events.tell_supervisor(
        session,
        order.warehouse_id,
        "sales_order.backordered",
        {"external_id": order.external_id, "backorder": back.external_id},
    )
    return back


def _base_uom(session: Session, line: SalesOrderLine) -> str:
    from wms.model import Item

    item = session.get(Item, line.item_id)
    return item.base_uom if item else line.uom


def release_allocation(session: Session, alloc: Allocation) -> Decimal:
    """Give back what is still reserved of one allocation; returns the quantity."""
    left = alloc.qty - alloc.picked_qty
    if (
        left > 0
        and alloc.reservation_id is not None
        and session.get(Reservation, alloc.reservation_id) is not None
    ):
        ledger.release(session, reservation_id=alloc.reservation_id, qty=left)
    line = session.get(SalesOrderLine, alloc.line_id)
    if line is not None and left > 0:
        line.allocated_qty = line.allocated_qty - left
    alloc.qty, alloc.state = alloc.picked_qty, "released"
    return left


def release_order(session: Session, order: SalesOrder) -> None:
    """Every unpicked reservation of the order goes back to stock."""
    for alloc in session.scalars(
        select(Allocation)
        .where(Allocation.order_id == order.id, Allocation.state == "open")
        .order_by(Allocation.id)
    ):
        release_allocation(session, alloc)
    session.flush()
