"""The console's putaway *Try it*: one suggestion by the warehouse's real chain, from the rows.

Run by hand: ``python -m benchmarks.putaway_preview [--database-url URL] [--locations 10000]
[--runs 30]``. The default database is a fresh SQLite file in a temporary
folder; pass a PostgreSQL URL (a database the benchmark may fill) to
measure there. The warehouse has ``--locations`` single-pallet locations in
4 storage zones, 3,000 items of which 60% of the locations hold one, and
100 items with a fixed location. Each run opens a new session and asks for
a different item, so every run loads the floor (locations, stock, open
tasks, fixed locations) and builds the index, as a console request does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from benchmarks.common import percentile
from wms.db import make_engine, make_session_factory
from wms.model import (
    Base,
    Item,
    ItemInboundProfile,
    Location,
    Quant,
    StockStatus,
    quant_key,
)
from wms.services import masterdata
from wms.services.putaway_rules import preview_putaway

ITEMS = 3000
FIXED = 100
SEED = 11


def prepare(url: str, locations: int) -> int:
    """A warehouse as described above; returns its id."""
    rng = random.Random(SEED)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with make_session_factory(engine).begin() as s:
        wh = masterdata.create_warehouse(s, code="PREVIEW", name="Preview benchmark")
        zones = [masterdata.create_zone(s, warehouse=wh, code=z) for z in "ABCD"]
        items = [
            Item(
                sku=f"P-{i:05d}",
                name=f"Item {i}",
                volume_l=Decimal(1),
                weight_kg=Decimal("0.5"),
                abc_class="ABC"[i % 3],
            )
            for i in range(ITEMS)
        ]
        s.add_all(items)
        per_zone = locations // len(zones)
        locs = [
            Location(
                warehouse_id=wh.id,
                zone_id=zone.id,
                code=f"{zone.code}-{n:05d}",
                x=Decimal(n % 100),
                y=Decimal(n // 100),
                max_containers=1,
                abc_class="ABC"[min(2, n * 3 // per_zone)],
                check_digits="00",
            )
            for zone in zones
            for n in range(per_zone)
        ]
        s.add_all(locs)
        s.flush()
        for loc in rng.sample(locs, int(len(locs) * 0.6)):
            item = rng.choice(items)
            s.add(
                Quant(
                    key=quant_key(item.id, loc.id, None, None, None, StockStatus.available),
                    warehouse_id=wh.id,
                    item_id=item.id,
                    location_id=loc.id,
                    on_hand=Decimal(rng.randint(1, 40)),
                )
            )
        for item, loc in zip(items[:FIXED], rng.sample(locs, FIXED), strict=True):
            s.add(ItemInboundProfile(item_id=item.id, fixed_location_id=loc.id))
        warehouse_id = wh.id
    engine.dispose()
    return warehouse_id


def measure(url: str, warehouse_id: int, runs: int) -> list[float]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(SEED + 1)
    samples = []
    for _ in range(runs):
        sku = f"P-{rng.randrange(ITEMS):05d}"
        with factory() as s:
            started = time.perf_counter()
            preview = preview_putaway(s, warehouse_id, sku=sku, qty=Decimal(10))
            samples.append((time.perf_counter() - started) * 1000)
            assert preview.suggestion.location is not None
            s.rollback()
    engine.dispose()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'preview.db'}"
        warehouse_id = prepare(url, args.locations)
        samples = measure(url, warehouse_id, args.runs)
    print(
        f"putaway preview, {args.locations} locations, {args.runs} runs: "
        f"p50 {percentile(samples, 50):.0f} ms, p99 {percentile(samples, 99):.0f} ms, "
        f"mean {statistics.fmean(samples):.0f} ms"
    )


if __name__ == "__main__":
    main()
