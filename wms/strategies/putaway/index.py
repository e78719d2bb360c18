"""An in-memory index of locations for putaway, built once from plain data.

Searching 10,000 locations for every pallet is too slow, so the index
keeps, per zone and per (zone, ABC class), the storable empty locations
sorted nearest first, and per item the locations that hold it. A search
walks a sorted list from a per-list head that skips locations filled since
the list was built, and stops at the first that fits. ``add_incoming``
records a planned putaway (an open task) so the next search sees it: two
pallets are never sent to one free location.

The index is not thread-safe and not persistent: build it per request or
per receipt from the current stock and open tasks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from wms.strategies.putaway.model import Fill, Load, MixRule, PutawayLocation, PutawayUnit, misfit

ANY = None  # the key for "every zone" / "every class"


class PutawayIndex:
    """Locations, their fill (stock + incoming), and sorted empty-location lists."""

    def __init__(
        self,
        locations: Iterable[PutawayLocation],
        stock: Iterable[tuple[str, Load]] = (),
        incoming: Iterable[tuple[str, Load]] = (),
        fixed_locations: Mapping[str, Sequence[str]] | None = None,
        mix_rules: Mapping[str, MixRule] | None = None,
        default_mix: MixRule = MixRule(),
    ) -> None:
        self.locations = {loc.code: loc for loc in locations}
        self.fixed_locations = dict(fixed_locations or {})
        self._mix_rules = dict(mix_rules or {})
        self._default_mix = default_mix
        self._fill: dict[str, Fill] = {}
        self._holding: dict[str, set[str]] = {}
        for code, load in [*stock, *incoming]:
            self._record(code, load)
        self._empties: dict[tuple[str | None, str | None], list[str]] = {}
        self._heads: dict[tuple[str | None, str | None], int] = {}
        self._build_empties()

    def _record(self, code: str, load: Load) -> None:
        if code not in self.locations:
            raise KeyError(f"unknown location {code}")
        self._fill.setdefault(code, Fill()).add(load)
        self._holding.setdefault(load.item, set()).add(code)

    def _build_empties(self) -> None:
        ranked = sorted(self.locations.values(), key=lambda loc: (loc.distance, loc.code))
        for loc in ranked:
            if loc.blocked or not loc.storable or not self.is_empty(loc.code):
                continue
            for key in {
                (ANY, ANY),
                (loc.zone, ANY),
                (ANY, loc.abc_class),
                (loc.zone, loc.abc_class),
            }:
                self._empties.setdefault(key, []).append(loc.code)

    def mix_rule(self, location: PutawayLocation) -> MixRule:
        return self._mix_rules.get(location.type, self._default_mix)

    def fill(self, code: str) -> Fill | None:
        return self._fill.get(code)

    def is_empty(self, code: str) -> bool:
        fill = self._fill.get(code)
        return fill is None or fill.empty

    def misfit(self, code: str, unit: PutawayUnit) -> str | None:
        """Why ``unit`` cannot go to location ``code`` now, or ``None`` when it fits."""
        location = self.locations[code]
        return misfit(location, self._fill.get(code), unit, self.mix_rule(location))

    def add_incoming(self, code: str, unit: PutawayUnit) -> None:
        """Record that ``unit`` is on its way to ``code`` (a putaway task was created)."""
        self._record(code, unit.as_load())

    def holding(self, item: str, zone: str | None = None) -> list[str]:
        """Locations holding or expecting ``item``, nearest first."""
        codes = self._holding.get(item, ())
        found = [c for c in codes if zone is None or self.locations[c].zone == zone]
        return sorted(found, key=lambda c: (self.locations[c].distance, c))

    def empty_locations(
        self, zone: str | None = None, abc_class: str | None = None
    ) -> Iterator[str]:
        """Empty storable locations in ``zone`` / ``abc_class`` (``None`` = any), nearest first."""
        key = (zone, abc_class)
        codes = self._empties.get(key, [])
        head = self._heads.get(key, 0)
        while head < len(codes) and not self.is_empty(codes[head]):
            head += 1
        self._heads[key] = head
        return (codes[i] for i in range(head, len(codes)) if self.is_empty(codes[i]))
