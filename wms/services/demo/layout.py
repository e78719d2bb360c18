"""The demo warehouse's floor plan: zones and location rows, pure and deterministic.

Storage is laid out as aisles of racks. A location code is
aisle-bay-level-position, ``C-07-03-2``: aisle ``C``, bay 7, level 3,
position 2. Odd bays stand on the left of the aisle (side 0), even bays on
the right (side 1), facing each other, so bays 1 and 2 share the same
distance ``x`` from the aisle's front end. Aisles are 3.5 m apart (``y``),
bays 1.2 m wide. The two lowest levels of the front third of the aisles
are pick faces (shelves, one SKU each); everything above and behind is
reserve (pallet racks, one container each). ABC class follows the distance
from the front: the nearest third of each aisle is ``A``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from wms.model import LocationType, ZoneKind
from wms.scanning.checkdigits import location_check_digits

LEVELS = 5
POSITIONS = 2
MAX_BAYS = 60
BAY_WIDTH_M = Decimal("1.2")
AISLE_PITCH_M = Decimal("3.5")
PICK_FACE_ZONE = "PICK"
PICK_FACE_LEVELS = 2
PICK_FACE_AISLE_SHARE = 0.3


@dataclass(frozen=True)
class ZoneSpec:
    code: str
    name: str
    kind: ZoneKind


#: Areas off the racks: (zone code, name, kind, location type, location codes).
AREAS = (
    ("RCV", "Receiving", ZoneKind.receiving, LocationType.dock, 4),
    ("QC", "Quality control", ZoneKind.qc, LocationType.staging, 2),
    ("PACK", "Packing", ZoneKind.packing, LocationType.station, 4),
    ("SHIP", "Shipping", ZoneKind.shipping, LocationType.dock, 4),
    ("QUA", "Quarantine", ZoneKind.quarantine, LocationType.floor, 2),
    ("RET", "Returns", ZoneKind.returns, LocationType.staging, 2),
)
AREA_LOCATIONS = sum(area[4] for area in AREAS)


def aisle_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: spreadsheet-style aisle letters."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


@dataclass(frozen=True)
class Plan:
    """How many aisles and bays hold ``storage`` rack locations."""

    storage: int
    aisles: int
    bays: int

    @classmethod
    def for_locations(cls, total: int) -> Plan:
        storage = max(total - AREA_LOCATIONS, 0)
        per_bay = LEVELS * POSITIONS
        aisles = max(
            math.ceil(storage / (MAX_BAYS * per_bay)), math.ceil(math.sqrt(storage / 40)), 1
        )
        bays = max(math.ceil(storage / (aisles * per_bay)), 1)
        return cls(storage=storage, aisles=aisles, bays=bays)

    @property
    def pick_aisles(self) -> int:
        return max(1, math.ceil(self.aisles * PICK_FACE_AISLE_SHARE))


def zones(plan: Plan) -> list[ZoneSpec]:
    out = [ZoneSpec(code, name, kind) for code, name, kind, _, _ in AREAS]
    out.append(ZoneSpec(PICK_FACE_ZONE, "Pick faces", ZoneKind.pick_face))
    out += [
        ZoneSpec(f"ST-{aisle_name(a)}", f"Storage aisle {aisle_name(a)}", ZoneKind.storage)
        for a in range(plan.aisles)
    ]
    return out


def area_rows() -> Iterator[dict]:
    """Docks, stations and floor areas at the front of the building (aisle 0)."""
    x = Decimal(0)
    for zone, _, kind, loc_type, count in AREAS:
        for n in range(1, count + 1):
            code = f"{zone}-{n:02d}"
            x += 2
            yield _row(
                code,
                zone,
                loc_type,
                aisle_index=0,
                x=x,
                y=Decimal(0),
                side=0,
                storable=True,
                pickable=kind not in (ZoneKind.quarantine, ZoneKind.qc),
                max_volume_l=Decimal(20000),
                max_weight_kg=Decimal(10000),
                max_containers=None,
                max_skus=None,
                abc_class=None,
            )


def rack_rows(plan: Plan) -> Iterator[dict]:
    """Rack locations aisle by aisle, bay by bay, level by level: exactly ``plan.storage``."""
    made = 0
    for a in range(plan.aisles):
        for bay in range(1, plan.bays + 1):
            for level in range(1, LEVELS + 1):
                for position in range(1, POSITIONS + 1):
                    if made == plan.storage:
                        return
                    made += 1
                    yield _rack_row(plan, a, bay, level, position)


def _rack_row(plan: Plan, a: int, bay: int, level: int, position: int) -> dict:
    aisle = aisle_name(a)
    slot = (bay - 1) // 2
    pick_face = a < plan.pick_aisles and level <= PICK_FACE_LEVELS
    third = 3 * slot // max(math.ceil(plan.bays / 2), 1)
    row = _row(
        f"{aisle}-{bay:02d}-{level:02d}-{position}",
        PICK_FACE_ZONE if pick_face else f"ST-{aisle}",
        LocationType.shelf if pick_face else LocationType.pallet_rack,
        aisle_index=a + 1,
        x=BAY_WIDTH_M * slot + BAY_WIDTH_M / 2,
        y=AISLE_PITCH_M * (a + 1),
        side=(bay - 1) % 2,
        storable=True,
        pickable=pick_face,
        max_volume_l=Decimal(200) if pick_face else Decimal(1800),
        max_weight_kg=Decimal(150) if pick_face else Decimal(1000),
        max_containers=None if pick_face else 1,
        max_skus=1 if pick_face else None,
        abc_class="ABC"[min(third, 2)],
    )
    row.update(aisle=aisle, bay=f"{bay:02d}", level=f"{level:02d}", position=str(position))
    return row


def _row(code: str, zone: str, loc_type: LocationType, **fields: object) -> dict:
    return {
        "code": code,
        "zone": zone,
        "type": loc_type,
        "check_digits": location_check_digits(code),
        "aisle": None,
        "bay": None,
        "level": None,
        "position": None,
        **fields,
    }
