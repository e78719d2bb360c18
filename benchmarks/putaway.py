"""Putaway suggestion time: the indexed rule chain against a full scan, same warehouse, same run.

Run by hand: ``python -m benchmarks.putaway`` (under a minute; the scan is
the slow part). 10,000 locations: 4 zones x 25 aisles x 100 locations,
70% single-pallet locations and 30% shelves taking 4 containers of one
item; 60% already hold stock of 3,000 items; 100 items have a fixed
location. 1,000 pallets (half of items already in stock) are put away one
after the other, each recorded as incoming before the next (seed 7).
Both searches must choose the same locations.
"""

from __future__ import annotations

import random
import statistics
from decimal import Decimal

from benchmarks.instances import percentile, summary_ms, timed
from wms.strategies.putaway import (
    AddToExistingStock,
    ByAbcClass,
    Capacity,
    FixedLocation,
    Load,
    NearestEmptyLocation,
    PutawayChain,
    PutawayIndex,
    PutawayLocation,
    PutawayUnit,
)
from wms.strategies.putaway.reference import naive_suggest

SEED = 7
ZONES = "ABCD"
PALLET = Capacity(Decimal(1500), 1_000_000, 1, 1)
SHELF = Capacity(Decimal(3000), 1_500_000, 4, 1)


def warehouse(rng: random.Random):
    """Locations, initial stock, fixed locations and the item → zone map."""
    locations = []
    for z, zone in enumerate(ZONES):
        for aisle in range(25):
            for slot in range(100):
                shelf = rng.random() < 0.3
                distance = z * 100 + aisle * 3 + slot * 0.5
                abc = "A" if distance < 100 else "B" if distance < 250 else "C"
                locations.append(
                    PutawayLocation(
                        f"{zone}-{aisle:02d}-{slot:03d}",
                        zone,
                        "shelf" if shelf else "pallet",
                        distance,
                        abc,
                        SHELF if shelf else PALLET,
                    )
                )
    items = {f"SKU-{k:05d}": rng.choice(ZONES) for k in range(3000)}
    in_zone = {zone: [loc for loc in locations if loc.zone == zone] for zone in ZONES}
    free = {zone: rng.sample(in_zone[zone], len(in_zone[zone])) for zone in ZONES}
    stock = []
    for item, zone in items.items():
        for _ in range(2):
            if free[zone]:
                stock.append((free[zone].pop().code, Load(item, None, Decimal(600), 300_000, 1)))
    fixed = {
        item: [rng.choice([c for c in in_zone[items[item]] if c.type == "shelf"]).code]
        for item in list(items)[:100]
    }
    return locations, stock, fixed, items


def units(rng: random.Random, items: dict[str, str], count: int = 1000) -> list[PutawayUnit]:
    known = list(items)
    result = []
    for k in range(count):
        item = rng.choice(known) if k % 2 else f"NEW-{k:05d}"
        zone = items.get(item, rng.choice(ZONES))
        result.append(
            PutawayUnit(item, Decimal(48), None, Decimal(700), 350_000, 1, zone, rng.choice("ABC"))
        )
    return result


def run_indexed(chain, locations, stock, fixed, pallets):
    index, build_ms = timed(lambda: PutawayIndex(locations, stock, fixed_locations=fixed))
    times, chosen = [], []
    for unit in pallets:
        suggestion, ms = timed(lambda u=unit: chain.suggest(u, index))
        if suggestion.location is not None:
            index.add_incoming(suggestion.location, unit)
        times.append(ms)
        chosen.append(suggestion)
    return build_ms, times, chosen


def run_naive(locations, stock, fixed, pallets):
    index = PutawayIndex(locations, stock, fixed_locations=fixed)
    times, chosen = [], []
    for unit in pallets:
        code, ms = timed(lambda u=unit: naive_suggest(u, index))
        if code is not None:
            index.add_incoming(code, unit)
        times.append(ms)
        chosen.append(code)
    return times, chosen


def main() -> None:
    rng = random.Random(SEED)
    locations, stock, fixed, items = warehouse(rng)
    pallets = units(rng, items)
    standard = PutawayChain([FixedLocation(), AddToExistingStock(), NearestEmptyLocation()])
    build_ms, fast, chosen = run_indexed(standard, locations, stock, fixed, pallets)
    slow, expected = run_naive(locations, stock, fixed, pallets)
    assert [s.location for s in chosen] == expected, "index and scan disagree"
    reasons = _reasons(chosen)
    abc = PutawayChain(
        [FixedLocation(), AddToExistingStock(), ByAbcClass(), NearestEmptyLocation()]
    )
    _, abc_times, abc_chosen = run_indexed(abc, locations, stock, fixed, pallets)
    print(f"## Putaway, {len(locations)} locations, {len(pallets)} pallets")
    print(f"  index build              {build_ms:.1f} ms (once)")
    print(f"  indexed chain            mean {statistics.fmean(fast):.3f} ms, {summary_ms(fast)}")
    print(
        f"  chain with ABC rule      mean {statistics.fmean(abc_times):.3f} ms, "
        f"{summary_ms(abc_times)}"
    )
    print(f"  naive full scan          mean {statistics.fmean(slow):.3f} ms, {summary_ms(slow)}")
    print(f"  speed-up (mean)          {statistics.fmean(slow) / statistics.fmean(fast):.0f}x")
    print(f"  speed-up (p99)           {percentile(slow, 0.99) / percentile(fast, 0.99):.0f}x")
    print(f"  same choices             {len(expected)} of {len(expected)}; reasons {reasons}")
    print(f"  ABC chain reasons        {_reasons(abc_chosen)}")


def _reasons(suggestions) -> dict[str, int]:
    return {
        r: sum(s.reason == r for s in suggestions) for r in sorted({s.reason for s in suggestions})
    }


if __name__ == "__main__":
    main()
