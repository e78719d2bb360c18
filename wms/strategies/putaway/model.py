"""Plain inputs and results of putaway: locations, loads, units, mixing rules, suggestions.

Units: volume in litres as ``Decimal`` (``volume_l``), weight in grams as
``int`` (``weight_g``), following the project convention. A service turns
a location's ``max_weight_kg`` into grams with ``int(kg * 1000)``.
``None`` in a capacity means "no limit".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Capacity:
    """Limits of one location; each ``None`` limit is unlimited."""

    volume_l: Decimal | None = None
    weight_g: int | None = None
    containers: int | None = None
    skus: int | None = None


@dataclass(frozen=True)
class PutawayLocation:
    """A location as putaway sees it.

    ``distance`` is metres from the warehouse's reference point (dispatch)
    and orders every "nearest" search; ties go by ``code``.
    """

    code: str
    zone: str
    type: str = "shelf"
    distance: float = 0.0
    abc_class: str | None = None
    capacity: Capacity = field(default_factory=Capacity)
    storable: bool = True
    blocked: bool = False


@dataclass(frozen=True)
class Load:
    """Stock of one item (and lot) in a location, or on its way there."""

    item: str
    lot: str | None = None
    volume_l: Decimal = ZERO
    weight_g: int = 0
    containers: int = 0


@dataclass(frozen=True)
class PutawayUnit:
    """What is to be put away: one container (or loose quantity) of one item.

    ``zone`` is the item's storage zone when it has one; rules then stay in
    it. ``containers`` is 1 for a pallet or tote, 0 for loose units.
    """

    item: str
    qty: Decimal
    lot: str | None = None
    volume_l: Decimal = ZERO
    weight_g: int = 0
    containers: int = 1
    zone: str | None = None
    abc_class: str | None = None

    def as_load(self) -> Load:
        return Load(self.item, self.lot, self.volume_l, self.weight_g, self.containers)


@dataclass(frozen=True)
class MixRule:
    """Whether a location type may hold several items, or several lots of one item."""

    mixed_items: bool = False
    mixed_lots: bool = True


@dataclass(frozen=True)
class Suggestion:
    """A location with the reason it was chosen, or no location with the reason why not.

    ``reason`` is a message-catalogue code; ``params`` fill its template,
    e.g. ``("same_item_in_location", {"location": "A-03-12-2"})``.
    """

    location: str | None
    reason: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return self.location is not None


@dataclass
class Fill:
    """What a location holds plus what is on its way there (open putaway tasks)."""

    volume_l: Decimal = ZERO
    weight_g: int = 0
    containers: int = 0
    lots: dict[str, set[str | None]] = field(default_factory=dict)

    def add(self, load: Load) -> None:
        self.volume_l += load.volume_l
        self.weight_g += load.weight_g
        self.containers += load.containers
        self.lots.setdefault(load.item, set()).add(load.lot)

    @property
    def empty(self) -> bool:
        return not self.lots


def misfit(location: PutawayLocation, fill: Fill | None, unit: PutawayUnit, mix: MixRule):
    """Why ``unit`` cannot go to ``location`` (a reason code), or ``None`` if it fits."""
    if location.blocked or not location.storable:
        return "location_not_storable"
    fill = fill or Fill()
    cap = location.capacity
    if cap.volume_l is not None and fill.volume_l + unit.volume_l > cap.volume_l:
        return "volume_exceeded"
    if cap.weight_g is not None and fill.weight_g + unit.weight_g > cap.weight_g:
        return "weight_exceeded"
    if cap.containers is not None and fill.containers + unit.containers > cap.containers:
        return "containers_exceeded"
    other_items = len(fill.lots) - (unit.item in fill.lots)
    if cap.skus is not None and other_items + 1 > cap.skus:
        return "skus_exceeded"
    if other_items and not mix.mixed_items:
        return "mixed_items_not_allowed"
    if not mix.mixed_lots and fill.lots.get(unit.item, {unit.lot}) != {unit.lot}:
        return "mixed_lots_not_allowed"
    return None
