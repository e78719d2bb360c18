"""Locations in bulk: create many from a pattern, edit one, block and unblock with a reason."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wms.errors import Conflict, FieldError, NotFound, ValidationFailed
from wms.model import Location, LocationType, User, Warehouse, Zone, utcnow
from wms.scanning.checkdigits import location_check_digits
from wms.services.access import audit
from wms.services.location_patterns import LocationSpec, count_pattern, expand_pattern

#: One pattern creates at most this many locations (one request, one transaction).
MAX_PER_PATTERN = 10_000
_CHUNK = 500


def create_locations(
    session: Session,
    *,
    warehouse_id: int,
    pattern: str,
    zone_id: int | None = None,
    location_type: LocationType = LocationType.shelf,
    bay_width: Decimal = Decimal(1),
    sides: str = "one",
    actor: User | None = None,
    **ctx: object,
) -> int:
    """Create every location of ``pattern``; all or nothing. Returns how many."""
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound("unknown warehouse")
    zone = _zone_of(session, warehouse_id, zone_id)
    count = count_pattern(pattern)
    if count > MAX_PER_PATTERN:
        raise ValidationFailed([FieldError(
            "pattern", "at most 10,000 locations at once; split the pattern"
        )])
    specs = list(expand_pattern(pattern, bay_width=bay_width, sides=sides))
    existing = _existing_codes(session, warehouse_id, [s.code for s in specs])
    if existing:
        raise Conflict("some of these locations already exist", codes=existing)
    rows = _rows(specs, warehouse_id, zone.id if zone else None, LocationType(location_type))
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(Location), rows[start:start + _CHUNK])
    audit(session, action="locations.created", actor=actor, target=warehouse.code,
          pattern=pattern, count=len(rows), **ctx)
    return len(rows)


def _rows(
    specs: list[LocationSpec], warehouse_id: int, zone_id: int | None, kind: LocationType
) -> list[dict[str, object]]:
    now = utcnow()
    return [
        {"warehouse_id": warehouse_id, "zone_id": zone_id, "code": s.code, "type": kind,
         "aisle": s.aisle, "bay": s.bay, "level": s.level, "position": s.position,
         "aisle_index": s.aisle_index, "x": s.x, "side": s.side,
         "check_digits": location_check_digits(s.code), "created_at": now, "updated_at": now}
        for s in specs
    ]


def _zone_of(session: Session, warehouse_id: int, zone_id: int | None) -> Zone | None:
    if zone_id is None:
        return None
    zone = session.get(Zone, zone_id)
    if zone is None or zone.warehouse_id != warehouse_id:
        raise ValidationFailed([FieldError("zone", "this zone is not in the warehouse")])
    return zone


def _existing_codes(session: Session, warehouse_id: int, codes: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        found.extend(session.scalars(select(Location.code).where(
            Location.warehouse_id == warehouse_id, Location.code.in_(chunk)
        )))
    return sorted(found)


def get_location(session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("unknown location")
    if location.is_virtual:
        raise Conflict("a virtual location cannot be changed")
    return location


def block_location(
    session: Session, *, location_id: int, reason: str, actor: User | None = None, **ctx: object
) -> Location:
    """Nothing is put away to or picked from a blocked location until it is unblocked."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed([FieldError("reason", "say why (at most 200 characters)")])
    location = get_location(session, location_id)
    location.blocked = True
    location.blocked_reason = reason
    audit(session, action="location.blocked", actor=actor, target=location.code,
          reason=reason, **ctx)
    return location


def unblock_location(
    session: Session, *, location_id: int, actor: User | None = None, **ctx: object
) -> Location:
    location = get_location(session, location_id)
    if location.blocked:
        audit(session, action="location.unblocked", actor=actor, target=location.code,
              was=location.blocked_reason, **ctx)
    location.blocked = False
    location.blocked_reason = None
    return location


def update_location(
    session: Session,
    *,
    location_id: int,
    zone_id: int | None,
    location_type: LocationType,
    storable: bool,
    pickable: bool,
    max_weight_kg: Decimal | None = None,
    max_volume_l: Decimal | None = None,
    abc_class: str | None = None,
) -> Location:
    location = get_location(session, location_id)
    if abc_class is not None and abc_class not in ("A", "B", "C"):
        raise ValidationFailed([FieldError("abc_class", "ABC class is A, B or C")])
    for name, value in (("max_weight_kg", max_weight_kg), ("max_volume_l", max_volume_l)):
        if value is not None and value <= 0:
            raise ValidationFailed([FieldError(name, "a capacity must be above zero")])
    zone = _zone_of(session, location.warehouse_id, zone_id)
    location.zone_id = zone.id if zone else None
    location.type = LocationType(location_type)
    location.storable = storable
    location.pickable = pickable
    location.max_weight_kg = max_weight_kg
    location.max_volume_l = max_volume_l
    location.abc_class = abc_class
    session.flush()
    return location
