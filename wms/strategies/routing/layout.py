"""Layouts a picker walks through: the parallel-aisle block and a free plane.

Distances are metres as ``float``: they are travel estimates, not stock
quantities, so the Decimal rule for quantities does not apply. A service
converts a location's Decimal coordinates with ``float()`` when it builds
the pick points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True, order=True)
class PickPoint:
    """A place in an aisle layout: aisle index (0 = leftmost) and metres from the front."""

    aisle: int
    position: float


@dataclass(frozen=True, order=True)
class XYPoint:
    """A place in a free layout (yard, mezzanine, irregular racks), metres."""

    x: float
    y: float


class Layout(Protocol):
    """Anything with a depot and a shortest-path distance between its points."""

    @property
    def depot(self) -> object: ...

    def distance(self, a: object, b: object) -> float: ...


@dataclass(frozen=True)
class AisleLayout:
    """One block of parallel aisles joined by a front and a back cross aisle.

    Aisle ``j`` has its centre line at ``x = j * aisle_pitch``; the front
    cross aisle is at position 0 and the back one at ``aisle_length``. The
    picker reaches both rack faces from the centre line, so a location is
    a ``PickPoint(aisle, position)`` with ``0 <= position <= aisle_length``.
    The depot (dispatch, start and end of every trip) sits at the front of
    ``depot_aisle``.
    """

    aisles: int
    aisle_length: float
    aisle_pitch: float
    depot_aisle: int = 0

    def __post_init__(self) -> None:
        if self.aisles < 1 or self.aisle_length <= 0 or self.aisle_pitch <= 0:
            raise ValueError("a layout needs at least one aisle, a length and a pitch")
        if not 0 <= self.depot_aisle < self.aisles:
            raise ValueError(f"depot aisle {self.depot_aisle} is outside the layout")

    @property
    def depot(self) -> PickPoint:
        return PickPoint(self.depot_aisle, 0.0)

    def contains(self, point: PickPoint) -> bool:
        return 0 <= point.aisle < self.aisles and 0 <= point.position <= self.aisle_length

    def distance(self, a: PickPoint, b: PickPoint) -> float:
        """Shortest walk: along the aisle, or out by the nearer cross aisle and in again."""
        if a.aisle == b.aisle:
            return abs(a.position - b.position)
        across = abs(a.aisle - b.aisle) * self.aisle_pitch
        by_front = a.position + b.position
        by_back = 2 * self.aisle_length - by_front
        return across + min(by_front, by_back)


@dataclass(frozen=True)
class FreeLayout:
    """Points on a plane with a depot; the metric is rectilinear or straight-line.

    Use it for layouts the aisle model does not describe. Routers that need
    aisles hand such a layout to ``NearestNeighbourTwoOptRoute``, which
    (like the ``HeldKarpRoute`` test oracle) works on any metric.
    """

    depot: XYPoint = field(default_factory=lambda: XYPoint(0.0, 0.0))
    metric: Literal["manhattan", "euclidean"] = "manhattan"

    def distance(self, a: XYPoint, b: XYPoint) -> float:
        if self.metric == "euclidean":
            return math.hypot(a.x - b.x, a.y - b.y)
        return abs(a.x - b.x) + abs(a.y - b.y)


@dataclass(frozen=True)
class Route:
    """A trip from the depot through every pick and back.

    ``sequence`` holds indices into the picks the router was given, in
    visiting order; ``length`` is the metres of the walk the strategy
    prescribes; ``strategy`` names the rule that produced it (a fallback
    shows up here).
    """

    length: float
    sequence: tuple[int, ...]
    strategy: str

    def stops(self, picks: Sequence[object]) -> list[object]:
        return [picks[i] for i in self.sequence]


def picks_by_aisle(layout: AisleLayout, picks: Sequence[PickPoint]) -> dict[int, list[int]]:
    """Pick indices per aisle, sorted front to back; rejects picks outside the layout."""
    by_aisle: dict[int, list[int]] = {}
    positions = []
    for index, pick in enumerate(picks):
        if not (0 <= pick.aisle < layout.aisles and 0 <= pick.position <= layout.aisle_length):
            raise ValueError(f"pick {pick} is outside the layout")
        positions.append(pick.position)
        if pick.aisle in by_aisle:
            by_aisle[pick.aisle].append(index)
        else:
            by_aisle[pick.aisle] = [index]
    for indices in by_aisle.values():
        indices.sort(key=positions.__getitem__)
    return by_aisle


def tour_length(layout: Layout, picks: Sequence[object], sequence: Sequence[int]) -> float:
    """Metres of depot → picks in ``sequence`` → depot, by shortest paths."""
    total = 0.0
    here = layout.depot
    for index in sequence:
        total += layout.distance(here, picks[index])
        here = picks[index]
    return total + layout.distance(here, layout.depot)
