"""The obvious putaway search: scan every location, every time.

Kept as the yardstick for ``PutawayIndex``: tests check that the indexed
rules choose exactly what this scan chooses, and the benchmark measures
how much faster they are. Not for production use.
"""

from __future__ import annotations

from wms.strategies.putaway.index import PutawayIndex
from wms.strategies.putaway.model import PutawayUnit


def nearest(index: PutawayIndex, unit: PutawayUnit, wanted) -> str | None:
    """The nearest location passing ``wanted(location)`` that takes ``unit``, by full scan."""
    best = None
    for loc in index.locations.values():
        if not wanted(loc) or index.misfit(loc.code, unit) is not None:
            continue
        if best is None or (loc.distance, loc.code) < (best.distance, best.code):
            best = loc
    return None if best is None else best.code


def naive_suggest(unit: PutawayUnit, index: PutawayIndex) -> str | None:
    """Fixed location, then existing stock, then nearest empty in zone, all by scanning."""
    fixed = index.fixed_locations.get(unit.item, ())
    for code in fixed:
        if index.misfit(code, unit) is None:
            return code

    def in_zone(loc) -> bool:
        return unit.zone is None or loc.zone == unit.zone

    def holds_item(loc) -> bool:
        fill = index.fill(loc.code)
        return in_zone(loc) and fill is not None and unit.item in fill.lots

    code = nearest(index, unit, holds_item)
    if code is not None:
        return code
    return nearest(index, unit, lambda loc: in_zone(loc) and index.is_empty(loc.code))
