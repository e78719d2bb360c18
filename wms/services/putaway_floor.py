"""The putaway index of one warehouse, built from the rows on the floor.

Locations of the storage and pick-face zones with their capacity, the stock
they hold, the stock on its way there (open putaway tasks, so in-flight
pallets count), the items' fixed locations, and the chain and mixing rules
from ``warehouse.settings["putaway"]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import strategies
from wms.errors import NotFound
from wms.model import (
    OPEN,
    Item,
    ItemInboundProfile,
    Location,
    Lot,
    Quant,
    Task,
    TaskStatus,
    TaskType,
    Warehouse,
    Zone,
    ZoneKind,
)
from wms.strategies.putaway import (
    Capacity,
    Load,
    MixRule,
    PutawayChain,
    PutawayIndex,
    PutawayLocation,
)

DEFAULT_CHAIN = [
    "fixed_location",
    "add_to_existing_stock",
    "by_abc_class",
    "nearest_empty_location",
]
PUTAWAY_ZONES = (ZoneKind.storage, ZoneKind.pick_face)


@dataclass(frozen=True)
class FloorLocation:
    """What a putaway task needs of its destination."""

    id: int
    code: str
    zone_id: int | None


@dataclass
class Floor:
    """The putaway index of one warehouse with the locations it was built from."""

    index: PutawayIndex
    chain: PutawayChain
    locations: dict[str, FloorLocation]


def load_floor(session: Session, warehouse_id: int, *, exclude_task_id: int | None = None) -> Floor:
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"no warehouse {warehouse_id}")
    cfg = (warehouse.settings or {}).get("putaway", {})
    ox, oy = (Decimal(str(v)) for v in cfg.get("origin", (0, 0)))
    # Plain columns, not entities: a floor of 10,000 locations loads in a fraction of the time.
    rows = session.execute(
        select(*_LOCATION_COLUMNS, Zone.code.label("zone"))
        .join(Zone, Zone.id == Location.zone_id)
        .where(Location.warehouse_id == warehouse_id, Zone.kind.in_(PUTAWAY_ZONES))
    ).all()
    locations = {row.code: FloorLocation(row.id, row.code, row.zone_id) for row in rows}
    plain = [_plain_location(row, ox, oy) for row in rows]
    by_id = {loc.id: loc.code for loc in locations.values()}
    index = PutawayIndex(
        plain,
        stock=_stock_loads(session, warehouse_id, by_id),
        incoming=_incoming_loads(session, warehouse_id, by_id, exclude_task_id),
        fixed_locations=_fixed_locations(session, by_id),
        mix_rules={k: MixRule(**v) for k, v in cfg.get("mix_rules", {}).items()},
        default_mix=MixRule(**cfg.get("default_mix", {})),
    )
    return Floor(index, strategies.putaway_chain(cfg.get("chain", DEFAULT_CHAIN)), locations)


_LOCATION_COLUMNS = (
    Location.id,
    Location.code,
    Location.zone_id,
    Location.type,
    Location.x,
    Location.y,
    Location.abc_class,
    Location.storable,
    Location.blocked,
    Location.max_volume_l,
    Location.max_weight_kg,
    Location.max_containers,
    Location.max_skus,
)


def _plain_location(loc: Any, ox: Decimal, oy: Decimal) -> PutawayLocation:
    """A row of ``_LOCATION_COLUMNS`` plus its zone code, as putaway sees the location."""
    distance = abs((loc.x or ox) - ox) + abs((loc.y or oy) - oy)
    weight = int(loc.max_weight_kg * 1000) if loc.max_weight_kg is not None else None
    return PutawayLocation(
        code=loc.code,
        zone=loc.zone,
        type=loc.type.value,
        distance=float(distance),
        abc_class=loc.abc_class,
        storable=loc.storable,
        blocked=loc.blocked,
        capacity=Capacity(loc.max_volume_l, weight, loc.max_containers, loc.max_skus),
    )


def plain_load(item: Any, lot: str | None, qty: Decimal, containers: int) -> Load:
    """``qty`` of ``item`` (an ``Item`` or a row with its sku, volume_l, weight_kg) as a load."""
    volume = qty * (item.volume_l or Decimal(0))
    weight = int(qty * (item.weight_kg or Decimal(0)) * 1000)
    return Load(item.sku, lot, volume, weight, containers)


_ITEM_COLUMNS = (Item.sku, Item.volume_l, Item.weight_kg)


def _stock_loads(session: Session, warehouse_id: int, by_id: dict[int, str]):
    seen: set[tuple[int, int]] = set()
    rows = session.execute(
        select(Quant.location_id, Quant.container_id, Quant.on_hand, *_ITEM_COLUMNS, Lot.lot_no)
        .join(Item, Item.id == Quant.item_id)
        .outerjoin(Lot, Lot.id == Quant.lot_id)
        .where(Quant.warehouse_id == warehouse_id, Quant.on_hand > 0)
    ).all()
    for row in rows:
        loc_id, container_id = row.location_id, row.container_id
        if loc_id not in by_id:
            continue
        new_container = container_id is not None and (loc_id, container_id) not in seen
        if new_container:
            seen.add((loc_id, container_id))
        yield by_id[loc_id], plain_load(row, row.lot_no, row.on_hand, int(new_container))


def _incoming_loads(
    session: Session, warehouse_id: int, by_id: dict[int, str], exclude_task_id: int | None
):
    open_now = [s for s in OPEN if s is not TaskStatus.exception]
    rows = session.execute(
        select(
            Task.id, Task.to_location_id, Task.container_id, Task.qty, *_ITEM_COLUMNS, Lot.lot_no
        )
        .join(Item, Item.id == Task.item_id)
        .outerjoin(Lot, Lot.id == Task.lot_id)
        .where(
            Task.warehouse_id == warehouse_id,
            Task.type == TaskType.putaway,
            Task.status.in_(open_now),
            Task.to_location_id.is_not(None),
        )
    ).all()
    for row in rows:
        if row.id != exclude_task_id and row.to_location_id in by_id:
            yield (
                by_id[row.to_location_id],
                plain_load(
                    row, row.lot_no, row.qty or Decimal(0), int(row.container_id is not None)
                ),
            )


def _fixed_locations(session: Session, by_id: dict[int, str]) -> dict[str, list[str]]:
    rows = session.execute(
        select(Item.sku, ItemInboundProfile.fixed_location_id)
        .join(Item, Item.id == ItemInboundProfile.item_id)
        .where(ItemInboundProfile.fixed_location_id.is_not(None))
    ).all()
    return {sku: [by_id[loc_id]] for sku, loc_id in rows if loc_id in by_id}
