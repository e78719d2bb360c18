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

from sqlalchemy import bindparam, null, select, type_coerce, union_all
from sqlalchemy.orm import Session

from wms.errors import FieldError, InvalidQuantity, PermissionDenied, UnknownUnit, ValidationFailed
from wms.model import (
    Container,
    Item,
    Location,
    Lot,
    Serial,
    StockStatus,
    Tracking,
    VirtualKind,
    Warehouse,
    exact,
    qty_str,
)
from wms.services import ledger, pgraw
from wms.services.webhooks import emit_webhook

#: One move stays below a trillion base units (SQLite keeps integer millionths).
MAX_QTY = Decimal(10) ** 12


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


@dataclass(frozen=True)
class Posted:
    """A ledger line with the codes it was asked for; ``uom`` is the item's base unit."""

    line: ledger.Line
    spec: MoveSpec
    uom: str


@dataclass(frozen=True)
class _Item:
    """What a coded move needs of an item, read as plain columns."""

    id: int
    sku: str
    base_uom: str
    tracking: Tracking

    def to_base(self, session: Session, qty: Decimal, uom: str) -> Decimal:
        """``qty`` in the base unit; another unit loads the item's units (the rare case)."""
        if uom == self.base_uom:
            return qty
        item = session.get(Item, self.id)
        assert item is not None
        return item.to_base(qty, uom)


@dataclass(frozen=True)
class _Warehouse:
    id: int
    code: str


@dataclass
class _Resolved:
    warehouses: dict[str, _Warehouse]
    items: dict[str, _Item]
    locations: dict[tuple[int, str], ledger.Place]
    containers: dict[str, Container]


def post_coded_moves(
    session: Session,
    specs: Sequence[MoveSpec],
    *,
    may_access: Callable[[int], bool],
    default_warehouse: str | None,
    api_client_id: int | None = None,
    request_id: str | None = None,
) -> list[Posted]:
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
        lines = ledger.post_lines(
            session,
            [r for r in requests if r is not None],
            api_client_id=api_client_id,
            request_id=request_id,
            places={p.id: p for p in found.locations.values()},
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            [
                FieldError(e.field.replace("moves[", "items[", 1), e.message, e.code)
                for e in exc.errors
            ]
        ) from None
    _announce(session, lines, specs, found)
    return [
        Posted(line, spec, found.items[spec.sku].base_uom)
        for line, spec in zip(lines, specs, strict=True)
    ]


def default_warehouse(session: Session, warehouse_ids: frozenset[int]) -> str | None:
    """The warehouse a line without one means: the key's only one, or the only one there is."""
    stmt = select(Warehouse.code).limit(2)
    if warehouse_ids:
        stmt = stmt.where(Warehouse.id.in_(warehouse_ids))
    codes = session.scalars(stmt).all()
    return codes[0] if len(codes) == 1 else None


def _with_warehouse(spec: MoveSpec, default: str | None) -> MoveSpec:
    return replace(spec, warehouse=default)


#: Items by SKU and locations by code with their warehouses, in one statement built once
#: (the hot path of every API move). Item rows have no warehouse; location rows no unit.
#: The same code in several named warehouses may match extra locations: harmless.
_L, _W, _I = (Location.__table__.c, Warehouse.__table__.c, Item.__table__.c)
_RESOLVE = union_all(
    select(
        _L.id,
        _L.code,
        _L.warehouse_id,
        _W.code,
        _L.virtual_kind,
        _L.blocked,
        _W.allow_negative_stock,
        type_coerce(null(), _I.base_uom.type),
        type_coerce(null(), _I.tracking.type),
    )
    .join_from(Location.__table__, Warehouse.__table__, _W.id == _L.warehouse_id)
    .where(
        _W.code.in_(bindparam("warehouses", expanding=True)),
        _L.code.in_(bindparam("codes", expanding=True)),
    ),
    select(_I.id, _I.sku, null(), null(), null(), null(), null(), _I.base_uom, _I.tracking).where(
        _I.sku.in_(bindparam("skus", expanding=True))
    ),
)

#: The same read as plain SQL for PostgreSQL (see ``wms.services.pgraw``): arrays for the lists.
_PG_RESOLVE = (
    "SELECT location.id, location.code, location.warehouse_id, warehouse.code,"
    " location.virtual_kind, location.blocked, warehouse.allow_negative_stock,"
    " NULL::varchar, NULL::varchar"
    " FROM location JOIN warehouse ON warehouse.id = location.warehouse_id"
    " WHERE warehouse.code = ANY(%(warehouses)s::varchar[])"
    " AND location.code = ANY(%(codes)s::varchar[])"
    " UNION ALL SELECT item.id, item.sku, NULL, NULL, NULL, NULL, NULL, item.base_uom,"
    " item.tracking FROM item WHERE item.sku = ANY(%(skus)s::varchar[])"
)


def _resolve(session: Session, specs: Sequence[MoveSpec]) -> _Resolved:
    """Items, locations and their warehouses in one read; containers only when named."""
    session.flush()  # as autoflush would: items and locations added in this session count
    params = {
        "warehouses": list({s.warehouse for s in specs if s.warehouse}),
        "codes": list({c for s in specs for c in (s.from_location, s.to_location)}),
        "skus": list({s.sku for s in specs}),
    }
    raw = pgraw.cursor(session)
    if raw is not None:
        rows = [
            (
                *row[:4],
                VirtualKind(row[4]) if row[4] is not None else None,
                *row[5:8],
                Tracking(row[8]) if row[8] is not None else None,
            )
            for row in pgraw.execute(raw, _PG_RESOLVE, params).fetchall()
        ]
    else:
        rows = session.connection().execute(_RESOLVE, params).all()  # type: ignore[assignment]
    items: dict[str, _Item] = {}
    locations: dict[tuple[int, str], ledger.Place] = {}
    warehouses: dict[str, _Warehouse] = {}
    for id_, code, wh_id, wh_code, virtual, blocked, negative, uom, tracking in rows:
        if wh_id is None:
            items[code] = _Item(id_, code, uom, tracking)
        else:
            locations[(wh_id, code)] = ledger.Place(id_, wh_id, code, virtual, blocked, negative)
            warehouses.setdefault(wh_code, _Warehouse(wh_id, wh_code))
    wanted = {s.warehouse for s in specs} - warehouses.keys() - {None}
    if wanted:  # a warehouse without any of the named locations, or an unknown one
        warehouses |= {
            code: _Warehouse(id_, code)
            for id_, code in session.execute(
                select(Warehouse.id, Warehouse.code).where(Warehouse.code.in_(wanted))
            )
        }
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
    qty = _base_qty(session, item, spec, at, errors)
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
    found: _Resolved, warehouse: _Warehouse, code: str, at: str, errors: list[FieldError]
) -> ledger.Place | None:
    loc = found.locations.get((warehouse.id, code))
    if loc is None:
        errors.append(
            FieldError(at, f"unknown location {code} in {warehouse.code}", "unknown_location")
        )
    return loc


def _base_qty(
    session: Session, item: _Item, spec: MoveSpec, at: str, errors: list[FieldError]
) -> Decimal | None:
    try:
        qty = exact(item.to_base(session, spec.qty, spec.uom or item.base_uom))
        if qty >= MAX_QTY:
            errors.append(
                FieldError(
                    f"{at}.qty",
                    f"{qty_str(qty)} {item.base_uom} is more than this system counts in one move",
                    "invalid_quantity",
                )
            )
            return None
        return qty
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
    item: _Item,
    spec: MoveSpec,
    src: ledger.Place,
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
    session: Session,
    item: _Item,
    lot_no: str,
    src: ledger.Place,
    at: str,
    errors: list[FieldError],
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
    item: _Item,
    serial_no: str,
    lot: Lot | None,
    src: ledger.Place,
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
    found: _Resolved, spec: MoveSpec, warehouse: _Warehouse, at: str, errors: list[FieldError]
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
    session: Session, lines: Sequence[ledger.Line], specs: Sequence[MoveSpec], found: _Resolved
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
