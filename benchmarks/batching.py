"""Travel of batched cart trips against one order per trip, all routed exactly.

Run by hand: ``python -m benchmarks.batching`` (about ten seconds).
10 aisles x 30 one-metre locations per rack face, 3 m pitch, depot at the
front of aisle 0; 120 orders of 1 to 4 lines on uniformly random
locations; carts of 12 lines; 5 replications (seeds 0-4).
"""

from __future__ import annotations

import random
import statistics

from benchmarks.instances import aisle_layout, random_picks, timed
from wms.strategies.batching import (
    CartCapacity,
    FirstComeBatching,
    OrderLine,
    PickOrder,
    SavingsBatching,
    SeedBatching,
)
from wms.strategies.routing import OptimalAisleRoute, SShapeRoute

ORDERS = 120
CART = CartCapacity(lines=12)


def orders(rng: random.Random, layout) -> list[PickOrder]:
    return [
        PickOrder(
            f"SO-{k}", tuple(OrderLine(p) for p in random_picks(rng, layout, rng.randint(1, 4)))
        )
        for k in range(ORDERS)
    ]


def replicate(seed: int, router) -> dict[str, float]:
    layout = aisle_layout(10, 30)
    batch = orders(random.Random(seed), layout)
    single = sum(router.route(layout, [ln.point for ln in o.lines]).length for o in batch)
    first_come = FirstComeBatching(router).plan(batch, CART, layout)
    seed_plan = SeedBatching(router).plan(batch, CART, layout)
    savings, ms = timed(lambda: SavingsBatching(router).plan(batch, CART, layout))
    return {
        "single m": single,
        "first_come m": first_come.length,
        "seed m": seed_plan.length,
        "savings m": savings.length,
        "first_come / single": first_come.length / single,
        "seed / single": seed_plan.length / single,
        "savings / single": savings.length / single,
        "savings trips": len(savings.trips),
        "savings plan ms": ms,
    }


def main() -> None:
    for router in (OptimalAisleRoute(), SShapeRoute()):
        runs = [replicate(seed, router) for seed in range(5)]
        print(f"## {ORDERS} orders of 1-4 lines, carts of 12 lines, router {router.name}")
        for key in runs[0]:
            print(f"  {key:22s} {statistics.fmean(r[key] for r in runs):10.3f}")


if __name__ == "__main__":
    main()
