"""An exact solver for any layout's metric by Held-Karp: the oracle for small instances.

Exponential (``2^n * n^2``), so it refuses more than ``max_picks`` picks.
It exists to check the aisle programme and the heuristics in tests; it is
not meant for the floor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

from wms.strategies.routing.layout import Layout, Route


class HeldKarpRoute:
    """Shortest closed tour depot → every pick → depot by subset DP (``held_karp``)."""

    name: ClassVar[str] = "held_karp"

    def __init__(self, max_picks: int = 12) -> None:
        self.max_picks = max_picks

    def route(self, layout: Layout, picks: Sequence[object]) -> Route:
        n = len(picks)
        if n > self.max_picks:
            raise ValueError(f"{n} picks is too many for the exact solver (max {self.max_picks})")
        if n == 0:
            return Route(0.0, (), self.name)
        from_depot = [layout.distance(layout.depot, p) for p in picks]
        dist = [[layout.distance(a, b) for b in picks] for a in picks]
        best, parent = _held_karp(from_depot, dist)
        full = (1 << n) - 1
        last = min(range(n), key=lambda j: best[full][j] + from_depot[j])
        length = best[full][last] + from_depot[last]
        order, mask = [], full
        while last != -1:
            order.append(last)
            mask, last = mask & ~(1 << last), parent[mask][last]
        return Route(length, tuple(reversed(order)), self.name)


def _held_karp(from_depot: list[float], dist: list[list[float]]):
    """``best[mask][j]``: shortest path from the depot through ``mask`` ending at ``j``."""
    n = len(from_depot)
    best = [[math.inf] * n for _ in range(1 << n)]
    parent = [[-1] * n for _ in range(1 << n)]
    for j in range(n):
        best[1 << j][j] = from_depot[j]
    for mask in range(1, 1 << n):
        row = best[mask]
        for j in range(n):
            here = row[j]
            if here == math.inf:
                continue
            for k in range(n):
                if mask & (1 << k):
                    continue
                candidate = here + dist[j][k]
                target = mask | (1 << k)
                if candidate < best[target][k]:
                    best[target][k] = candidate
                    parent[target][k] = j
    return best, parent
