"""Picker routing: layouts, the exact aisle route, heuristics and an exact oracle."""

from wms.strategies.routing.exact import HeldKarpRoute
from wms.strategies.routing.heuristics import (
    LargestGapRoute,
    NearestNeighbourTwoOptRoute,
    SShapeRoute,
)
from wms.strategies.routing.layout import (
    AisleLayout,
    FreeLayout,
    Layout,
    PickPoint,
    Route,
    XYPoint,
    tour_length,
)
from wms.strategies.routing.optimal import OptimalAisleRoute

__all__ = [
    "AisleLayout",
    "FreeLayout",
    "HeldKarpRoute",
    "LargestGapRoute",
    "Layout",
    "NearestNeighbourTwoOptRoute",
    "OptimalAisleRoute",
    "PickPoint",
    "Route",
    "SShapeRoute",
    "XYPoint",
    "tour_length",
]
