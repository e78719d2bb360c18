"""The exact picker route through one block of parallel aisles (Ratliff & Rosenthal, 1983).

How the dynamic programme works, briefly. A picker tour is a connected
multigraph in which every vertex has even degree (so it can be walked as an
Euler circuit) and which touches the depot and every pick. Its vertices are
the picks plus ``a_j`` (back end) and ``b_j`` (front end) of every aisle.
The programme builds that graph left to right, two stages per aisle:

* stage A chooses the edges inside aisle ``j``: traverse it once, come in
  from the back to the frontmost pick, come in from the front to the
  backmost pick, skip the largest gap between two picks (both ends), pass
  twice, or nothing (only when the aisle has no pick);
* stage B chooses how many copies (0, 1 or 2) of the back and the front
  cross-aisle edge join aisle ``j`` to ``j + 1``.

A partial graph is only remembered by its *class*: the degree parity of
``a_j`` and ``b_j`` (odd, even, zero) and its number of components. Seven
classes are reachable; two partial graphs of the same class can be finished
by the same right-hand part, so keeping the cheapest of each class is
exact. Work is linear in the number of aisles: seven classes times six or
five options per stage. Back-pointers give the chosen edges, and
Hierholzer's algorithm walks them from the depot; the order in which the
walk first meets each pick is the pick sequence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from wms.strategies.routing.heuristics import NearestNeighbourTwoOptRoute
from wms.strategies.routing.layout import AisleLayout, Layout, PickPoint, Route, picks_by_aisle

# Classes (deg a_j, deg b_j, components): U odd, E even > 0, 0 zero.
UU1, E01, OE1, EE1, EE2, OO0, OO1 = range(7)
_NO = -1
# Stage A, options traverse, top, bottom, gap, double, none -> class after.
_AISLE = (
    (EE1, UU1, UU1, UU1, UU1, UU1),
    (UU1, E01, EE2, EE2, EE1, E01),
    (UU1, EE2, OE1, EE2, EE1, OE1),
    (UU1, EE1, EE1, EE1, EE1, EE1),
    (UU1, EE2, EE2, EE2, EE1, EE2),
    (UU1, E01, OE1, EE2, EE1, OO0),
    (_NO, _NO, _NO, _NO, _NO, OO1),
)
# Stage B, options as (back edges, front edges) -> class after.
_CROSS_OPTIONS = ((1, 1), (2, 0), (0, 2), (2, 2), (0, 0))
_CROSS = (
    (UU1, _NO, _NO, _NO, _NO),
    (_NO, E01, _NO, EE2, OO1),
    (_NO, _NO, OE1, EE2, OO1),
    (_NO, E01, OE1, EE1, OO1),
    (_NO, _NO, _NO, EE2, _NO),
    (_NO, E01, OE1, _NO, OO0),
    (_NO, _NO, _NO, _NO, OO1),
)
_FRONT_UNTOUCHED = frozenset({E01, OO0, OO1})
_FINAL = (E01, OE1, EE1)
TRAVERSE, TOP, BOTTOM, GAP, DOUBLE, NONE = range(6)


def _moves(table, allowed=lambda before, option: True):
    """Every (option, class before, class after) a table allows."""
    return tuple(
        (o, b, row[o])
        for b, row in enumerate(table)
        for o in range(len(row))
        if row[o] != _NO and allowed(b, o)
    )


_AISLE_MOVES = _moves(_AISLE)
_CROSS_MOVES = _moves(_CROSS)
# Leaving the depot aisle with its front end untouched must use the front
# cross aisle, or the depot would never be on the tour.
_CROSS_MOVES_AT_DEPOT = _moves(
    _CROSS, lambda b, o: not (b in _FRONT_UNTOUCHED and _CROSS_OPTIONS[o][1] == 0)
)


class OptimalAisleRoute:
    """Shortest tour through a single-block aisle layout (config name ``optimal_aisle``).

    For any other layout it hands over to ``fallback`` (nearest neighbour
    plus 2-opt by default), and the returned ``Route.strategy`` says so.
    """

    name: ClassVar[str] = "optimal_aisle"

    def __init__(self, fallback: object | None = None) -> None:
        self._fallback = fallback

    def route(self, layout: Layout, picks: Sequence[PickPoint]) -> Route:
        if not isinstance(layout, AisleLayout):
            return (self._fallback or NearestNeighbourTwoOptRoute()).route(layout, picks)
        if not picks:
            return Route(0.0, (), self.name)
        by_aisle = picks_by_aisle(layout, picks)
        ys = {aisle: [picks[i].position for i in idx] for aisle, idx in by_aisle.items()}
        solution = _solve(layout, ys)
        graph = _Graph(solution.lo)
        _add_edges(graph, layout, picks, by_aisle, solution)
        start = graph.front(layout.depot_aisle)
        return Route(solution.length, graph.pick_order(start), self.name)


def _aisle_costs(length: float, ys: list[float]) -> tuple[float, ...]:
    """Cost of each stage-A option for an aisle whose picks sit at sorted ``ys``."""
    inf = math.inf
    if not ys:
        return (length, inf, inf, inf, 2 * length, 0.0)
    gap = max((b - a for a, b in itertools.pairwise(ys)), default=None)
    return (
        length,
        2 * (length - ys[0]),
        2 * ys[-1],
        inf if gap is None else 2 * (length - gap),
        2 * length,
        inf,
    )


@dataclass
class _Solution:
    length: float
    lo: int
    aisle_options: list[int]  # stage-A option per aisle lo..hi
    cross_options: list[int]  # stage-B option per gap between lo..hi


def _solve(layout: AisleLayout, ys_by_aisle: dict[int, list[float]]) -> _Solution:
    """Run both stages over aisles ``lo..hi`` and walk the back-pointers home."""
    depot = layout.depot_aisle
    lo, hi = min(depot, *ys_by_aisle), max(depot, *ys_by_aisle)
    cross_costs = tuple((top + front) * layout.aisle_pitch for top, front in _CROSS_OPTIONS)
    cost = [math.inf] * 7
    cost[OO0] = 0.0
    pointers: list[list[tuple[int, int]]] = []
    for aisle in range(lo, hi + 1):
        costs = _aisle_costs(layout.aisle_length, ys_by_aisle.get(aisle, []))
        cost, back = _stage(cost, costs, _AISLE_MOVES)
        pointers.append(back)
        if aisle < hi:
            moves = _CROSS_MOVES_AT_DEPOT if aisle == depot else _CROSS_MOVES
            cost, back = _stage(cost, cross_costs, moves)
            pointers.append(back)
    finals = [c for c in _FINAL if not (hi == depot and c in _FRONT_UNTOUCHED)]
    best = min(finals, key=lambda c: cost[c])
    state, options = best, []
    for back in reversed(pointers):
        state, option = back[state]
        options.append(option)
    options.reverse()
    return _Solution(cost[best], lo, options[0::2], options[1::2])


def _stage(cost: list[float], option_costs, moves) -> tuple[list[float], list[tuple[int, int]]]:
    """One DP stage: the cheapest way into each class, and where it came from."""
    new = [math.inf] * 7
    back: list[tuple[int, int]] = [(_NO, _NO)] * 7
    for option, before, after in moves:
        value = cost[before] + option_costs[option]
        if value < new[after]:  # an unreachable class or option stays at infinity
            new[after] = value
            back[after] = (before, option)
    return new, back


def _add_edges(graph, layout, picks, by_aisle, solution: _Solution) -> None:
    """Turn the chosen options back into edges; an aisle's picks ride on its edges.

    A pass through an aisle is one edge between its ends carrying the picks
    front to back; a visit from one end only is a loop at that end carrying
    the picks in the order that visit meets them.
    """
    for offset, option in enumerate(solution.aisle_options):
        aisle = solution.lo + offset
        front, back, inside = graph.front(aisle), graph.back(aisle), by_aisle.get(aisle, [])
        if option in (TRAVERSE, DOUBLE):
            graph.add(front, back, inside)
            if option == DOUBLE:
                graph.add(front, back, [])
        elif option == TOP:
            graph.add(back, back, inside[::-1])
        elif option == BOTTOM:
            graph.add(front, front, inside)
        elif option == GAP:
            ys = [picks[i].position for i in inside]
            split = max(range(1, len(ys)), key=lambda k: ys[k] - ys[k - 1])
            graph.add(front, front, inside[:split])
            graph.add(back, back, inside[split:][::-1])
    for offset, option in enumerate(solution.cross_options):
        aisle = solution.lo + offset
        top, bottom = _CROSS_OPTIONS[option]
        for _ in range(top):
            graph.add(graph.back(aisle), graph.back(aisle + 1), [])
        for _ in range(bottom):
            graph.add(graph.front(aisle), graph.front(aisle + 1), [])


class _Graph:
    """Multigraph over aisle ends whose edges carry picks; walks an Euler circuit.

    Vertex ``2k`` is the back end and ``2k + 1`` the front end of aisle
    ``lo + k``. An edge from a front end to a back end carries its picks
    front to back and gives them in reverse when walked the other way; a
    loop carries them in the order its visit meets them.
    """

    def __init__(self, lo: int) -> None:
        self._lo = lo
        self._adjacent: dict[int, list[tuple[int, int]]] = {}
        self._picks: list[list[int]] = []
        self._loop: list[bool] = []

    def back(self, aisle: int) -> int:
        return 2 * (aisle - self._lo)

    def front(self, aisle: int) -> int:
        return 2 * (aisle - self._lo) + 1

    def add(self, u: int, v: int, picks: list[int]) -> None:
        edge = len(self._picks)
        self._picks.append(picks)
        self._loop.append(u == v)
        self._adjacent.setdefault(u, []).append((v, edge))
        if u != v:
            self._adjacent.setdefault(v, []).append((u, edge))

    def pick_order(self, start: int) -> tuple[int, ...]:
        """Hierholzer's walk from ``start``; picks in order of first visit."""
        used = [False] * len(self._picks)
        stack: list[tuple[int, int]] = [(start, _NO)]
        circuit: list[tuple[int, int]] = []
        while stack:
            neighbours = self._adjacent.get(stack[-1][0], [])
            while neighbours and used[neighbours[-1][1]]:
                neighbours.pop()
            if neighbours:
                there, edge = neighbours.pop()
                used[edge] = True
                stack.append((there, edge))
            else:
                circuit.append(stack.pop())
        seen: set[int] = set()
        order: list[int] = []
        for vertex, edge in reversed(circuit):
            if edge == _NO:
                continue
            carried = self._picks[edge]
            towards_back = vertex % 2 == 0 or self._loop[edge]
            for pick in carried if towards_back else reversed(carried):
                if pick not in seen:
                    seen.add(pick)
                    order.append(pick)
        return tuple(order)
