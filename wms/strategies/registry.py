"""Strategies by config name: ``get("removal", "fefo")``, ``putaway_chain([...])``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wms.errors import WmsError
from wms.strategies.batching import FirstComeBatching, SavingsBatching, SeedBatching
from wms.strategies.counting import AbcCountPlanner, FrequencyCountPlanner
from wms.strategies.putaway import (
    AddToExistingStock,
    ByAbcClass,
    FixedLocation,
    NearestEmptyLocation,
    PutawayChain,
)
from wms.strategies.removal import (
    EmptyLocationFirstRemoval,
    FefoRemoval,
    FifoRemoval,
    LeastContainersRemoval,
)
from wms.strategies.replenishment import MinMaxReplenishment
from wms.strategies.routing import (
    HeldKarpRoute,
    LargestGapRoute,
    NearestNeighbourTwoOptRoute,
    OptimalAisleRoute,
    SShapeRoute,
)

STRATEGIES: Mapping[str, Mapping[str, type]] = {
    "routing": {
        cls.name: cls
        for cls in (
            OptimalAisleRoute,
            SShapeRoute,
            LargestGapRoute,
            NearestNeighbourTwoOptRoute,
            HeldKarpRoute,
        )
    },
    "batching": {cls.name: cls for cls in (SavingsBatching, SeedBatching, FirstComeBatching)},
    "removal": {
        cls.name: cls
        for cls in (FifoRemoval, FefoRemoval, LeastContainersRemoval, EmptyLocationFirstRemoval)
    },
    "putaway": {
        cls.name: cls
        for cls in (FixedLocation, AddToExistingStock, NearestEmptyLocation, ByAbcClass)
    },
    "counting": {cls.name: cls for cls in (AbcCountPlanner, FrequencyCountPlanner)},
    "replenishment": {MinMaxReplenishment.name: MinMaxReplenishment},
}


class UnknownStrategy(WmsError):
    code = "unknown_strategy"
    http_status = 500
    title = "The configuration names a strategy that does not exist"


def names(kind: str) -> list[str]:
    """Config names available for ``kind`` (routing, batching, removal, putaway)."""
    return sorted(_kind(kind))


def get(kind: str, name: str, **options: Any) -> Any:
    """A new strategy of ``kind`` called ``name``, built with ``options``."""
    try:
        cls = _kind(kind)[name]
    except KeyError:
        raise UnknownStrategy(f"no {kind} strategy called {name!r}", kind=kind, name=name) from None
    return cls(**options)


def putaway_chain(rules: Sequence[str | Mapping[str, Any]]) -> PutawayChain:
    """A chain from config: rule names, or tables ``{"name": ..., <options>}``.

    ``["fixed_location", {"name": "nearest_empty_location", "zone": "B"}]``

    A table with ``"enabled": false`` keeps the rule's place in the
    configuration but leaves it out of the chain (its name is still checked).
    """
    built = []
    for rule in rules:
        if isinstance(rule, str):
            built.append(get("putaway", rule))
        else:
            options = dict(rule)
            enabled = options.pop("enabled", True) is not False
            strategy = get("putaway", options.pop("name"), **options)
            if enabled:
                built.append(strategy)
    return PutawayChain(built)


def _kind(kind: str) -> Mapping[str, type]:
    try:
        return STRATEGIES[kind]
    except KeyError:
        raise UnknownStrategy(f"no strategy kind {kind!r}", kind=kind, name="") from None
