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
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import insert, select
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
    utcnow,
)
from wms.model.base import IdMixin
from wms.services import ledger, outbound_events
from wms.strategies.removal import QuantCandidate

_S = OrderStatus
ZERO = Decimal(0)
ALLOCATABLE = (_S.reviewed, _S.short)
OWNER = "sales_order_line"
#: Ids per IN list when reading back, well under SQLite's bound-parameter limit.
_CHUNK = 5000
_T = TypeVar("_T", bound=IdMixin)


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
    # Held here for the whole run: the session's identity map keeps objects weakly.
    warehouses = _by_id(session, Warehouse, {o.warehouse_id for o in orders})
    customers = _by_id(session, Partner, {o.customer_id for o in orders})
    settled: list[tuple[SalesOrder, OrderStatus]] = []
    with session.no_autoflush:  # a backorder queries; flushing per order is quadratic
        for order in orders:
            _allocate_order(
                order,
                pool,
                today or date.today(),
                warehouses.get(order.warehouse_id),
                customers.get(order.customer_id),
            )
            if not topping_up:
                settled.append((order, _settle(session, order, pool.short.pop(order.id, []))))
        outbound_events.set_statuses(session, settled)
    _write(session, pool.pending)
    return orders


def _by_id(session: Session, entity: type[_T], ids: set[int]) -> dict[int, _T]:
    return {row.id: row for row in session.scalars(select(entity).where(entity.id.in_(ids)))}


@dataclass
class _Reserve:
    """What one run takes for one order line from one quant."""

    order: SalesOrder
    line: SalesOrderLine
    quant: Quant
    qty: Decimal


class _Pool:
    """The locked quants by item, with what they hold, for the strategy."""

    def __init__(self, quants: list[tuple[Quant, str, str | None, object]]) -> None:
        self.by_item: dict[int, list[tuple[Quant, QuantCandidate]]] = defaultdict(list)
        self.by_id: dict[int, Quant] = {}
        #: Keyed by (line id, quant id): one reservation and one allocation each.
        self.pending: dict[tuple[int, int], _Reserve] = {}
        self.short: dict[int, list[SalesOrderLine]] = defaultdict(list)
        for quant, loc, lot, expiry in quants:
            self.by_id[quant.id] = quant
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
        return [
            replace(cand, available=quant.available)
            for quant, cand in self.by_item.get(item_id, [])
            if quant.available > 0
        ]

    def reserve(self, order: SalesOrder, line: SalesOrderLine, quant_id: int, qty: Decimal) -> None:
        quant = self.by_id[quant_id]
        quant.reserve(qty)  # the entity guard: never beyond on hand
        line.allocated_qty = line.allocated_qty + qty
        key = (line.id, quant.id)
        if key in self.pending:
            self.pending[key].qty += qty
        else:
            self.pending[key] = _Reserve(order, line, quant, qty)


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
    order: SalesOrder,
    pool: _Pool,
    today: date,
    warehouse: Warehouse | None,
    customer: Partner | None,
) -> None:
    remover = strategies.get(
        "removal", (warehouse.settings or {}).get("removal", "fifo") if warehouse else "fifo"
    )
    shelf = int((customer.settings or {}).get("min_shelf_life_days", 0)) if customer else 0
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
            pool.reserve(order, line, int(cand.id), qty)
        if plan.short > 0:
            pool.short[order.id].append(line)


def _write(session: Session, pending: dict[tuple[int, int], _Reserve]) -> None:
    """Reservations and allocations as two executemany inserts (one statement text each).

    The quants' ``reserved`` and the lines' ``allocated_qty`` go out with the
    flush first. The new reservations' ids are read back by owner and quant:
    the orders' lines are locked by this run, so the newest reservation of a
    (line, quant) pair is the one just written.
    """
    session.flush()
    if not pending:
        return
    now = utcnow()
    session.execute(
        insert(Reservation),
        [
            {
                "quant_id": r.quant.id,
                "qty": r.qty,
                "owner_type": OWNER,
                "owner_id": str(r.line.id),
                "created_at": now,
            }
            for r in pending.values()
        ],
    )
    owners = sorted({str(line_id) for line_id, _ in pending})
    made: dict[tuple[int, int], int] = {}
    for k in range(0, len(owners), _CHUNK):
        for res_id, owner, quant_id in session.execute(
            select(Reservation.id, Reservation.owner_id, Reservation.quant_id).where(
                Reservation.owner_type == OWNER, Reservation.owner_id.in_(owners[k : k + _CHUNK])
            )
        ):
            key = (int(owner), quant_id)
            if key in pending and res_id > made.get(key, 0):
                made[key] = res_id
    session.execute(
        insert(Allocation),
        [
            {
                "line_id": r.line.id,
                "order_id": r.order.id,
                "item_id": r.line.item_id,
                "quant_id": r.quant.id,
                "location_id": r.quant.location_id,
                "lot_id": r.quant.lot_id,
                "container_id": r.quant.container_id,
                "reservation_id": made[key],
                "qty": r.qty,
                "picked_qty": ZERO,
                "state": "open",
            }
            for key, r in pending.items()
        ],
    )


def _settle(session: Session, order: SalesOrder, short: list[SalesOrderLine]) -> OrderStatus:
    """Status after a run, following the order's short policy."""
    anything = any(ln.allocated_qty > 0 for ln in order.lines)
    if not short:
        return _S.allocated
    if order.short_policy is ShortPolicy.wait or not anything:
        return _S.short
    if order.short_policy is ShortPolicy.backorder:
        _backorder(session, order, short)
    for line in short:
        line.dropped_qty = line.dropped_qty + line.open_qty
    return _S.allocated


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
