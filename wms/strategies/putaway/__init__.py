"""Putaway: where an arriving container goes, as a chain of rules over an index."""

from wms.strategies.putaway.index import PutawayIndex
from wms.strategies.putaway.model import (
    Capacity,
    Load,
    MixRule,
    PutawayLocation,
    PutawayUnit,
    Suggestion,
)
from wms.strategies.putaway.rules import (
    AddToExistingStock,
    ByAbcClass,
    FixedLocation,
    NearestEmptyLocation,
    PutawayChain,
)

__all__ = [
    "AddToExistingStock",
    "ByAbcClass",
    "Capacity",
    "FixedLocation",
    "Load",
    "MixRule",
    "NearestEmptyLocation",
    "PutawayChain",
    "PutawayIndex",
    "PutawayLocation",
    "PutawayUnit",
    "Suggestion",
]
