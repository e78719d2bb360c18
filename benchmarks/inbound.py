"""Receiving a 500-line ASN by the bulk API: one POST /api/v1/purchase-orders, end to end.

Run by hand: ``python -m benchmarks.inbound [--database-url URL] [--lines 500] [--runs 5]``.
The default database is a fresh SQLite file in a temporary folder; pass a
PostgreSQL URL (a database the benchmark may fill) to measure there. Each
run pushes a new order with ``--lines`` lines of distinct items (a third
in cases), through the whole HTTP stack (auth, Idempotency-Key, schema
validation, upsert, audit). Goal: ≤ 2 s per 500-line ASN.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from wms.app import create_app
from wms.db import make_engine, make_session_factory
from wms.model import Base, Partner, PartnerKind
from wms.services import masterdata
from wms.services.access import create_api_key
from wms.settings import DeviceSettings, Settings

GOAL_S = 2.0


def prepare(url: str, lines: int) -> str:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with make_session_factory(engine).begin() as s:
        masterdata.create_warehouse(s, code="BENCH", name="Benchmark")
        s.add(Partner(code="BENCH-SUP", name="Supplier", kind=PartnerKind.supplier))
        for i in range(lines):
            masterdata.create_item(s, sku=f"B-{i:05d}", name=f"Item {i}",
                                   units={"case": Decimal(12)})
        _, key = create_api_key(s, name="bench-erp", scopes=["orders:write", "orders:read"])
    engine.dispose()
    return key


def order(run: int, lines: int) -> dict:
    return {
        "external_id": f"ASN-{run:04d}", "supplier": "BENCH-SUP", "warehouse": "BENCH",
        "expected_at": "2025-06-02T08:00:00+08:00",
        "lines": [{"line_no": i + 1, "sku": f"B-{i:05d}", "qty": str(i % 7 + 1),
                   "uom": "case" if i % 3 == 0 else "each", "lot": f"L{i % 50}"}
                  for i in range(lines)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        key = prepare(url, args.lines)
        settings = Settings(database_url=url, secret_key="bench", log_level="WARNING",
                            devices=DeviceSettings(spool_dir=tmp, start_workers=False))
        client = create_app(settings).test_client()
        times = []
        for run in range(args.runs):
            body = order(run, args.lines)
            started = time.perf_counter()
            response = client.post("/api/v1/purchase-orders", json={"items": [body]},
                                   headers={"Authorization": f"Bearer {key}",
                                            "Idempotency-Key": f"bench-{run}"})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_data(as_text=True)
        print(f"{args.lines}-line ASN by bulk API on {url.split(':')[0]}: "
              f"median {statistics.median(times):.3f} s, max {max(times):.3f} s "
              f"over {args.runs} runs (goal ≤ {GOAL_S} s: "
              f"{'met' if max(times) <= GOAL_S else 'NOT met'})")


if __name__ == "__main__":
    main()
