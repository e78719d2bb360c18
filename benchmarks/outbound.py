"""Outbound on PostgreSQL: allocate + batch + route a 10,000-line wave; release a 2,000-line wave.

Run by hand: ``python -m benchmarks.outbound [database URL]`` (default: the
local ``bench_outbound`` database, wiped). 2,000 SKUs, one location each in
20 aisles x 100 positions, 2,500 orders x 4 lines = 10,000 lines, carts of
12 totes. Setup is not timed; the timed parts are one transaction each.
"""

from __future__ import annotations

import os
import random
import sys
import time
from decimal import Decimal

from sqlalchemy import event, select, text

import wms.model  # noqa: F401
from wms.db import make_engine, make_session_factory
from wms.model import Base, Item, Location, Partner, PartnerKind, SalesOrder, VirtualKind
from wms.services import allocation, ledger, masterdata, orders, waves

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_outbound"
SKUS, ORDERS, LINES = 2000, 2500, 4


def setup(factory) -> None:
    with factory() as s, s.begin():
        wh = masterdata.create_warehouse(s, code="WH1", name="Bench")
        wh.settings = {"cart": {"totes": 12}}
        zone = masterdata.create_zone(s, warehouse=wh, code="A")
        s.add(Partner(code="C1", name="Customer", kind=PartnerKind.customer, settings={}))
        s.add(Location(warehouse_id=wh.id, code="STAGE", type="staging", pickable=False))
        items = [Item(sku=f"SKU-{k:05d}", name=f"Item {k}") for k in range(SKUS)]
        locs = [
            Location(
                warehouse_id=wh.id,
                zone_id=zone.id,
                code=f"A-{k // 100:02d}-{k % 100:03d}",
                aisle_index=k // 100,
                y=Decimal(k % 100),
                side=0,
            )
            for k in range(SKUS)
        ]
        s.add_all(items + locs)
        s.flush()
        supplier = masterdata.virtual_location(s, warehouse_id=wh.id, kind=VirtualKind.supplier)
        ledger.post_moves(
            s,
            [
                ledger.MoveRequest(
                    item_id=i.id,
                    qty=Decimal(1000),
                    from_location_id=supplier.id,
                    to_location_id=loc.id,
                    reason="receipt",
                )
                for i, loc in zip(items, locs, strict=True)
            ],
        )
    rng = random.Random(0)
    for start in range(0, ORDERS, 500):
        with factory() as s, s.begin():
            orders.upsert_orders(
                s,
                [
                    orders.OrderInput(
                        external_id=f"SO-{n:05d}",
                        customer="C1",
                        warehouse="WH1",
                        lines=[
                            orders.LineInput(
                                j + 1, f"SKU-{rng.randrange(SKUS):05d}", Decimal(rng.randint(1, 3))
                            )
                            for j in range(LINES)
                        ],
                    )
                    for n in range(start, start + 500)
                ],
            )


def counting(engine) -> list[int]:
    seen = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*args: object) -> None:
        seen[0] += 1

    return seen


def run(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    setup(factory)
    queries = counting(engine)
    with factory() as s:
        ids = list(s.scalars(select(SalesOrder.id).order_by(SalesOrder.id)))
        wh_id = s.scalar(select(SalesOrder.warehouse_id).limit(1))
    queries[0] = 0
    with timed() as big, factory() as s, s.begin():
        allocation.allocate_orders(s, ids)
        wave = waves.release_wave(s, warehouse_id=wh_id)
        trips = len(wave.trips) if wave else 0
    print(
        f"10,000 lines: allocation + batching + routing + tasks {big}, {queries[0]} queries,"
        f" {trips} trips"
    )
    with factory() as s, s.begin():  # a second wave: put everything back and release 500 orders
        s.execute(text("update sales_order set status='allocated', wave_id=null"))
        s.execute(text("update allocation set task_id=null"))
    queries[0] = 0
    with timed() as small, factory() as s, s.begin():
        wave = waves.release_wave(
            s, warehouse_id=wh_id, criteria=waves.WaveCriteria(max_orders=500)
        )
    print(f"2,000-line wave release (batch, route, tasks): {small}, {queries[0]} queries")


class timed:
    """Wall and this process's CPU time (the database server's CPU is not in it), and load."""

    def __enter__(self) -> timed:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.load = os.getloadavg()[0]

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s, load {self.load:.1f})"


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else URL)
