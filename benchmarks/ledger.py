"""Ledger posting vs raw INSERTs of the same rows on PostgreSQL.

    python -m benchmarks.ledger [N]

(database ``bench_ledger``, wiped; ``WMS_BENCH_LEDGER_DB`` names another.)

Posts N single-move transactions through ``ledger.post_moves`` (lock the
quants, guard, update, append the line), then, in the same run, writes the
same N ledger rows with raw INSERTs, one transaction each, and once more
with the quant updates as bare SQL. Prints the rates, the ratio and the
single-move p50/p99. Goals: service >= 0.25x raw insert, p99 <= 10 ms.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal

import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from benchmarks.common import engine_for, fresh_database, summary
from wms.db import make_session_factory
from wms.model import Quant, StockMove, VirtualKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger, masterdata

DB = os.environ.get("WMS_BENCH_LEDGER_DB", "bench_ledger")


def setup(factory):  # type: ignore[no-untyped-def]
    with factory() as s, s.begin():
        wh = masterdata.create_warehouse(s, code="WH1", name="Bench")
        item = masterdata.create_item(s, sku="SKU-1", name="Bench item")
        a = masterdata.create_location(s, warehouse=wh, code="A-01-01-1")
        b = masterdata.create_location(s, warehouse=wh, code="B-01-01-1")
        supplier = masterdata.virtual_location(s, warehouse_id=wh.id, kind=VirtualKind.supplier)
        ledger.post_moves(
            s,
            [
                ledger.MoveRequest(
                    item_id=item.id,
                    qty=Decimal(10**6),
                    from_location_id=supplier.id,
                    to_location_id=a.id,
                    reason="receipt",
                )
            ],
        )
        return wh.id, item.id, a.id, b.id


def run_service(factory, n: int, item_id: int, a: int, b: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    latencies = []
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        src, dst = (a, b) if i % 2 == 0 else (b, a)
        t0 = time.perf_counter()
        with factory() as s, s.begin():
            ledger.post_moves(
                s,
                [
                    ledger.MoveRequest(
                        item_id=item_id,
                        qty=Decimal(1),
                        from_location_id=src,
                        to_location_id=dst,
                        reason="transfer",
                    )
                ],
            )
        latencies.append((time.perf_counter() - t0) * 1000)
    run_service.cpu_ms = (time.process_time() - cpu) * 1000 / n  # type: ignore[attr-defined]
    return n / (time.perf_counter() - started), latencies


INSERT = (
    "insert into stock_move (created_at, warehouse_id, item_id, qty, from_location_id,"
    " to_location_id, from_status, to_status, reason) values (now(), %s, %s, 1, %s, %s,"
    " 'available', 'available', 'transfer')"
)
UPDATE = "update quant set on_hand = on_hand + %s where item_id = %s and location_id = %s"


def run_raw(url: str, n: int, wh: int, item_id: int, a: int, b: int, *, quants: bool) -> float:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            src, dst = (a, b) if i % 2 == 0 else (b, a)
            with conn.transaction():
                if quants:
                    conn.execute(UPDATE, (-1, item_id, src), prepare=True)
                    conn.execute(UPDATE, (1, item_id, dst), prepare=True)
                conn.execute(INSERT, (wh, item_id, src, dst), prepare=True)
        run_raw.cpu_ms = (time.process_time() - cpu) * 1000 / n  # type: ignore[attr-defined]
        return n / (time.perf_counter() - started)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    url = fresh_database(DB)
    engine = engine_for(url)
    factory = make_session_factory(engine)
    wh, item_id, a, b = setup(factory)
    run_service(factory, 200, item_id, a, b)  # warm up caches and the pool
    service_rate, latencies = run_service(factory, n, item_id, a, b)
    with factory() as s:
        assert ledger_discrepancies(s) == [], "service run broke the ledger"
        lines = len(s.scalars(select(StockMove.id)).all())
        on_hand = sum(q.on_hand for q in s.scalars(select(Quant)))
    service_cpu = run_service.cpu_ms  # type: ignore[attr-defined]
    raw_rate = run_raw(url, n, wh, item_id, a, b, quants=False)
    raw_cpu = run_raw.cpu_ms  # type: ignore[attr-defined]
    raw_full = run_raw(url, n, wh, item_id, a, b, quants=True)
    print(f"ledger benchmark, N={n} single-move transactions, PostgreSQL")
    print(
        f"  service post_moves      {service_rate:8.0f} moves/s  ({summary(latencies)}),"
        f" client CPU {service_cpu:.2f} ms/move"
    )
    print(f"  raw INSERT of the rows  {raw_rate:8.0f} moves/s  client CPU {raw_cpu:.2f} ms/move")
    print(f"  raw INSERT + 2 UPDATEs  {raw_full:8.0f} moves/s")
    print(f"  ratio service/raw insert {service_rate / raw_rate:.2f} (goal >= 0.25)")
    print(f"  ratio service/raw insert+updates {service_rate / raw_full:.2f}")
    print(f"  check: {lines} ledger lines after the service run, on hand {on_hand}, no discrepancy")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    engine.dispose()


if __name__ == "__main__":
    main()
