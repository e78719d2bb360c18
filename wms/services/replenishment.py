"""Replenishment: bring pick faces up from reserve storage as replenish tasks.

``needs`` reads every active pick face of a warehouse in one set-based
query (stock at the face, replenishments already on their way, demand of
the open pick tasks there plus an optional wave's demand) and lets the
``MinMaxReplenishment`` strategy decide. ``replenish`` turns each need into
a replenish task from reserve (the oldest stock first, never another pick
face), prioritised above the picks waiting at that face, so whoever claims
the next task — a picker or, for pallet racking, a forklift driver — does
it first. The move flow carries it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import (
    OPEN,
    Item,
    Location,
    LocationType,
    PickFaceSetting,
    Quant,
    StockStatus,
    Task,
    TaskType,
)
from wms.services import tasks as task_service
from wms.strategies.replenishment import MinMaxReplenishment, PickFace, Replenishment

#: Picks default to priority 5; a face's replenishment outranks its picks.
PRIORITY_NORMAL, PRIORITY_URGENT = 6, 9
Demand = Mapping[tuple[int, int], Decimal]  # (location id, item id) → quantity


def _open_qty(task_type: TaskType, location_column):  # type: ignore[no-untyped-def]
    return (
        select(
            location_column.label("location_id"),
            Task.item_id.label("item_id"),
            func.sum(func.coalesce(Task.qty, 0) - Task.done_qty).label("qty"),
        )
        .where(Task.type == task_type, Task.status.in_(OPEN))
        .group_by(location_column, Task.item_id)
        .subquery()
    )


def pick_faces(
    session: Session, *, warehouse_id: int, demand: Demand | None = None
) -> list[PickFace]:
    """Every active pick face with its stock, incoming replenishments and pick demand."""
    stock = (
        select(Quant.location_id, Quant.item_id, func.sum(Quant.on_hand).label("qty"))
        .where(Quant.warehouse_id == warehouse_id, Quant.status == StockStatus.available)
        .group_by(Quant.location_id, Quant.item_id)
        .subquery()
    )
    incoming = _open_qty(TaskType.replenish, Task.to_location_id)
    picks = _open_qty(TaskType.pick, Task.from_location_id)
    p = PickFaceSetting
    rows = session.execute(
        select(
            p.id,
            p.location_id,
            p.item_id,
            p.min_qty,
            p.max_qty,
            p.unit_qty,
            stock.c.qty,
            incoming.c.qty,
            picks.c.qty,
        )
        .outerjoin(stock, and_(stock.c.location_id == p.location_id, stock.c.item_id == p.item_id))
        .outerjoin(
            incoming, and_(incoming.c.location_id == p.location_id, incoming.c.item_id == p.item_id)
        )
        .outerjoin(picks, and_(picks.c.location_id == p.location_id, picks.c.item_id == p.item_id))
        .where(
            p.warehouse_id == warehouse_id,
            p.active.is_(True),
            _may_need(p, stock, incoming, picks, demand),
        )
    ).all()
    zero, extra = Decimal(0), demand or {}
    return [
        PickFace(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            Decimal(r[6] or zero),
            Decimal(r[7] or zero),
            Decimal(r[8] or zero) + extra.get((r[1], r[2]), zero),
        )
        for r in rows
    ]


def _may_need(
    p: type[PickFaceSetting], stock: Any, incoming: Any, picks: Any, demand: Demand | None
) -> Any:
    """Pre-filter in SQL (the strategy still decides): projected below min, or a wave's face."""
    projected = (
        func.coalesce(stock.c.qty, 0)
        + func.coalesce(incoming.c.qty, 0)
        - func.coalesce(picks.c.qty, 0)
    )
    if not demand:
        return projected < p.min_qty
    return or_(projected < p.min_qty, tuple_(p.location_id, p.item_id).in_(list(demand)))


def needs(
    session: Session, *, warehouse_id: int, demand: Demand | None = None
) -> list[Replenishment]:
    return MinMaxReplenishment().plan(pick_faces(session, warehouse_id=warehouse_id, demand=demand))


def _reserve_sources(session: Session, warehouse_id: int, item_id: int) -> list[Quant]:
    """Free stock of the item outside every pick face, oldest first."""
    faces = select(PickFaceSetting.location_id).where(PickFaceSetting.warehouse_id == warehouse_id)
    return list(
        session.scalars(
            select(Quant)
            .join(Location, Location.id == Quant.location_id)
            .where(
                Quant.warehouse_id == warehouse_id,
                Quant.item_id == item_id,
                Quant.status == StockStatus.available,
                Quant.on_hand > Quant.reserved,
                Quant.container_id.is_(None),
                Location.blocked.is_(False),
                Location.virtual_kind.is_(None),
                Location.id.not_in(faces),
            )
            .order_by(Quant.in_date, Quant.id)
        )
    )


def _pick_priority(session: Session, need: Replenishment) -> int:
    top = session.scalar(
        select(func.max(Task.priority)).where(
            Task.type == TaskType.pick,
            Task.status.in_(OPEN),
            Task.from_location_id == need.location_id,
            Task.item_id == need.item_id,
        )
    )
    base = PRIORITY_URGENT if need.urgent else PRIORITY_NORMAL
    return min(9, max(base, (top or 0) + 1))


def replenish(
    session: Session,
    *,
    warehouse_id: int,
    demand: Demand | None = None,
    actor_id: int | None = None,
) -> list[Task]:
    """Create the replenish tasks the pick faces need now; returns them."""
    created: list[Task] = []
    for need in needs(session, warehouse_id=warehouse_id, demand=demand):
        left = need.qty
        for quant in _reserve_sources(session, warehouse_id, need.item_id):
            if left <= 0:
                break
            qty = min(left, quant.on_hand - quant.reserved)
            source = session.get(Location, quant.location_id)
            assert source is not None
            created.append(
                task_service.create_task(
                    session,
                    warehouse_id=warehouse_id,
                    type=TaskType.replenish,
                    actor_id=actor_id,
                    release=True,
                    priority=_pick_priority(session, need),
                    zone_id=source.zone_id,
                    from_location_id=source.id,
                    to_location_id=need.location_id,
                    item_id=need.item_id,
                    lot_id=quant.lot_id,
                    qty=qty,
                    document_type="replenishment",
                    required_skill="forklift" if source.type is LocationType.pallet_rack else None,
                    note="wave short" if need.urgent else "below min",
                )
            )
            left -= qty
    return created


@dataclass(frozen=True)
class FaceForm:
    """A pick-face setting as entered at the console: codes, not ids."""

    location: str
    sku: str
    min_qty: Decimal | None
    max_qty: Decimal | None
    unit_qty: Decimal | None = Decimal(1)
    active: bool = True


def save_face(
    session: Session, form: FaceForm, *, warehouse_id: int, face_id: int | None = None
) -> PickFaceSetting:
    """Create or change a face's min/max; every problem is reported at once, nothing saved."""
    errors: list[FieldError] = []
    loc = session.scalar(
        select(Location).where(
            Location.warehouse_id == warehouse_id, Location.code == form.location
        )
    )
    if loc is None or loc.is_virtual:
        errors.append(FieldError("location", "no such location in this warehouse"))
    item = session.scalar(select(Item).where(Item.sku == form.sku))
    if item is None:
        errors.append(FieldError("sku", "no such item"))
    low, high, unit = form.min_qty, form.max_qty, form.unit_qty or Decimal(1)
    if low is None or low < 0:
        errors.append(FieldError("min_qty", "must be zero or more"))
    if high is None or (low is not None and high <= low):
        errors.append(FieldError("max_qty", "max must be above min"))
    if unit <= 0:
        errors.append(FieldError("unit_qty", "must be above zero"))
    face = (
        PickFaceSetting(warehouse_id=warehouse_id)
        if face_id is None
        else session.get(PickFaceSetting, face_id)
    )
    if face is None or face.warehouse_id != warehouse_id:
        raise NotFound(f"no pick-face setting {face_id}")
    if loc is not None and item is not None:
        other = session.scalar(
            select(PickFaceSetting.id).where(
                PickFaceSetting.location_id == loc.id, PickFaceSetting.item_id == item.id
            )
        )
        if other is not None and other != face_id:
            errors.append(
                FieldError("location", "this item already has a setting here", "duplicate")
            )
    if errors:
        raise ValidationFailed(errors)
    assert loc is not None and item is not None and low is not None and high is not None
    face.location_id, face.item_id = loc.id, item.id
    face.min_qty, face.max_qty, face.unit_qty, face.active = low, high, unit, form.active
    session.add(face)
    session.flush()
    return face
