"""Route length of the exact aisle router against S-shape and largest gap, and its speed.

Run by hand: ``python -m benchmarks.routing`` (a few seconds).
Layout: 10 aisles, 30 one-metre locations per rack face, 3 m pitch, depot
at the front of aisle 0 (and, second table, of aisle 5); 1,000 instances
with 5 to 30 distinct picks each, seed 2024; then the heuristics' excess over
the optimum per pick count. Speed: up to 100 aisles and 500 picks.
"""

from __future__ import annotations

import random
import statistics

from benchmarks.instances import aisle_layout, cpu_timed, random_picks, summary_ms
from wms.strategies.routing import LargestGapRoute, OptimalAisleRoute, SShapeRoute

SEED = 2024
INSTANCES = 1000


def lengths(depot_aisle: int) -> dict[str, float]:
    """Mean per-instance ratio to S-shape and mean metres for each router."""
    rng = random.Random(SEED + depot_aisle)
    layout = aisle_layout(10, 30, depot_aisle=depot_aisle)
    routers = {
        "optimal": OptimalAisleRoute(),
        "s_shape": SShapeRoute(),
        "largest_gap": LargestGapRoute(),
    }
    metres: dict[str, list[float]] = {name: [] for name in routers}
    for _ in range(INSTANCES):
        picks = random_picks(rng, layout, rng.randint(5, 30))
        for name, router in routers.items():
            metres[name].append(router.route(layout, picks).length)
    s_shape = metres["s_shape"]
    return {
        **{f"{name} mean m": statistics.fmean(v) for name, v in metres.items()},
        **{
            f"{name} / s_shape": statistics.fmean(a / b for a, b in zip(v, s_shape, strict=True))
            for name, v in metres.items()
        },
    }


def gaps_by_pick_count(counts=(5, 10, 20, 30), instances: int = 500) -> list[str]:
    """Mean heuristic excess over the optimum per pick count, depot at aisle 0."""
    layout = aisle_layout(10, 30)
    rows = []
    for n in counts:
        rng = random.Random(SEED * 100 + n)
        excess: dict[str, list[float]] = {"s_shape": [], "largest_gap": []}
        for _ in range(instances):
            picks = random_picks(rng, layout, n)
            best = OptimalAisleRoute().route(layout, picks).length
            excess["s_shape"].append(SShapeRoute().route(layout, picks).length / best - 1)
            excess["largest_gap"].append(LargestGapRoute().route(layout, picks).length / best - 1)
        rows.append(
            f"  n={n:3d}  s_shape +{100 * statistics.fmean(excess['s_shape']):.1f}%  "
            f"largest_gap +{100 * statistics.fmean(excess['largest_gap']):.1f}%"
        )
    return rows


def speed(aisles: int, picks: int, runs: int = 500) -> str:
    rng = random.Random(SEED)
    layout = aisle_layout(aisles, 30, depot_aisle=aisles // 2)
    router = OptimalAisleRoute()
    instances = [random_picks(rng, layout, picks) for _ in range(runs)]
    times = [cpu_timed(lambda p=p: router.route(layout, p)) for p in instances]
    wall, cpu = summary_ms([w for w, _ in times]), summary_ms([c for _, c in times])
    return f"wall {wall}; CPU {cpu}"


def main() -> None:
    for depot in (0, 5):
        print(f"## Route length, 10 aisles x 30 per side, 5-30 picks, depot aisle {depot}")
        for key, value in lengths(depot).items():
            print(f"  {key:28s} {value:8.3f}")
    print("## Heuristic excess over the optimum, 10 x 30, depot aisle 0, 500 instances per n")
    print("\n".join(gaps_by_pick_count()))
    for aisles, picks in ((10, 10), (10, 30), (100, 500)):
        print(f"## OptimalAisleRoute, {aisles} aisles, {picks} picks: {speed(aisles, picks)}")


if __name__ == "__main__":
    main()
