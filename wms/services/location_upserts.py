"""Upserting locations by (warehouse, code); zones are made on first use, check digits generated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from wms.errors import FieldError, PermissionDenied, ValidationFailed
from wms.model import Location, LocationType, VirtualKind, Warehouse, Zone, ZoneKind
from wms.scanning.checkdigits import location_check_digits
from wms.services.upserts import Upserted, assign

_VIRTUAL_CODES = {kind.value.upper() for kind in VirtualKind}


@dataclass(frozen=True)
class LocationSpec:
    warehouse: str
    code: str
    zone: str | None = None
    zone_kind: ZoneKind | None = None
    type: LocationType = LocationType.shelf
    #: Every other column of ``Location`` the API may set (aisle, x, flags, capacity ...).
    attrs: dict[str, Any] = field(default_factory=dict)


def upsert_locations(
    session: Session, specs: Sequence[LocationSpec], *, may_access: Callable[[int], bool]
) -> list[Upserted[Location]]:
    """Create or update each location by (warehouse, code); all or nothing."""
    warehouses = _warehouses(session, specs)
    errors = _errors(specs, warehouses)
    if errors:
        raise ValidationFailed(errors)
    for spec in specs:
        if not may_access(warehouses[spec.warehouse].id):
            raise PermissionDenied(f"this API key may not change warehouse {spec.warehouse}")
    wanted = [(warehouses[s.warehouse].id, s.code) for s in specs]
    existing = {
        (loc.warehouse_id, loc.code): loc
        for loc in session.scalars(
            select(Location).where(tuple_(Location.warehouse_id, Location.code).in_(wanted))
        )
    }
    zones: dict[tuple[int, str], Zone] = {}
    out = []
    for spec, key in zip(specs, wanted, strict=True):
        zone = _zone(session, zones, key[0], spec) if spec.zone else None
        out.append(_apply(session, spec, key[0], existing.get(key), zone))
    return out


def _warehouses(session: Session, specs: Sequence[LocationSpec]) -> dict[str, Warehouse]:
    codes = {s.warehouse for s in specs}
    return {w.code: w for w in session.scalars(select(Warehouse).where(Warehouse.code.in_(codes)))}


def _errors(specs: Sequence[LocationSpec], warehouses: dict[str, Warehouse]) -> list[FieldError]:
    errors, seen = [], {}
    for i, spec in enumerate(specs):
        key = (spec.warehouse, spec.code)
        if key in seen:
            errors.append(
                FieldError(
                    f"items[{i}].code",
                    f"location {spec.code} in "
                    f"{spec.warehouse} is also item {seen[key]} of this request",
                    "duplicate",
                )
            )
        seen.setdefault(key, i)
        if spec.warehouse not in warehouses:
            errors.append(
                FieldError(
                    f"items[{i}].warehouse", f"unknown warehouse {spec.warehouse}", "unknown"
                )
            )
        if spec.code.upper() in _VIRTUAL_CODES:
            errors.append(
                FieldError(
                    f"items[{i}].code",
                    f"{spec.code} is the name of a virtual location; choose another code",
                    "reserved",
                )
            )
    return errors


def _zone(
    session: Session, cache: dict[tuple[int, str], Zone], warehouse_id: int, spec: LocationSpec
) -> Zone:
    assert spec.zone is not None
    key = (warehouse_id, spec.zone)
    if key not in cache:
        zone = session.scalar(
            select(Zone).where(Zone.warehouse_id == warehouse_id, Zone.code == spec.zone)
        )
        if zone is None:
            zone = Zone(
                warehouse_id=warehouse_id,
                code=spec.zone,
                name=spec.zone,
                kind=spec.zone_kind or ZoneKind.storage,
            )
            session.add(zone)
            session.flush()
        cache[key] = zone
    return cache[key]


def _apply(
    session: Session,
    spec: LocationSpec,
    warehouse_id: int,
    location: Location | None,
    zone: Zone | None,
) -> Upserted[Location]:
    created = location is None
    if location is None:
        location = Location(
            warehouse_id=warehouse_id, code=spec.code, check_digits=location_check_digits(spec.code)
        )
        session.add(location)
    changed = assign(
        location, {"zone_id": zone.id if zone else None, "type": spec.type, **spec.attrs}
    )
    session.flush()
    if zone is not None and location.zone is not zone:
        session.refresh(location, ["zone"])
    return Upserted(
        spec.code, location, "created" if created else "updated" if changed else "unchanged"
    )
