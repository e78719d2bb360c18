"""Route heuristics: S-shape, largest gap (aisle layouts), nearest neighbour + 2-opt (any).

Each returns the walk its rule prescribes; ``Route.length`` is the length of
that walk (what a picker following the rule would travel), never less than
the optimum. Definitions follow the ERIM Material Handling Forum routing
pages: both aisle heuristics add ``2 * pitch * span`` of cross-aisle travel,
where the span covers the depot and every aisle with a pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from wms.strategies.routing.layout import AisleLayout, Layout, PickPoint, Route, picks_by_aisle


def _span_metres(layout: AisleLayout, aisles: Sequence[int]) -> float:
    lo = min(layout.depot_aisle, aisles[0])
    hi = max(layout.depot_aisle, aisles[-1])
    return 2 * layout.aisle_pitch * (hi - lo)


class SShapeRoute:
    """Traverse every aisle that has a pick, serpentine from left to right (``s_shape``).

    With an odd number of pick aisles the last one is entered from the front
    and left the same way. Good when most aisles have picks; wasteful on
    short pick lists. Non-aisle layouts go to the fallback router.
    """

    name: ClassVar[str] = "s_shape"

    def __init__(self, fallback: object | None = None) -> None:
        self._fallback = fallback

    def route(self, layout: Layout, picks: Sequence[PickPoint]) -> Route:
        if not isinstance(layout, AisleLayout):
            return (self._fallback or NearestNeighbourTwoOptRoute()).route(layout, picks)
        if not picks:
            return Route(0.0, (), self.name)
        by_aisle = picks_by_aisle(layout, picks)
        aisles = sorted(by_aisle)
        length = _span_metres(layout, aisles)
        sequence: list[int] = []
        for turn, aisle in enumerate(aisles):
            indices = by_aisle[aisle]
            returning = turn == len(aisles) - 1 and len(aisles) % 2 == 1
            if returning:
                length += 2 * picks[indices[-1]].position
            else:
                length += layout.aisle_length
            sequence.extend(indices if turn % 2 == 0 else reversed(indices))
        return Route(length, tuple(sequence), self.name)


class LargestGapRoute:
    """Traverse the first and last pick aisle; reach the rest from both ends (``largest_gap``).

    In a middle aisle the picker comes in from the front up to the largest
    gap between two stops (front and back cross aisles count as stops) and
    from the back down to it, never crossing the gap. The back parts are
    picked going right along the back; the front parts on whichever front
    leg (out from the depot, or home to it) passes their aisle. Good for
    short pick lists.
    """

    name: ClassVar[str] = "largest_gap"

    def __init__(self, fallback: object | None = None) -> None:
        self._fallback = fallback

    def route(self, layout: Layout, picks: Sequence[PickPoint]) -> Route:
        if not isinstance(layout, AisleLayout):
            return (self._fallback or NearestNeighbourTwoOptRoute()).route(layout, picks)
        if not picks:
            return Route(0.0, (), self.name)
        by_aisle = picks_by_aisle(layout, picks)
        aisles = sorted(by_aisle)
        length = _span_metres(layout, aisles)
        if len(aisles) == 1:
            indices = by_aisle[aisles[0]]
            return Route(length + 2 * picks[indices[-1]].position, tuple(indices), self.name)
        first, *middle, last = aisles
        outbound, going_back, coming_home = [], list(by_aisle[first]), []
        length += 2 * layout.aisle_length
        for aisle in middle:
            indices = by_aisle[aisle]
            split, gap = _largest_gap(layout.aisle_length, [picks[i].position for i in indices])
            length += 2 * (layout.aisle_length - gap)
            going_back.extend(reversed(indices[split:]))
            # Front parts are picked on the front-aisle leg that passes them.
            (outbound if aisle <= layout.depot_aisle else coming_home).append(indices[:split])
        going_back.extend(reversed(by_aisle[last]))
        sequence = [i for part in reversed(outbound) for i in part]
        sequence += going_back + [i for part in reversed(coming_home) for i in part]
        return Route(length, tuple(sequence), self.name)


def _largest_gap(length: float, ys: list[float]) -> tuple[int, float]:
    """Where to split sorted ``ys``: picks before the index come from the front."""
    stops = [0.0, *ys, length]
    widths = [stops[k + 1] - stops[k] for k in range(len(stops) - 1)]
    split = max(range(len(widths)), key=widths.__getitem__)
    return split, widths[split]


class NearestNeighbourTwoOptRoute:
    """Nearest neighbour tour improved by 2-opt on any metric (``nearest_neighbour_2opt``).

    The fallback for layouts the exact aisle programme does not cover
    (several blocks, free-standing points). It asks the layout for every
    pairwise distance once, so cost grows with the square of the picks for
    the matrix and per 2-opt pass; fine for a trip of up to a few hundred
    picks.
    """

    name: ClassVar[str] = "nearest_neighbour_2opt"

    def __init__(self, max_passes: int = 50) -> None:
        self.max_passes = max_passes

    def route(self, layout: Layout, picks: Sequence[object]) -> Route:
        if not picks:
            return Route(0.0, (), self.name)
        points = [layout.depot, *picks]
        dist = [[layout.distance(a, b) for b in points] for a in points]
        tour = _nearest_neighbour(dist)
        for _ in range(self.max_passes):
            if not _two_opt_pass(dist, tour):
                break
        length = sum(dist[tour[k]][tour[k + 1]] for k in range(len(tour) - 1))
        return Route(length, tuple(i - 1 for i in tour[1:-1]), self.name)


def _nearest_neighbour(dist: list[list[float]]) -> list[int]:
    """Closed tour 0 → ... → 0 always stepping to the nearest unvisited point."""
    unvisited = set(range(1, len(dist)))
    tour = [0]
    while unvisited:
        here = dist[tour[-1]]
        step = min(unvisited, key=lambda j: (here[j], j))
        unvisited.remove(step)
        tour.append(step)
    tour.append(0)
    return tour


def _two_opt_pass(dist: list[list[float]], tour: list[int]) -> bool:
    """Reverse every segment whose reversal shortens the tour; say if any did."""
    improved = False
    last = len(tour) - 1
    for i in range(1, last - 1):
        for j in range(i + 1, last):
            a, b, c, d = tour[i - 1], tour[i], tour[j], tour[j + 1]
            if dist[a][c] + dist[b][d] < dist[a][b] + dist[c][d] - 1e-9:
                tour[i : j + 1] = reversed(tour[i : j + 1])
                improved = True
    return improved
