"""Cycle counts: request a count (a count task), start it, record lines, finish it.

How stock moved during an open count is handled (see docs/inventory.md):
nothing is frozen. When the counter scans the location, ``start_count``
takes the reference: the ledger mark (last move id) and the on-hand of
every line key. Each counted line keeps the on-hand *at the moment it was
confirmed* (= on hand at the start + every move into or out of the location
since), read while the location's quants are share-locked, so no move can
be half-way. A pick from the location while it is being counted changes
that reference just as it changes the shelf: no false variance. Keys never
counted are compared with their on hand when the count is finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, InvalidQuantity, NotFound, WmsError
from wms.model import (
    Count,
    CountLine,
    CountStatus,
    CountTrigger,
    Location,
    Quant,
    StockMove,
    Task,
    TaskType,
    Variance,
    exact,
    qty_str,
    utcnow,
)
from wms.services import tasks as task_service
from wms.services import variances

#: Task priority by trigger: a recount or a short pick matters more than the calendar.
PRIORITY = {CountTrigger.plan: 3, CountTrigger.request: 6, CountTrigger.discrepancy: 7,
            CountTrigger.location_empty: 7, CountTrigger.short_pick: 8, CountTrigger.recount: 8}
OPEN = (CountStatus.open, CountStatus.counting)
LineKey = tuple[int, int | None, int | None, int | None]  # item, lot, serial, container


class RecountByAnotherOperator(WmsError):
    code = "recount_by_another_operator"
    http_status = 409
    title = "A recount must be done by another operator"


class LocationNotCounted(WmsError):
    code = "confirm_location_empty"
    http_status = 422
    title = "Nothing was counted: confirm the location is empty"


def key_str(key: LineKey) -> str:
    return ":".join("" if part is None else str(part) for part in key)


@dataclass(frozen=True)
class Reference:
    mark: int
    on_hand: dict[LineKey, Decimal]


def request_count(
    session: Session, *, location_id: int, trigger: CountTrigger, requested_by: int | None = None,
    reason: str | None = None, plan_id: int | None = None, due_at: datetime | None = None,
    recount_of: Count | None = None,
) -> Count:
    """A count task for the location; an open count there already answers a second request."""
    trigger = CountTrigger(trigger)
    loc = session.get(Location, location_id)
    if loc is None or loc.is_virtual:
        raise NotFound(f"no countable location {location_id}")
    if recount_of is None:
        existing = session.scalars(select(Count).where(
            Count.location_id == loc.id, Count.status.in_(OPEN))).first()
        if existing is not None:
            return existing
    count = Count(warehouse_id=loc.warehouse_id, location_id=loc.id, trigger=trigger,
                  status=CountStatus.open,
                  plan_id=plan_id, requested_by_id=requested_by, reason=reason, due_at=due_at,
                  recount_of_id=recount_of.id if recount_of else None,
                  excluded_user_id=recount_of.counted_by_id if recount_of else None)
    session.add(count)
    session.flush()
    task = task_service.create_task(
        session, warehouse_id=loc.warehouse_id, type=TaskType.count, actor_id=requested_by,
        release=True, priority=PRIORITY[trigger], due_at=due_at, zone_id=loc.zone_id,
        from_location_id=loc.id, document_type="count", document_ref=str(count.id),
        required_skill=None, note=reason)
    count.task_id = task.id
    events.record(session, "count.requested", _describe(count, loc),
                  rooms=[f"warehouse:{loc.warehouse_id}"])
    return count


def count_for_task(session: Session, task: Task) -> Count:
    """The count behind a count task; a bare count task (e.g. from a short pick) gets one."""
    count = session.scalars(select(Count).where(Count.task_id == task.id)).first()
    if count is not None:
        return count
    if task.type is not TaskType.count or task.from_location_id is None:
        raise Conflict(f"task {task.id} is not a count of a location", task=task.id)
    trigger = _trigger_of(task)
    count = Count(warehouse_id=task.warehouse_id, location_id=task.from_location_id,
                  trigger=trigger, task_id=task.id, reason=task.note, status=CountStatus.open)
    session.add(count)
    session.flush()
    return count


def _trigger_of(task: Task) -> CountTrigger:
    hint = (task.document_type or task.exception_reason or task.note or "").lower()
    for trigger in CountTrigger:
        if trigger.value in hint:
            return trigger
    return CountTrigger.short_pick if "short" in hint else CountTrigger.request


def reference(session: Session, location_id: int) -> Reference:
    """On hand per line key and the ledger mark, with the location's quants share-locked."""
    quants = session.scalars(
        select(Quant).where(Quant.location_id == location_id).order_by(Quant.id)
        .with_for_update(read=True).execution_options(populate_existing=True)).all()
    on_hand: dict[LineKey, Decimal] = {}
    for q in quants:
        key = (q.item_id, q.lot_id, q.serial_id, q.container_id)
        on_hand[key] = on_hand.get(key, Decimal(0)) + q.on_hand
    mark = session.scalar(select(func.coalesce(func.max(StockMove.id), 0))) or 0
    return Reference(mark=int(mark), on_hand=on_hand)


def start_count(session: Session, count: Count, *, user_id: int) -> Count:
    """The counter is at the location: take the reference (never shown to a blind counter)."""
    if count.excluded_user_id == user_id:
        raise RecountByAnotherOperator(count=count.id)
    if count.status is CountStatus.counting and count.counted_by_id == user_id:
        return count  # a resumed count keeps its reference
    ref = reference(session, count.location_id)
    count.begin(user_id=user_id, mark=ref.mark,
                snapshot={key_str(k): qty_str(v) for k, v in ref.on_hand.items() if v != 0})
    session.flush()
    return count


def record_line(session: Session, count: Count, *, key: LineKey, qty: Decimal,
                user_id: int) -> CountLine:
    """Add ``qty`` counted of one item/lot/serial/container; expected is read right now."""
    qty = exact(qty)
    if qty < 0:
        raise InvalidQuantity("a counted quantity cannot be negative")
    if count.status is not CountStatus.counting:
        raise Conflict(f"count {count.id} is {count.status}", count=count.id)
    ref = reference(session, count.location_id)
    line = next((ln for ln in count.lines if _line_key(ln) == key), None)
    if line is None:
        at_start = Decimal(count.snapshot.get(key_str(key), "0"))
        line = CountLine(item_id=key[0], lot_id=key[1], serial_id=key[2], container_id=key[3],
                         counted_qty=Decimal(0), expected_at_start=at_start,
                         expected_qty=Decimal(0), mark=0)
        count.lines.append(line)
    line.counted_qty = line.counted_qty + qty
    line.expected_qty, line.mark = ref.on_hand.get(key, Decimal(0)), ref.mark
    line.counted_by_id = user_id
    session.flush()
    return line


def _line_key(line: CountLine) -> LineKey:
    return (line.item_id, line.lot_id, line.serial_id, line.container_id)


def finish_count(session: Session, count: Count, *, user_id: int,
                 location_empty: bool = False) -> list[Variance]:
    """Close the counting: uncounted keys count zero; variances go to recount or approval."""
    if count.status is not CountStatus.counting:
        raise Conflict(f"count {count.id} is {count.status}", count=count.id)
    if not count.lines and not location_empty:
        raise LocationNotCounted(count=count.id)
    ref = reference(session, count.location_id)
    counted = {_line_key(ln) for ln in count.lines}
    for key, on_hand in ref.on_hand.items():
        if key not in counted and on_hand != 0:
            count.lines.append(CountLine(
                item_id=key[0], lot_id=key[1], serial_id=key[2], container_id=key[3],
                counted_qty=Decimal(0), expected_qty=on_hand, mark=ref.mark,
                expected_at_start=Decimal(count.snapshot.get(key_str(key), "0")),
                counted_by_id=user_id))
    count.location_empty = location_empty
    count.status, count.finished_at = CountStatus.counted, utcnow()
    session.flush()
    found, recount = variances.assess(session, count)
    if recount:
        request_count(session, location_id=count.location_id, trigger=CountTrigger.recount,
                      recount_of=count, reason=f"recount of count {count.id}")
    return found


def _describe(count: Count, loc: Location) -> dict:
    return {"count_id": count.id, "location": loc.code, "trigger": count.trigger.value,
            "task_id": count.task_id, "status": count.status.value}
