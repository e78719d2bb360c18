"""Picking: confirm a pick into an order's tote, or report it short.

``confirm_pick`` moves stock through the ledger from the pick location into
the order's tote (a container at the wave's staging location), consuming
the allocation's reservation. A tote holds one order on a trip and an
order has one tote per trip. ``short_pick`` confirms what was found, gives
the rest of the reservation back, asks for a count of the location,
re-allocates from elsewhere (a new task at the end of the same trip) and
tells the supervisor.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms.errors import Conflict, InvalidQuantity, WmsError
from wms.model import (
    Allocation,
    Container,
    ContainerKind,
    OrderStatus,
    PickTrip,
    Quant,
    SalesOrder,
    SalesOrderLine,
    Task,
    TaskStatus,
    TaskType,
    TripTote,
    Wave,
    qty_str,
)
from wms.services import allocation, ledger, outbound_events
from wms.services import tasks as task_service

SHORT_REASONS = ("empty", "damaged", "not_found")


class PickQtyTooLarge(WmsError):
    code = "pick_qty_too_large"
    http_status = 422


class ToteHasOtherOrder(Conflict):
    code = "tote_has_other_order"


class WrongTote(Conflict):
    code = "wrong_tote"


class NotATote(WmsError):
    code = "not_a_tote"
    http_status = 422


class UnknownShortReason(WmsError):
    code = "unknown_short_reason"
    http_status = 422


def allocation_of(session: Session, task: Task) -> Allocation:
    return session.scalars(
        select(Allocation).where(Allocation.task_id == task.id).with_for_update()
    ).one()


def trip_of(session: Session, task: Task) -> PickTrip:
    return session.scalars(select(PickTrip).where(PickTrip.group_id == task.group_id)).one()


def expected_tote(session: Session, task: Task) -> str | None:
    """The tote this task's order already has on the trip, if any."""
    alloc = session.scalars(select(Allocation).where(Allocation.task_id == task.id)).one()
    return session.scalar(
        select(Container.code)
        .join(TripTote, TripTote.container_id == Container.id)
        .where(TripTote.trip_id == trip_of(session, task).id, TripTote.order_id == alloc.order_id)
    )


def bind_tote(session: Session, task: Task, tote_code: str) -> Container:
    """The tote for this task's order on this trip; the first scan binds an empty tote."""
    alloc = allocation_of(session, task)
    trip = trip_of(session, task)
    mine = session.scalars(
        select(TripTote).where(TripTote.trip_id == trip.id, TripTote.order_id == alloc.order_id)
    ).first()
    tote = session.scalars(
        select(Container).where(Container.code == tote_code).with_for_update()
    ).first()
    if mine is not None:
        if tote is None or tote.id != mine.container_id:
            expected = session.get(Container, mine.container_id)
            raise WrongTote(expected=expected.code if expected else "?", scanned=tote_code)
        return tote
    if tote is None or tote.kind is not ContainerKind.tote:
        raise NotATote(scanned=tote_code)
    _check_free(session, tote, alloc.order_id)
    session.add(TripTote(trip_id=trip.id, order_id=alloc.order_id, container_id=tote.id))
    session.flush()
    return tote


def _check_free(session: Session, tote: Container, order_id: int) -> None:
    """A tote still holding another open order's goods cannot take this order."""
    other = session.scalar(
        select(SalesOrder.external_id)
        .join(TripTote, TripTote.order_id == SalesOrder.id)
        .where(
            TripTote.container_id == tote.id,
            SalesOrder.id != order_id,
            SalesOrder.status.in_((OrderStatus.picking, OrderStatus.picked)),
        )
        .limit(1)
    )
    if other is not None:
        raise ToteHasOtherOrder(tote=tote.code, order=other)


def confirm_pick(
    session: Session,
    *,
    task: Task,
    qty: Decimal,
    tote: Container,
    user_id: int,
    device_id: str | None = None,
    request_id: str | None = None,
) -> Allocation:
    """Move ``qty`` (base unit) from the pick location into the tote; finish the task when full."""
    alloc = allocation_of(session, task)
    _check_pick_qty(alloc, qty)
    staging_id = _staging_of(session, task)
    order = _order_of(session, alloc)
    move = _move_into_tote(session, task, alloc, order, qty, tote, staging_id)
    ledger.post_moves(
        session, [move], operator_id=user_id, device_id=device_id, request_id=request_id
    )
    tote.location_id = staging_id
    _count_picked(session, task, alloc, qty)
    if alloc.picked_qty == alloc.qty:
        _finish_allocation(session, task, alloc, order, user_id=user_id, device_id=device_id)
    return alloc


def _check_pick_qty(alloc: Allocation, qty: Decimal) -> None:
    left = alloc.qty - alloc.picked_qty
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero")
    if qty > left:
        raise PickQtyTooLarge(expected=qty_str(left), scanned=qty_str(qty))


def _staging_of(session: Session, task: Task) -> int:
    """The staging location of the task's wave, where the trip's totes go."""
    wave = session.get(Wave, trip_of(session, task).wave_id)
    assert wave is not None
    return wave.staging_location_id


def _order_of(session: Session, alloc: Allocation) -> SalesOrder:
    order = session.get(SalesOrder, alloc.order_id)
    assert order is not None
    return order


def _line_of(session: Session, alloc: Allocation) -> SalesOrderLine:
    line = session.get(SalesOrderLine, alloc.line_id)
    assert line is not None
    return line


def _move_into_tote(
    session: Session,
    task: Task,
    alloc: Allocation,
    order: SalesOrder,
    qty: Decimal,
    tote: Container,
    staging_location_id: int,
) -> ledger.MoveRequest:
    """The allocated stock, out of its container into the tote, consuming the reservation."""
    return ledger.MoveRequest(
        item_id=alloc.item_id,
        qty=qty,
        from_location_id=alloc.location_id,
        to_location_id=staging_location_id,
        reason="pick",
        lot_id=alloc.lot_id,
        serial_id=_serial_of(session, alloc),
        from_container_id=alloc.container_id,
        to_container_id=tote.id,
        keep_container=False,
        reservation_id=alloc.reservation_id,
        document_type="sales_order",
        document_ref=order.external_id,
        task_id=task.id,
    )


def _count_picked(session: Session, task: Task, alloc: Allocation, qty: Decimal) -> None:
    """The allocation, its order line and the task all count what went into the tote."""
    alloc.picked_qty = alloc.picked_qty + qty
    line = _line_of(session, alloc)
    line.picked_qty = line.picked_qty + qty
    task.done_qty = alloc.picked_qty


def _finish_allocation(
    session: Session,
    task: Task,
    alloc: Allocation,
    order: SalesOrder,
    *,
    user_id: int,
    device_id: str | None,
) -> None:
    """All of it is in the tote: the task is done, and the order too when nothing is open."""
    alloc.state = "picked"
    task_service.complete(
        session,
        task_id=task.id,
        user_id=user_id,
        device_id=device_id,
        done_qty=alloc.picked_qty,
    )
    finish_order_if_picked(session, order)


def _serial_of(session: Session, alloc: Allocation) -> int | None:
    """A serial-tracked unit is its own quant: the pick moves exactly that serial."""
    quant = session.get(Quant, alloc.quant_id)
    return quant.serial_id if quant is not None else None


def short_pick(
    session: Session, *, task: Task, reason: str, user_id: int, device_id: str | None = None
) -> Task | None:
    """Nothing more here: count the location, re-allocate elsewhere, tell the supervisor."""
    if reason not in SHORT_REASONS:
        raise UnknownShortReason(reason=reason)
    alloc = allocation_of(session, task)
    missing = allocation.release_allocation(session, alloc)
    alloc.state = "short"
    order = _order_of(session, alloc)
    task_service.complete(
        session, task_id=task.id, user_id=user_id, device_id=device_id, done_qty=alloc.picked_qty
    )
    task.exception_reason = f"short:{reason}"
    task_service.create_task(
        session,
        warehouse_id=task.warehouse_id,
        type=TaskType.count,
        actor_id=user_id,
        release=True,
        priority=8,
        zone_id=task.zone_id,
        from_location_id=alloc.location_id,
        item_id=alloc.item_id,
        document_type="short_pick",
        document_ref=order.external_id,
        note=f"short pick ({reason}) of task {task.id}",
    )
    replacement = _reallocate(session, task, alloc, order, missing)
    outbound_events.tell_supervisor(
        session,
        task.warehouse_id,
        "pick.short",
        {
            "task_id": task.id,
            "order": order.external_id,
            "reason": reason,
            "missing": qty_str(missing),
            "reallocated": replacement is not None,
        },
    )
    if replacement is None:
        finish_order_if_picked(session, order)
    return replacement


def _reallocate(
    session: Session, task: Task, alloc: Allocation, order: SalesOrder, missing: Decimal
) -> Task | None:
    line = _line_of(session, alloc)
    before = line.allocated_qty
    allocation.allocate_orders(
        session, [order.id], topping_up=True, exclude_location_ids=frozenset({alloc.location_id})
    )
    got = line.allocated_qty - before
    if got < missing:
        line.dropped_qty = line.dropped_qty + (missing - got)
    if got <= 0:
        return None
    return _append_task(session, task, alloc.line_id)


def _append_task(session: Session, task: Task, line_id: int) -> Task:
    """The new allocation's pick task goes to the end of the same trip."""
    new = session.scalars(
        select(Allocation).where(
            Allocation.line_id == line_id, Allocation.task_id.is_(None), Allocation.state == "open"
        )
    ).first()
    assert new is not None
    made = task_service.create_task(
        session,
        warehouse_id=task.warehouse_id,
        type=TaskType.pick,
        release=False,
        priority=task.priority,
        zone_id=task.zone_id,
        route_seq=end_of_trip(session, task),
        group_id=task.group_id,
        item_id=new.item_id,
        lot_id=new.lot_id,
        container_id=new.container_id,
        qty=new.qty,
        from_location_id=new.location_id,
        to_location_id=task.to_location_id,
        document_type="sales_order",
        document_ref=task.document_ref,
    )
    made.move_to(
        TaskStatus.assigned,
        actor_id=task.assignee_id,
        reason="re-allocated",
        to_user_id=task.assignee_id,
    )
    made.assignee_id, made.assigned_at = task.assignee_id, task.assigned_at
    made.lease_expires_at = task.lease_expires_at
    new.task_id = made.id
    session.flush()
    return made


def end_of_trip(session: Session, task: Task) -> int:
    """The route position after the last task of ``task``'s trip."""
    last = session.scalar(select(func.max(Task.route_seq)).where(Task.group_id == task.group_id))
    return (last or 0) + 1


def finish_order_if_picked(session: Session, order: SalesOrder) -> None:
    """An order whose allocations are all picked or short is ``picked``."""
    session.flush()
    still = session.scalar(
        select(func.count())
        .select_from(Allocation)
        .where(Allocation.order_id == order.id, Allocation.state == "open")
    )
    if still:  # the usual answer while the trip goes on: no need to count what was picked
        return
    picked = session.scalar(
        select(func.count())
        .select_from(Allocation)
        .where(Allocation.order_id == order.id, Allocation.picked_qty > 0)
    )
    if picked and order.status is OrderStatus.picking:
        outbound_events.set_status(session, order, OrderStatus.picked)
