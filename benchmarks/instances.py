"""Seeded instance generators and small timing helpers shared by the strategy benchmarks."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from wms.strategies.routing import AisleLayout, PickPoint


def aisle_layout(
    aisles: int,
    slots_per_side: int,
    slot_width: float = 1.0,
    pitch: float = 3.0,
    depot_aisle: int = 0,
) -> AisleLayout:
    """Parallel aisles of ``slots_per_side`` locations per rack face, depot front of an aisle."""
    return AisleLayout(aisles, slots_per_side * slot_width, pitch, depot_aisle)


def random_picks(
    rng: random.Random, layout: AisleLayout, n: int, slot_width: float = 1.0
) -> list[PickPoint]:
    """``n`` distinct locations (aisle, rack face, slot), uniformly; a slot sits at (k + 1/2) s."""
    slots = int(layout.aisle_length / slot_width)
    chosen = rng.sample(range(layout.aisles * 2 * slots), n)
    return [PickPoint(c // (2 * slots), (c % slots + 0.5) * slot_width) for c in chosen]


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """Run ``fn`` once; return its result and the wall-clock milliseconds it took."""
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def cpu_timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Run ``fn`` once; return wall-clock and this process's CPU milliseconds.

    On a shared machine the wall-clock tail includes time the process was
    not scheduled; CPU time shows what the code itself costs.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary_ms(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.3f} ms, p99 {percentile(values, 0.99):.3f} ms, "
        f"max {max(values):.3f} ms"
    )
