"""Immediate moves and adjustments by an integrated system (ERP, MES, AGV), by business codes.

``post_coded_moves`` resolves SKUs, location codes, lots, serials and
containers, converts each quantity exactly to the item's base unit, checks
tracking rules, collects every problem of every line and raises once, then
posts all lines through the ledger in one call: all or nothing, with the
ledger's locking. A move into or out of the outside world (a virtual
location) is an adjustment and is announced as ``stock.adjusted``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from wms.errors import FieldError, InvalidQuantity, PermissionDenied, UnknownUnit, ValidationFailed
from wms.model import (
    Container,
    Item,
    Location,
    Lot,
    Serial,
    StockMove,
    StockStatus,
    Tracking,
    Warehouse,
    exact,
    qty_str,
)
from wms.services import ledger
from wms.services.webhooks import emit_webhook


@dataclass(frozen=True)
class MoveSpec:
    sku: str
    qty: Decimal
    from_location: str
    to_location: str
    reason: str
    uom: str | None = None
    warehouse: str | None = None
    lot: str | None = None
    serial: str | None = None
    container: str | None = None
    status: StockStatus = StockStatus.available
    to_status: StockStatus | None = None
    reference: str | None = None
    note: str | None = None


@dataclass
class _Resolved:
    warehouses: dict[str, Warehouse]
    items: dict[str, Item]
    locations: dict[tuple[int, str], Location]
    containers: dict[str, Container]


def post_coded_moves(
    session: Session,
    specs: Sequence[MoveSpec],
    *,
    may_access: Callable[[int], bool],
    default_warehouse: str | None,
    api_client_id: int | None = None,
    request_id: str | None = None,
) -> list[StockMove]:
    """Post every line or none; field errors name ``items[i].<field>``."""
    specs = [s if s.warehouse else _with_warehouse(s, default_warehouse) for s in specs]
    found = _resolve(session, specs)
    errors: list[FieldError] = []
    requests = [_request(session, i, s, found, errors) for i, s in enumerate(specs)]
    if errors:
        raise ValidationFailed(errors)
    for spec in specs:
        if not may_access(found.warehouses[spec.warehouse or ""].id):
            raise PermissionDenied(f"this API key may not move stock in {spec.warehouse}")
    try:
        lines = ledger.post_moves(
            session,
            [r for r in requests if r is not None],
            api_client_id=api_client_id,
            request_id=request_id,
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            [
                FieldError(e.field.replace("moves[", "items[", 1), e.message, e.code)
                for e in exc.errors
            ]
        ) from None
    _announce(session, lines, specs, found)
    return lines


def default_warehouse(session: Session, warehouse_ids: frozenset[int]) -> str | None:
    """The warehouse a line without one means: the key's only one, or the only one there is."""
    stmt = select(Warehouse.code).limit(2)
    if warehouse_ids:
        stmt = stmt.where(Warehouse.id.in_(warehouse_ids))
    codes = session.scalars(stmt).all()
    return codes[0] if len(codes) == 1 else None


def _with_warehouse(spec: MoveSpec, default: str | None) -> MoveSpec:
    return replace(spec, warehouse=default)


def _resolve(session: Session, specs: Sequence[MoveSpec]) -> _Resolved:
    warehouses = {
        w.code: w
        for w in session.scalars(
            select(Warehouse).where(Warehouse.code.in_({s.warehouse for s in specs}))
        )
    }
    items = {
        i.sku: i
        for i in session.scalars(
            select(Item)
            .where(Item.sku.in_({s.sku for s in specs}))
            .options(selectinload(Item.units))
        )
    }
    pairs = {
        (warehouses[s.warehouse].id, code)
        for s in specs
        if s.warehouse in warehouses
        for code in (s.from_location, s.to_location)
    }
    locations = {}
    if pairs:
        rows = session.scalars(
            select(Location).where(tuple_(Location.warehouse_id, Location.code).in_(pairs))
        )
        locations = {(loc.warehouse_id, loc.code): loc for loc in rows}
    codes = {s.container for s in specs if s.container}
    containers = (
        {c.code: c for c in session.scalars(select(Container).where(Container.code.in_(codes)))}
        if codes
        else {}
    )
    return _Resolved(warehouses, items, locations, containers)


def _request(
    session: Session, i: int, spec: MoveSpec, found: _Resolved, errors: list[FieldError]
) -> ledger.MoveRequest | None:
    at = f"items[{i}]"
    before = len(errors)
    warehouse = found.warehouses.get(spec.warehouse or "")
    if spec.warehouse is None:
        errors.append(
            FieldError(
                f"{at}.warehouse", "required: this key may act on several warehouses", "missing"
            )
        )
    elif warehouse is None:
        errors.append(
            FieldError(f"{at}.warehouse", f"unknown warehouse {spec.warehouse}", "unknown")
        )
    item = found.items.get(spec.sku)
    if item is None:
        errors.append(FieldError(f"{at}.sku", f"unknown item {spec.sku}", "unknown_item"))
    src = dst = None
    if warehouse is not None:
        src = _location(found, warehouse, spec.from_location, f"{at}.from_location", errors)
        dst = _location(found, warehouse, spec.to_location, f"{at}.to_location", errors)
    if item is None or src is None or dst is None or len(errors) > before:
        return None
    qty = _base_qty(item, spec, at, errors)
    lot_id, serial_id = _tracking(session, item, spec, src, qty, at, errors)
    container_id = _container(found, spec, warehouse, at, errors)  # type: ignore[arg-type]
    if qty is None or len(errors) > before:
        return None
    return ledger.MoveRequest(
        item_id=item.id,
        qty=qty,
        from_location_id=src.id,
        to_location_id=dst.id,
        reason=spec.reason,
        lot_id=lot_id,
        serial_id=serial_id,
        from_container_id=container_id,
        from_status=spec.status,
        to_status=spec.to_status,
        note=spec.note,
        document_type="api" if spec.reference else None,
        document_ref=spec.reference,
        entered_qty=spec.qty,
        entered_uom=spec.uom or item.base_uom,
    )


def _location(
    found: _Resolved, warehouse: Warehouse, code: str, at: str, errors: list[FieldError]
) -> Location | None:
    loc = found.locations.get((warehouse.id, code))
    if loc is None:
        errors.append(
            FieldError(at, f"unknown location {code} in {warehouse.code}", "unknown_location")
        )
    return loc


def _base_qty(item: Item, spec: MoveSpec, at: str, errors: list[FieldError]) -> Decimal | None:
    try:
        qty = item.to_base(spec.qty, spec.uom or item.base_uom)
        return exact(qty)
    except UnknownUnit as exc:
        errors.append(FieldError(f"{at}.uom", exc.detail, "unknown_unit"))
    except InvalidQuantity:
        errors.append(
            FieldError(
                f"{at}.qty",
                f"{qty_str(spec.qty)} {spec.uom} is not a whole "
                f"number of millionths of {item.base_uom}",
                "invalid_quantity",
            )
        )
    return None


def _tracking(
    session: Session,
    item: Item,
    spec: MoveSpec,
    src: Location,
    qty: Decimal | None,
    at: str,
    errors: list[FieldError],
) -> tuple[int | None, int | None]:
    if item.tracking is Tracking.none:
        if spec.lot or spec.serial:
            errors.append(
                FieldError(
                    f"{at}.lot" if spec.lot else f"{at}.serial",
                    f"item {item.sku} is not lot- or serial-tracked",
                )
            )
        return None, None
    if item.tracking is Tracking.lot and not spec.lot:
        errors.append(
            FieldError(f"{at}.lot", f"item {item.sku} is lot-tracked: lot is required", "missing")
        )
        return None, None
    if item.tracking is Tracking.serial and (not spec.serial or qty != 1):
        errors.append(
            FieldError(
                f"{at}.serial",
                f"item {item.sku} is serial-tracked: one serial per move of qty 1",
                "missing",
            )
        )
        return None, None
    lot = _lot(session, item, spec.lot, src, at, errors) if spec.lot else None
    serial = _serial(session, item, spec.serial, lot, src, at, errors) if spec.serial else None
    return (lot.id if lot else None), (serial.id if serial else None)


def _lot(
    session: Session, item: Item, lot_no: str, src: Location, at: str, errors: list[FieldError]
) -> Lot | None:
    lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.lot_no == lot_no))
    if lot is None and src.is_virtual:  # stock entering the warehouse may bring a new lot
        lot = Lot(item_id=item.id, lot_no=lot_no)
        session.add(lot)
        session.flush()
    if lot is None:
        errors.append(FieldError(f"{at}.lot", f"unknown lot {lot_no} of {item.sku}", "unknown"))
    return lot


def _serial(
    session: Session,
    item: Item,
    serial_no: str,
    lot: Lot | None,
    src: Location,
    at: str,
    errors: list[FieldError],
) -> Serial | None:
    serial = session.scalar(
        select(Serial).where(Serial.item_id == item.id, Serial.serial_no == serial_no)
    )
    if serial is None and src.is_virtual:
        serial = Serial(item_id=item.id, serial_no=serial_no, lot_id=lot.id if lot else None)
        session.add(serial)
        session.flush()
    if serial is None:
        errors.append(
            FieldError(f"{at}.serial", f"unknown serial {serial_no} of {item.sku}", "unknown")
        )
    return serial


def _container(
    found: _Resolved, spec: MoveSpec, warehouse: Warehouse, at: str, errors: list[FieldError]
) -> int | None:
    if not spec.container:
        return None
    container = found.containers.get(spec.container)
    if container is None or container.warehouse_id != warehouse.id:
        errors.append(
            FieldError(
                f"{at}.container",
                f"unknown container {spec.container} in {warehouse.code}",
                "unknown_container",
            )
        )
        return None
    return container.id


def _announce(
    session: Session, lines: Sequence[StockMove], specs: Sequence[MoveSpec], found: _Resolved
) -> None:
    virtual = {loc.id for loc in found.locations.values() if loc.is_virtual}
    for line, spec in zip(lines, specs, strict=True):
        if line.from_location_id in virtual or line.to_location_id in virtual:
            emit_webhook(
                session,
                "stock.adjusted",
                {
                    "move_id": line.id,
                    "warehouse": spec.warehouse,
                    "sku": spec.sku,
                    "qty": qty_str(line.qty),
                    "from_location": spec.from_location,
                    "to_location": spec.to_location,
                    "lot": spec.lot,
                    "serial": spec.serial,
                    "reason": spec.reason,
                    "reference": spec.reference,
                },
            )
