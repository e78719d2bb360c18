"""Putaway tasks for received stock: destination from the strategy chain, with its reason.

The warehouse's chain (``settings["putaway"]["chain"]``, names as in
``wms.strategies.registry``) runs over an index built from the stock on the
floor and the open putaway tasks, so stock already on its way counts
against capacity: two pallets are never sent to one free location. Planning
locks the warehouse row, so two receipts closing at once plan one after the
other. When nothing fits, the task goes to ``exception`` with the reason
and the rules tried, for the supervisor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import LocationBlocked, LocationNotAllowed, NotFound
from wms.model import (
    Container,
    Item,
    ItemInboundProfile,
    Location,
    Lot,
    PutawayReason,
    Quant,
    ReceiptLine,
    StockStatus,
    Task,
    TaskStatus,
    TaskType,
    Warehouse,
    Zone,
)
from wms.services import ledger
from wms.services import tasks as task_service
from wms.services.inbound_rules import LocationFull
from wms.services.putaway_floor import FloorLocation, load_floor, plain_load
from wms.strategies.putaway import (
    PutawayUnit,
)

_CAPACITY_MISFITS = {"volume_exceeded", "weight_exceeded", "containers_exceeded", "skus_exceeded"}
NO_LOCATION = "no_location_fits"


@dataclass(frozen=True)
class Source:
    """Stock waiting to be put away: a container, or a loose quantity of one item."""

    warehouse_id: int
    item_id: int
    qty: Decimal
    from_location_id: int
    lot_id: int | None = None
    container_id: int | None = None
    document_type: str | None = None
    document_ref: str | None = None


def unit_for(session: Session, source: Source) -> PutawayUnit:
    item = session.get(Item, source.item_id)
    assert item is not None
    lot = session.get(Lot, source.lot_id) if source.lot_id else None
    return unit_of(
        session, item, source.qty, lot.lot_no if lot else None, int(source.container_id is not None)
    )


def unit_of(
    session: Session, item: Item, qty: Decimal, lot_no: str | None, containers: int
) -> PutawayUnit:
    """``qty`` of ``item`` as putaway sees it: volume, weight, its storage zone and ABC class."""
    profile = session.get(ItemInboundProfile, item.id)
    zone = (
        session.get(Zone, profile.putaway_zone_id) if profile and profile.putaway_zone_id else None
    )
    load = plain_load(item, lot_no, qty, containers)
    return PutawayUnit(
        item=load.item,
        qty=qty,
        lot=load.lot,
        volume_l=load.volume_l,
        weight_g=load.weight_g,
        containers=load.containers,
        zone=zone.code if zone else None,
        abc_class=item.abc_class,
    )


def plan_putaway(
    session: Session, sources: Sequence[Source], *, actor_id: int | None
) -> list[Task]:
    """One putaway task per source, each destination counted as incoming for the next."""
    if not sources:
        return []
    warehouse_id = sources[0].warehouse_id
    session.scalars(select(Warehouse).where(Warehouse.id == warehouse_id).with_for_update()).one()
    floor = load_floor(session, warehouse_id)
    tasks = []
    for source in sources:
        unit = unit_for(session, source)
        suggestion = floor.chain.suggest(unit, floor.index)
        dest = floor.locations[suggestion.location] if suggestion.location else None
        if dest is not None:
            floor.index.add_incoming(dest.code, unit)
        tasks.append(
            _create_task(
                session, source, dest, suggestion.reason, dict(suggestion.params), actor_id
            )
        )
    return tasks


def _create_task(
    session: Session,
    source: Source,
    dest: FloorLocation | None,
    reason: str,
    params: dict,
    actor_id: int | None,
) -> Task:
    origin = session.get(Location, source.from_location_id)
    task = task_service.create_task(
        session,
        warehouse_id=source.warehouse_id,
        type=TaskType.putaway,
        actor_id=actor_id,
        release=True,
        item_id=source.item_id,
        lot_id=source.lot_id,
        container_id=source.container_id,
        qty=source.qty,
        uom=session.get(Item, source.item_id).base_uom,  # type: ignore[union-attr]
        from_location_id=source.from_location_id,
        to_location_id=dest.id if dest else None,
        zone_id=dest.zone_id if dest else (origin.zone_id if origin else None),
        document_type=source.document_type,
        document_ref=source.document_ref,
    )
    session.add(PutawayReason(task_id=task.id, reason=reason, params=params))
    if dest is None:
        task.move_to(TaskStatus.exception, actor_id=actor_id, reason=NO_LOCATION)
        task.exception_reason = NO_LOCATION
        task.note = str(params.get("tried", ""))[:500]
        task_service.announce(session, task)
    return task


def plan_for_receipt_lines(
    session: Session, rows: Iterable[ReceiptLine], *, actor_id: int | None
) -> list[Task]:
    """A task per received container, and one per loose line."""
    sources: list[Source] = []
    by_container: dict[int, list[ReceiptLine]] = {}
    for row in rows:
        if row.container_id is None:
            sources.append(_source(row, row.qty))
        else:
            by_container.setdefault(row.container_id, []).append(row)
    for group in by_container.values():
        main = max(group, key=lambda r: r.qty)
        same = sum((r.qty for r in group if r.item_id == main.item_id), Decimal(0))
        sources.append(_source(main, same))
    return plan_putaway(session, sources, actor_id=actor_id)


def _source(row: ReceiptLine, qty: Decimal) -> Source:
    return Source(
        warehouse_id=row.receipt.warehouse_id,
        item_id=row.item_id,
        qty=qty,
        from_location_id=row.location_id,
        lot_id=row.lot_id,
        container_id=row.container_id,
        document_type="purchase_order",
        document_ref=row.receipt.order.external_id,
    )


def reason_of(session: Session, task_id: int) -> PutawayReason | None:
    return session.get(PutawayReason, task_id)


def check_destination(session: Session, task: Task, dest: Location) -> None:
    """Refuse a location the rules do not allow for this task (blocked, full, wrong kind)."""
    if dest.warehouse_id != task.warehouse_id or dest.is_virtual:
        raise LocationNotAllowed(f"{dest.code} is not a storage location", location=dest.code)
    if dest.blocked:
        raise LocationBlocked(f"location {dest.code} is blocked", location=dest.code)
    if dest.id == task.to_location_id:
        return
    floor = load_floor(session, task.warehouse_id, exclude_task_id=task.id)
    if dest.code not in floor.index.locations:
        raise LocationNotAllowed(f"{dest.code} is not a storage location", location=dest.code)
    why = floor.index.misfit(dest.code, unit_for(session, _task_source(task)))
    if why in _CAPACITY_MISFITS:
        raise LocationFull(f"location {dest.code} is full ({why})", location=dest.code, why=why)
    if why is not None:
        raise LocationNotAllowed(
            f"{dest.code} does not take this stock ({why})", location=dest.code, why=why
        )


def _task_source(task: Task) -> Source:
    return Source(
        warehouse_id=task.warehouse_id,
        item_id=task.item_id or 0,
        qty=task.qty or Decimal(0),
        from_location_id=task.from_location_id or 0,
        lot_id=task.lot_id,
        container_id=task.container_id,
    )


def confirm_putaway(
    session: Session,
    *,
    task_id: int,
    user_id: int,
    location_id: int,
    device_id: str | None = None,
    request_id: str | None = None,
    lease_seconds: int = 900,
) -> Task:
    """Move the stock to ``location_id`` (suggested, or another allowed one) and finish."""
    task = task_service.owned_task(session, task_id, user_id=user_id)
    dest = session.get(Location, location_id)
    if dest is None:
        raise NotFound(f"no location {location_id}")
    check_destination(session, task, dest)
    ledger.post_moves(
        session,
        _moves(session, task, dest),
        operator_id=user_id,
        device_id=device_id,
        request_id=request_id,
    )
    if task.container_id is not None:
        container = session.get(Container, task.container_id)
        assert container is not None
        container.location_id = dest.id
    if dest.id != task.to_location_id:
        suggested = session.get(Location, task.to_location_id) if task.to_location_id else None
        task.note = f"suggested {suggested.code if suggested else '-'}, put at {dest.code}"
        task.to_location_id = dest.id
    if task.status is TaskStatus.assigned:
        task_service.start(
            session,
            task_id=task.id,
            user_id=user_id,
            device_id=device_id,
            lease_seconds=lease_seconds,
        )
    return task_service.complete(
        session, task_id=task.id, user_id=user_id, device_id=device_id, done_qty=task.qty
    )


def _moves(session: Session, task: Task, dest: Location) -> list[ledger.MoveRequest]:
    stmt = select(Quant).where(
        Quant.location_id == task.from_location_id,
        Quant.on_hand > 0,
        Quant.status == StockStatus.available,
    )
    if task.container_id is not None:
        stmt = stmt.where(Quant.container_id == task.container_id)
    else:
        same_lot = Quant.lot_id.is_(None) if task.lot_id is None else Quant.lot_id == task.lot_id
        stmt = stmt.where(Quant.item_id == task.item_id, same_lot, Quant.container_id.is_(None))
    quants = session.scalars(stmt.order_by(Quant.id)).all()
    remaining = task.qty if task.container_id is None else None
    moves = []
    for quant in quants:
        qty = quant.on_hand if remaining is None else min(remaining, quant.on_hand)
        if qty <= 0:
            break
        moves.append(
            ledger.MoveRequest(
                item_id=quant.item_id,
                qty=qty,
                from_location_id=quant.location_id,
                to_location_id=dest.id,
                reason="putaway",
                lot_id=quant.lot_id,
                serial_id=quant.serial_id,
                from_container_id=quant.container_id,
                task_id=task.id,
                document_type=task.document_type,
                document_ref=task.document_ref,
            )
        )
        remaining = None if remaining is None else remaining - qty
    if not moves:
        raise NotFound(f"nothing left to put away for task {task.id}", task=str(task.id))
    return moves
