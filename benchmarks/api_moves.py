"""POST /api/v1/stock-moves under the production server, 16 concurrent clients, PostgreSQL.

    python -m benchmarks.api_moves [seconds per scenario]

Starts ``gunicorn -k gevent -w 1 wms.wsgi:app`` on 127.0.0.1 against a fresh
database (bench_api), then runs two scenarios with 16 keep-alive clients,
each request with its own Idempotency-Key:

(a) every client moves one unit back and forth between its own two locations;
(b) every client moves one unit from ONE shared source quant to its own
    location until the source runs out (409 "insufficient_stock" after that).

Prints req/s, p50/p99 and a conservation check: total on hand unchanged,
every accepted move in the ledger and no other, the ledger equal to the
quants (no lost update), no 5xx. Goals: (a) >= 500 req/s, p99 <= 50 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from benchmarks.common import engine_for, fresh_database, percentile, summary
from wms.db import make_session_factory
from wms.model import Location, Quant, StockMove, VirtualKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger, masterdata
from wms.services.access import SCOPES, create_api_key

DB = "bench_api"
CLIENTS = 16
PORT = int(os.environ.get("WMS_BENCH_PORT", "18431"))
SHARED_STOCK = 3000


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def setup(url: str) -> tuple[str, int]:
    """A warehouse, per-client locations with stock, one shared source; returns (key, client id)."""
    factory = make_session_factory(engine_for(url))
    with factory() as s, s.begin():
        wh = masterdata.create_warehouse(s, code="WH1", name="Bench")
        item = masterdata.create_item(s, sku="SKU-1", name="Bench item")
        supplier = masterdata.virtual_location(s, warehouse_id=wh.id, kind=VirtualKind.supplier)
        codes = ["SHARED"] + [f"{side}-{i:02}" for i in range(CLIENTS) for side in "AB"]
        locations = {c: masterdata.create_location(s, warehouse=wh, code=c) for c in codes}
        stock = {"SHARED": SHARED_STOCK} | {f"A-{i:02}": 10**6 for i in range(CLIENTS)}
        ledger.post_moves(
            s,
            [
                ledger.MoveRequest(
                    item_id=item.id,
                    qty=Decimal(q),
                    from_location_id=supplier.id,
                    to_location_id=locations[c].id,
                    reason="receipt",
                )
                for c, q in stock.items()
            ],
        )
        client, key = create_api_key(s, name="bench", scopes=SCOPES)
        return key, client.id


def start_server(url: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        WMS_DATABASE_URL=url,
        WMS_LOG_LEVEL="WARNING",
        WMS_SOCKETIO__ASYNC_MODE="gevent",
        WMS_API__START_WEBHOOK_WORKER="true",
        WMS_DEVICES__START_WORKERS="false",
        WMS_SECRET_KEY="bench",
    )
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-k",
        "gevent",
        "-w",
        "1",
        "--worker-connections",
        "1000",
        "-b",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "wms.wsgi:app",
    ]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def client_loop(key: str, source: str, target: str, until: float, tally: Tally, swap: bool) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    src, dst = source, target
    while time.monotonic() < until:
        body = json.dumps(
            {
                "sku": "SKU-1",
                "qty": "1",
                "from_location": src,
                "to_location": dst,
                "warehouse": "WH1",
                "reason": "transfer",
            }
        )
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/stock-moves", body, headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        with tally.lock:
            tally.latencies.append(elapsed)
            tally.statuses[response.status] += 1
        if swap and response.status == 201:
            src, dst = dst, src
    conn.close()


def scenario(
    name: str, key: str, seconds: float, pairs: list[tuple[str, str]], swap: bool
) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(key, s, t, until, tally, swap)) for s, t in pairs
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    total = sum(tally.statuses.values())
    print(
        f"({name}) {total / wall:7.0f} req/s over {wall:.1f} s, {summary(tally.latencies)},"
        f" statuses {dict(tally.statuses)}"
    )
    return tally


def conserved(url: str, client_id: int, accepted: int, shared_taken: int | None) -> None:
    factory = make_session_factory(engine_for(url))
    with factory() as s:
        total = s.scalar(select(func.sum(Quant.on_hand)))
        by_api = s.scalar(select(func.count()).where(StockMove.api_client_id == client_id))
        problems = ledger_discrepancies(s)
        shared = s.scalar(
            select(Quant.on_hand).join(Quant.location).where(Location.code == "SHARED")
        )
    expected_total = SHARED_STOCK + CLIENTS * 10**6
    print(
        f"    conservation: total on hand {total} (expected {expected_total}), "
        f"API moves in ledger {by_api} (accepted {accepted}), ledger discrepancies "
        f"{len(problems)}, shared source left {shared}"
    )
    assert total == expected_total, "stock was created or lost"
    assert by_api == accepted, "an accepted move is missing or an extra one was written"
    assert problems == [], problems[:3]
    if shared_taken is not None:
        assert shared == SHARED_STOCK - shared_taken and shared >= 0, "lost update on SHARED"


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15.0
    url = fresh_database(DB)
    key, client_id = setup(url)
    proc = start_server(url)
    try:
        scenario("warm-up", key, 2, [(f"A-{i:02}", f"B-{i:02}") for i in range(CLIENTS)], True)
        before = 0
        with make_session_factory(engine_for(url))() as s:
            before = s.scalar(select(func.count()).where(StockMove.api_client_id == client_id))
        a = scenario(
            "a: own quants",
            key,
            seconds,
            [(f"A-{i:02}", f"B-{i:02}") for i in range(CLIENTS)],
            True,
        )
        b = scenario(
            "b: one quant", key, seconds, [("SHARED", f"B-{i:02}") for i in range(CLIENTS)], False
        )
        accepted = before + a.statuses[201] + b.statuses[201]
        conserved(url, client_id, accepted, b.statuses[201])
        server_errors = sum(n for status, n in (a.statuses + b.statuses).items() if status >= 500)
        print(
            f"    5xx: {server_errors}; (a) p99 {percentile(a.latencies, 99):.1f} ms; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        assert server_errors == 0
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
