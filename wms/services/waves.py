"""Waves: release allocated orders to the floor as routed cart trips of pick tasks.

``release_wave`` picks orders by carrier, cut-off (``ship_by`` before) and
minimum priority, optionally only those with picks in one zone; the
savings planner (``wms.strategies.batching``) groups them into trips under
the cart's capacity (warehouse ``settings["cart"]``), splitting by zone when
``settings["zone_picking"]`` is on; ``OptimalAisleRoute`` orders each trip
over the locations' ``aisle_index`` and ``y``. Each trip becomes a
``TaskGroup`` of pick tasks in route order, created in one batch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from wms import events
from wms.errors import Conflict
from wms.model import (
    Allocation,
    Item,
    Location,
    LocationType,
    OrderStatus,
    PickTrip,
    SalesOrder,
    Task,
    TaskGroup,
    TaskStatus,
    TaskTransition,
    TaskType,
    Warehouse,
    Wave,
    Zone,
    utcnow,
)
from wms.services import outbound_events
from wms.strategies.batching import CartCapacity, OrderLine, PickOrder, SavingsBatching, Trip
from wms.strategies.routing import AisleLayout, OptimalAisleRoute, PickPoint

#: Savings costs a route per pair of orders: plan in chunks of this many orders.
CHUNK = 20


class NoStagingLocation(Conflict):
    code = "no_staging_location"
    title = "The warehouse has no staging location for picked goods"


@dataclass(frozen=True)
class WaveCriteria:
    carrier: str | None = None
    cutoff: datetime | None = None
    min_priority: int | None = None
    zone: str | None = None
    mode: str = "cluster"  # discrete | cluster | zone
    max_orders: int | None = None


@dataclass(frozen=True)
class _Pick:
    alloc: Allocation
    aisle: int
    y: float
    zone_id: int | None
    zone: str | None
    volume_l: Decimal
    weight_g: int


def release_wave(
    session: Session,
    *,
    warehouse_id: int,
    criteria: WaveCriteria = WaveCriteria(),
    actor_id: int | None = None,
) -> Wave | None:
    """Release the matching allocated orders as one wave; None when nothing matches."""
    warehouse = session.get(Warehouse, warehouse_id)
    assert warehouse is not None
    orders = _orders(session, warehouse_id, criteria)
    picks = _picks(session, [o.id for o in orders], criteria.zone)
    orders = [o for o in orders if picks.get(o.id)]
    if not orders:
        return None
    settings = warehouse.settings or {}
    wave = Wave(
        warehouse_id=warehouse_id,
        reference=_reference(session),
        staging_location_id=_staging(session, warehouse).id,
        released_by=actor_id,
        criteria={k: str(v) for k, v in criteria.__dict__.items() if v is not None},
    )
    session.add(wave)
    session.flush()
    trips = plan_trips(orders, picks, settings, criteria.mode)
    _create_trips(session, wave, trips, picks, {str(o.id): o for o in orders}, criteria.mode)
    for order in orders:
        order.wave_id = wave.id
    outbound_events.set_statuses(session, [(o, OrderStatus.picking) for o in orders])
    session.flush()
    events.record(
        session,
        "wave.released",
        {"wave": wave.reference, "trips": len(trips), "orders": len(orders)},
        rooms=[f"warehouse:{warehouse_id}"],
        namespaces=["/console", "/terminal"],
    )
    return wave


def _orders(session: Session, warehouse_id: int, c: WaveCriteria) -> list[SalesOrder]:
    stmt = (
        select(SalesOrder)
        .where(
            SalesOrder.warehouse_id == warehouse_id,
            SalesOrder.status == OrderStatus.allocated,
            SalesOrder.wave_id.is_(None),
        )
        .order_by(SalesOrder.priority.desc(), SalesOrder.ship_by, SalesOrder.id)
    )
    if c.carrier:
        stmt = stmt.where(SalesOrder.carrier == c.carrier)
    if c.cutoff:
        stmt = stmt.where(SalesOrder.ship_by <= c.cutoff)
    if c.min_priority:
        stmt = stmt.where(SalesOrder.priority >= c.min_priority)
    if c.max_orders:
        stmt = stmt.limit(c.max_orders)
    return list(session.scalars(stmt.with_for_update(skip_locked=True)))


def _picks(session: Session, order_ids: list[int], zone: str | None) -> dict[int, list[_Pick]]:
    rows = session.execute(
        select(
            Allocation,
            Location.aisle_index,
            Location.y,
            Location.x,
            Location.zone_id,
            Zone.code,
            Item.volume_l,
            Item.weight_kg,
        )
        .join(Location, Location.id == Allocation.location_id)
        .outerjoin(Zone, Zone.id == Location.zone_id)
        .join(Item, Item.id == Allocation.item_id)
        .where(
            Allocation.order_id.in_(order_ids),
            Allocation.state == "open",
            Allocation.task_id.is_(None),
        )
        .order_by(Allocation.id)
    )
    out: dict[int, list[_Pick]] = defaultdict(list)
    for a, aisle, y, x, zone_id, zone_code, vol, kg in rows:
        qty = a.qty - a.picked_qty
        out[a.order_id].append(
            _Pick(
                a,
                aisle or 0,
                float(y if y is not None else (x or 0)),
                zone_id,
                zone_code,
                (vol or Decimal(0)) * qty,
                int((kg or Decimal(0)) * qty * 1000),
            )
        )
    if zone:
        out = defaultdict(list, {k: v for k, v in out.items() if any(p.zone == zone for p in v)})
    return out


def _layout(picks: dict[int, list[_Pick]], settings: dict[str, Any]) -> AisleLayout:
    conf = settings.get("layout")
    if conf:
        return AisleLayout(
            int(conf["aisles"]),
            float(conf["aisle_length"]),
            float(conf.get("aisle_pitch", 3)),
            int(conf.get("depot_aisle", 0)),
        )
    every = [p for ps in picks.values() for p in ps]
    return AisleLayout(max(p.aisle for p in every) + 1, max(p.y for p in every) + 1.0, 3.0)


def plan_trips(
    orders: list[SalesOrder], picks: dict[int, list[_Pick]], settings: dict[str, Any], mode: str
) -> list[Trip]:
    """Batch the orders into trips (savings in chunks) and route each trip."""
    layout = _layout(picks, settings)
    cart_conf = settings.get("cart", {"totes": 12})
    cart = CartCapacity(
        lines=cart_conf.get("lines"),
        totes=cart_conf.get("totes"),
        volume_l=Decimal(str(cart_conf["volume_l"])) if cart_conf.get("volume_l") else None,
        weight_g=cart_conf.get("weight_g"),
    )
    by_zone = mode == "zone" or bool(settings.get("zone_picking"))
    planner = SavingsBatching(
        OptimalAisleRoute(), allow_split=True, by_zone=by_zone, fast_pairs=True
    )
    pick_orders = [
        PickOrder(
            str(o.id),
            tuple(
                OrderLine(
                    PickPoint(p.aisle, p.y), p.zone if by_zone else None, p.volume_l, p.weight_g
                )
                for p in picks[o.id]
            ),
        )
        for o in orders
    ]
    if mode == "discrete":
        return [t for po in pick_orders for t in planner.plan([po], CartCapacity(), layout).trips]
    trips: list[Trip] = []
    for k in range(0, len(pick_orders), CHUNK):
        trips += planner.plan(pick_orders[k : k + CHUNK], cart, layout).trips
    return trips


def _create_trips(
    session: Session,
    wave: Wave,
    trips: list[Trip],
    picks: dict[int, list[_Pick]],
    orders: dict[str, SalesOrder],
    mode: str,
) -> None:
    """Everything set-based: a bigger wave sends more rows, not more statements.

    Groups, trips and tasks go in as executemany inserts (one statement text,
    server-side parameters). The groups' ids come back by reference (the
    wave's own, unique), the tasks' by (group, route sequence). Each task still
    gets its own two transitions, ``created`` and ``released`` by this wave,
    written by ``INSERT ... SELECT`` from the tasks.
    """
    if not trips:
        return
    now = utcnow()
    group_ids = _insert_groups(session, wave, len(trips), now)
    _insert_pick_trips(session, wave, trips, group_ids, orders, mode)
    of_wave = Task.group_id.in_(select(PickTrip.group_id).where(PickTrip.wave_id == wave.id))
    allocs: dict[tuple[int, int], Allocation] = {}
    rows: list[dict[str, Any]] = []
    for trip, group_id in zip(trips, group_ids, strict=True):
        for seq, (order_id, index) in enumerate(trip.stops):
            pick, order = picks[int(order_id)][index], orders[order_id]
            rows.append(_task_row(wave, group_id, order, pick, seq, now))
            allocs[(group_id, seq)] = pick.alloc
    session.execute(insert(Task), rows)
    _link_allocations(session, of_wave, allocs)
    _record_transitions(session, wave, of_wave, now)


def _insert_groups(session: Session, wave: Wave, count: int, now: datetime) -> list[int]:
    """One task group per trip, referenced ``<wave>-1`` … ``<wave>-n``; their ids in that order."""
    refs = [f"{wave.reference}-{n + 1}" for n in range(count)]
    session.execute(
        insert(TaskGroup),
        [
            {
                "warehouse_id": wave.warehouse_id,
                "kind": "wave",
                "reference": ref,
                "created_at": now,
                "updated_at": now,
            }
            for ref in refs
        ],
    )
    by_ref = dict(
        session.execute(
            select(TaskGroup.reference, TaskGroup.id).where(
                TaskGroup.warehouse_id == wave.warehouse_id,
                TaskGroup.kind == "wave",
                TaskGroup.reference.like(f"{wave.reference}-%"),
            )
        ).all()
    )
    return [by_ref[ref] for ref in refs]


def _insert_pick_trips(
    session: Session,
    wave: Wave,
    trips: list[Trip],
    group_ids: list[int],
    orders: dict[str, SalesOrder],
    mode: str,
) -> None:
    session.execute(
        insert(PickTrip),
        [
            {
                "wave_id": wave.id,
                "seq": n + 1,
                "group_id": group_id,
                "zone": trip.zone,
                "mode": mode,
                "length_m": trip.length,
                "lines": len(trip.stops),
                "orders": [orders[o].external_id for o in trip.orders],
            }
            for n, (trip, group_id) in enumerate(zip(trips, group_ids, strict=True))
        ],
    )


def _link_allocations(
    session: Session, of_wave: Any, allocs: dict[tuple[int, int], Allocation]
) -> None:
    """Each allocation gets the task made for it, found by (group, route sequence)."""
    made = [
        (allocs[(group_id, seq)], task_id)
        for task_id, group_id, seq in session.execute(
            select(Task.id, Task.group_id, Task.route_seq).where(of_wave)
        )
    ]
    table = Allocation.__table__
    session.execute(
        update(table).where(table.c.id == bindparam("alloc_id")).values(task_id=bindparam("task")),
        [{"alloc_id": alloc.id, "task": task_id} for alloc, task_id in made],
    )
    for alloc, task_id in made:  # what the statement wrote, without flushing it again
        set_committed_value(alloc, "task_id", task_id)


def _record_transitions(session: Session, wave: Wave, of_wave: Any, now: datetime) -> None:
    """Every task of the wave: ``created``, then ``released`` by this wave."""
    columns = TaskTransition.__table__.c
    for to_status, reason in (
        (TaskStatus.created, "created"),
        (TaskStatus.released, f"wave {wave.reference}"),
    ):
        session.execute(
            insert(TaskTransition).from_select(
                ["task_id", "at", "from_status", "to_status", "reason"],
                select(
                    Task.id,
                    literal(now, columns.at.type),
                    literal(TaskStatus.created, columns.from_status.type),
                    literal(to_status, columns.to_status.type),
                    literal(reason, columns.reason.type),
                )
                .where(of_wave)
                .order_by(Task.id),
            )
        )


def _task_row(
    wave: Wave, group_id: int, order: SalesOrder, pick: _Pick, seq: int, now: datetime
) -> dict[str, Any]:
    """One pick task's columns, released straight into the pool."""
    a = pick.alloc
    return {
        "warehouse_id": wave.warehouse_id,
        "type": TaskType.pick,
        "status": TaskStatus.released,
        "priority": order.priority,
        "due_at": order.ship_by,
        "zone_id": pick.zone_id,
        "route_seq": seq,
        "group_id": group_id,
        "group_lead": seq == 0,
        "item_id": a.item_id,
        "lot_id": a.lot_id,
        "container_id": a.container_id,
        "qty": a.qty - a.picked_qty,
        "done_qty": Decimal(0),
        "from_location_id": a.location_id,
        "to_location_id": wave.staging_location_id,
        "document_type": "sales_order",
        "document_ref": order.external_id,
        "created_at": now,
        "updated_at": now,
    }


def _staging(session: Session, warehouse: Warehouse) -> Location:
    code = (warehouse.settings or {}).get("staging_location")
    stmt = select(Location).where(Location.warehouse_id == warehouse.id)
    stmt = (
        stmt.where(Location.code == code)
        if code
        else stmt.where(Location.type == LocationType.staging).order_by(Location.id)
    )
    found = session.scalars(stmt.limit(1)).first()
    if found is None:
        raise NoStagingLocation(f"warehouse {warehouse.code} has no staging location")
    return found


def _reference(session: Session) -> str:
    n = (session.scalar(select(func.max(Wave.id))) or 0) + 1
    return f"W{utcnow():%y%m%d}-{n:04d}"
