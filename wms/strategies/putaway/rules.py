"""Putaway rules and the chain that tries them in priority order.

Each rule looks at one unit and the ``PutawayIndex`` and returns a
``Suggestion``: a location with a reason code, or none with the reason
why this rule found nothing. A rule never changes the index; the caller
records the chosen location with ``index.add_incoming`` once the task
exists (``PutawayChain.plan`` does both for a whole receipt).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from wms.strategies.putaway.index import PutawayIndex
from wms.strategies.putaway.model import PutawayUnit, Suggestion


def _first_fit(index: PutawayIndex, codes: Iterable[str], unit: PutawayUnit):
    """The first location in ``codes`` that takes ``unit``, and the last misfit seen."""
    last_misfit = None
    for code in codes:
        last_misfit = index.misfit(code, unit)
        if last_misfit is None:
            return code, None
    return None, last_misfit


class FixedLocation:
    """The item's own fixed location(s), e.g. its pick face (``fixed_location``)."""

    name: ClassVar[str] = "fixed_location"

    def suggest(self, unit: PutawayUnit, index: PutawayIndex) -> Suggestion:
        codes = index.fixed_locations.get(unit.item, ())
        if not codes:
            return Suggestion(None, "no_fixed_location", {"item": unit.item})
        code, why = _first_fit(index, codes, unit)
        if code is None:
            return Suggestion(None, "fixed_location_full", {"location": codes[0], "limit": why})
        return Suggestion(code, "fixed_location", {"location": code})


class AddToExistingStock:
    """The nearest location that already holds (or expects) the item (``add_to_existing_stock``).

    With ``same_lot`` only locations holding the unit's lot count. The
    location's mixing rule and capacity still apply.
    """

    name: ClassVar[str] = "add_to_existing_stock"

    def __init__(self, same_lot: bool = False) -> None:
        self.same_lot = same_lot

    def suggest(self, unit: PutawayUnit, index: PutawayIndex) -> Suggestion:
        codes = index.holding(unit.item, unit.zone)
        if self.same_lot:
            codes = [c for c in codes if unit.lot in index.fill(c).lots[unit.item]]
        if not codes:
            return Suggestion(None, "no_location_with_item", {"item": unit.item})
        code, why = _first_fit(index, codes, unit)
        if code is None:
            return Suggestion(None, "locations_with_item_full", {"item": unit.item, "limit": why})
        if self.same_lot:
            return Suggestion(
                code, "same_lot_in_location", {"location": code, "lot": unit.lot or ""}
            )
        return Suggestion(code, "same_item_in_location", {"location": code})


class NearestEmptyLocation:
    """The nearest empty location in the item's zone (``nearest_empty_location``).

    ``zone`` fixes the zone for every unit (a rule per zone in config);
    otherwise the unit's own zone is used, and a unit without one may go
    to any zone.
    """

    name: ClassVar[str] = "nearest_empty_location"

    def __init__(self, zone: str | None = None) -> None:
        self.zone = zone

    def suggest(self, unit: PutawayUnit, index: PutawayIndex) -> Suggestion:
        zone = self.zone or unit.zone
        code, _ = _first_fit(index, index.empty_locations(zone), unit)
        label = zone or "any"
        if code is None:
            return Suggestion(None, "no_empty_location_in_zone", {"zone": label})
        return Suggestion(code, "nearest_empty_in_zone", {"zone": label, "location": code})


class ByAbcClass:
    """Fast movers nearest dispatch: an empty location of the item's ABC class (``by_abc_class``).

    Locations carry the class of their distance band. The item's own class
    is tried first, then slower classes, then faster ones: an A item may
    overflow into B, and a C item only takes an A location when nothing
    else is left.
    """

    name: ClassVar[str] = "by_abc_class"

    def __init__(self, classes: Sequence[str] = ("A", "B", "C")) -> None:
        self.classes = tuple(classes)

    def suggest(self, unit: PutawayUnit, index: PutawayIndex) -> Suggestion:
        if unit.abc_class not in self.classes:
            return Suggestion(None, "item_has_no_abc_class", {"item": unit.item})
        own = self.classes.index(unit.abc_class)
        order = self.classes[own:] + self.classes[:own][::-1]
        for abc_class in order:
            code, _ = _first_fit(index, index.empty_locations(unit.zone, abc_class), unit)
            if code is not None:
                return Suggestion(
                    code, "abc_class_location", {"abc_class": abc_class, "location": code}
                )
        return Suggestion(None, "no_location_for_abc_class", {"abc_class": unit.abc_class})


class PutawayChain:
    """Rules in priority order; the first that finds a location wins (``chain``).

    When none does, the result is ``no_location_fits`` and its ``tried``
    parameter lists each rule's own reason, for the supervisor's screen.
    """

    name: ClassVar[str] = "chain"

    def __init__(self, rules: Sequence[object]) -> None:
        if not rules:
            raise ValueError("a putaway chain needs at least one rule")
        self.rules = tuple(rules)

    def suggest(self, unit: PutawayUnit, index: PutawayIndex) -> Suggestion:
        misses = []
        for rule in self.rules:
            suggestion = rule.suggest(unit, index)
            if suggestion.fits:
                return suggestion
            misses.append(f"{rule.name}: {suggestion.reason}")
        return Suggestion(None, "no_location_fits", {"item": unit.item, "tried": "; ".join(misses)})

    def plan(self, units: Iterable[PutawayUnit], index: PutawayIndex) -> list[Suggestion]:
        """Suggest a location for each unit in turn, recording each as incoming."""
        plan = []
        for unit in units:
            suggestion = self.suggest(unit, index)
            if suggestion.location is not None:
                index.add_incoming(suggestion.location, unit)
            plan.append(suggestion)
        return plan
