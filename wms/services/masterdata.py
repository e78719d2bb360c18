"""Master data use cases: warehouses with their virtual locations, locations, items."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import Conflict, NotFound, UnknownItem, UnknownLocation
from wms.model import (
    Item,
    ItemBarcode,
    ItemUnit,
    Location,
    LocationType,
    VirtualKind,
    Warehouse,
    Zone,
    ZoneKind,
)
from wms.scanning.checkdigits import location_check_digits


def create_warehouse(
    session: Session, *, code: str, name: str, allow_negative_stock: bool = False, **extra: object
) -> Warehouse:
    """A site with one virtual location per outside party (supplier, customer, ...)."""
    if session.scalar(select(Warehouse.id).where(Warehouse.code == code)) is not None:
        raise Conflict(f"warehouse {code} already exists", code=code)
    warehouse = Warehouse(code=code, name=name, allow_negative_stock=allow_negative_stock, **extra)
    session.add(warehouse)
    session.flush()
    for kind in VirtualKind:
        session.add(
            Location(
                warehouse_id=warehouse.id,
                code=kind.value.upper(),
                type=LocationType.virtual,
                virtual_kind=kind,
                storable=False,
                pickable=False,
                check_digits="00",
            )
        )
    session.flush()
    return warehouse


def create_zone(
    session: Session,
    *,
    warehouse: Warehouse,
    code: str,
    name: str | None = None,
    kind: ZoneKind = ZoneKind.storage,
) -> Zone:
    zone = Zone(warehouse_id=warehouse.id, code=code, name=name or code, kind=kind)
    session.add(zone)
    session.flush()
    return zone


def create_location(
    session: Session, *, warehouse: Warehouse, code: str, zone: Zone | None = None, **fields: object
) -> Location:
    fields.setdefault("check_digits", location_check_digits(code))
    location = Location(
        warehouse_id=warehouse.id, zone_id=zone.id if zone else None, code=code, **fields
    )
    session.add(location)
    session.flush()
    return location


def virtual_location(session: Session, *, warehouse_id: int, kind: VirtualKind) -> Location:
    location = session.scalar(
        select(Location).where(Location.warehouse_id == warehouse_id, Location.virtual_kind == kind)
    )
    if location is None:
        raise NotFound(f"warehouse {warehouse_id} has no {kind.value} location")
    return location


def location_by_code(session: Session, *, warehouse_id: int, code: str) -> Location:
    location = session.scalar(
        select(Location).where(Location.warehouse_id == warehouse_id, Location.code == code)
    )
    if location is None:
        raise UnknownLocation(f"unknown location {code}", location=code)
    return location


def item_by_sku(session: Session, sku: str) -> Item:
    item = session.scalar(select(Item).where(Item.sku == sku))
    if item is None:
        raise UnknownItem(f"unknown item {sku}", sku=sku)
    return item


def create_item(
    session: Session,
    *,
    sku: str,
    name: str,
    base_uom: str = "each",
    units: dict[str, Decimal] | None = None,
    barcodes: Iterable[tuple[str, str]] = (),
    **fields: object,
) -> Item:
    """An item; ``units`` maps uom → base units per uom, ``barcodes`` are (code, uom)."""
    item = Item(sku=sku, name=name, base_uom=base_uom, **fields)
    for uom, factor in (units or {}).items():
        item.units.append(ItemUnit(uom=uom, factor=Decimal(factor)))
    for code, uom in barcodes:
        item.barcodes.append(ItemBarcode(barcode=code, uom=uom))
    session.add(item)
    session.flush()
    return item
