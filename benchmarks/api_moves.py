"""POST /api/v1/stock-moves under the production server, 16 concurrent clients, PostgreSQL.

    python -m benchmarks.api_moves [seconds per scenario] [--driver wrk|python]

Starts ``gunicorn -k gevent -w 1 wms.wsgi:app`` on 127.0.0.1 against a fresh
database (bench_api), then runs two scenarios with 16 keep-alive clients,
each request with its own Idempotency-Key:

(a) every client moves one unit back and forth between its own two locations;
(b) every client moves one unit from ONE shared source quant to its own
    location until the source runs out (409 "insufficient_stock" after that).

The clients are ``wrk`` (16 threads, one connection each, a Lua script that
gives every request its own key; the default when wrk is installed) or, with
``--driver python``, 16 threads of ``http.client`` in this process. The
Python clients cost about as much CPU per request as the server on the same
cores, so they understate what the server can do.

Prints req/s, p50/p99, the CPU spent per request by the server worker, by
its PostgreSQL backends and by the clients, how busy the machine was, and a
conservation check read from the database afterwards: total on hand
unchanged, every accepted move in the ledger and no other, the ledger equal
to the quants (no lost update), the shared source equal to its start minus
the moves out of it, no 5xx. Goals: (a) >= 500 req/s, p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from benchmarks.common import engine_for, fresh_database, percentile
from wms.db import make_session_factory
from wms.model import IdempotencyRecord, Location, Quant, StockMove, VirtualKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger, masterdata
from wms.services.access import SCOPES, create_api_key

DB = "bench_api"
CLIENTS = 16
PORT = int(os.environ.get("WMS_BENCH_PORT", "18431"))
SHARED_STOCK = 3000
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    wall: float = 0.0
    #: wrk's own percentiles (ms); the Python driver keeps every sample instead.
    p50: float | None = None
    p99: float | None = None
    #: Requests that may still have been in flight when the driver stopped (wrk).
    in_flight: int = 0

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def pct(self, p: float) -> float:
        given = {50: self.p50, 99: self.p99}.get(int(p))
        return given if given is not None else percentile(self.latencies, p)


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


def start_server(url: str, workers: int = 1) -> subprocess.Popen:
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
        str(workers),
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


# -- CPU accounting -------------------------------------------------------------------
def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _worker_pids(master: int, workers: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    deadline = time.monotonic() + 10
    while True:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) == workers or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if len(children) != workers:
        raise SystemExit(f"expected {workers} gunicorn worker(s), found {children}")
    return [int(c) for c in children]


def _machine() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """Server worker, its PostgreSQL backends, this process and wrk, and the whole machine."""

    def __init__(self, engine: Engine, workers: list[int]) -> None:
        self.engine = engine
        self.workers = workers

    def _backends(self) -> list[int]:
        with self.engine.connect() as conn:
            return list(
                conn.scalars(
                    text(
                        "select pid from pg_stat_activity"
                        " where datname = current_database() and pid <> pg_backend_pid()"
                    )
                )
            )

    def snapshot(self) -> dict:
        backends = self._backends()
        return {
            "worker": sum(_proc_cpu(pid) for pid in self.workers),
            "backends": {pid: _proc_cpu(pid) for pid in backends},
            "client": time.process_time(),
            "children": os.times().children_user + os.times().children_system,
            "machine": _machine(),
        }

    def report(self, before: dict, requests: int) -> str:
        after = self.snapshot()
        n = max(requests, 1)
        worker = after["worker"] - before["worker"]
        backends = sum(
            cpu - before["backends"].get(pid, 0.0) for pid, cpu in after["backends"].items()
        )
        client = (after["client"] - before["client"]) + (after["children"] - before["children"])
        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        cores = os.cpu_count() or 1
        return (
            f"    CPU per request: server worker {worker / n * 1000:.2f} ms,"
            f" PostgreSQL backends {backends / n * 1000:.2f} ms,"
            f" clients {client / n * 1000:.2f} ms;"
            f" machine {busy / max(total, 1) * cores:.2f} of {cores} cores busy"
        )


# -- drivers --------------------------------------------------------------------------
def _body(src: str, dst: str) -> str:
    return json.dumps(
        {
            "sku": "SKU-1",
            "qty": "1",
            "from_location": src,
            "to_location": dst,
            "warehouse": "WH1",
            "reason": "transfer",
        }
    )


def client_loop(key: str, source: str, target: str, until: float, tally: Tally, swap: bool) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    src, dst = source, target
    while time.monotonic() < until:
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/stock-moves", _body(src, dst), headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        with tally.lock:
            tally.latencies.append(elapsed)
            tally.statuses[response.status] += 1
        if swap and response.status == 201:
            src, dst = dst, src
    conn.close()


def python_driver(key: str, seconds: float, pairs: list[tuple[str, str]], swap: bool) -> Tally:
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
    tally.wall = time.perf_counter() - started
    return tally


#: One wrk thread per client, one connection each: a thread owns its pair of locations,
#: swaps them after a 201 like the Python client, and numbers its keys itself.
WRK_SCRIPT = """
local pairs_ = {%(pairs)s}
local key, run, swap = "%(key)s", "%(run)s", %(swap)s
local counter, threads = 1, {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  src, dst, n, statuses = pairs_[id][1], pairs_[id][2], 0, {}
end

function request()
  n = n + 1
  local body = '{"sku":"SKU-1","qty":"1","from_location":"' .. src .. '","to_location":"'
    .. dst .. '","warehouse":"WH1","reason":"transfer"}'
  return wrk.format("POST", "/api/v1/stock-moves", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. id .. "-" .. n,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if swap and status == 201 then src, dst = dst, src end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  io.write("RESULT {")
  local sep = ""
  for k, v in pairs(total) do io.write(sep .. '"' .. k .. '": ' .. v); sep = ", " end
  io.write(string.format('} %%f %%f %%f %%d\\n', summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


def wrk_driver(key: str, seconds: float, pairs: list[tuple[str, str]], swap: bool) -> Tally:
    lua = WRK_SCRIPT % {
        "pairs": ", ".join(f'{{"{s}", "{t}"}}' for s, t in pairs),
        "key": key,
        "run": uuid.uuid4().hex[:12],
        "swap": "true" if swap else "false",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(len(pairs)),
                "-c",
                str(len(pairs)),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                "30s",
                "-s",
                fh.name,
                f"http://127.0.0.1:{PORT}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(fh.name)
    found = re.search(r"RESULT (\{.*\}) (\S+) (\S+) (\S+) (\d+)", out)
    if found is None:
        raise SystemExit(f"wrk said:\n{out}")
    statuses, wall, p50, p99, errors = found.groups()
    if int(errors):
        raise SystemExit(f"wrk had {errors} socket errors:\n{out}")
    tally = Tally(wall=float(wall), p50=float(p50), p99=float(p99), in_flight=len(pairs))
    tally.statuses.update({int(k): v for k, v in json.loads(statuses).items()})
    return tally


def scenario(
    name: str,
    key: str,
    seconds: float,
    pairs: list[tuple[str, str]],
    swap: bool,
    driver: str,
    meter: CpuMeter,
) -> Tally:
    before = meter.snapshot()
    run = wrk_driver if driver == "wrk" else python_driver
    tally = run(key, seconds, pairs, swap)
    print(
        f"({name}) {tally.total / tally.wall:7.0f} req/s over {tally.wall:.1f} s,"
        f" p50 {tally.pct(50):.2f} ms, p99 {tally.pct(99):.2f} ms,"
        f" statuses {dict(tally.statuses)}"
    )
    print(meter.report(before, tally.total))
    return tally


def conserved(url: str, client_id: int, accepted: int, in_flight: int) -> None:
    """Read back from the database: nothing created or lost, ledger = quants, answers = lines."""
    time.sleep(1)  # requests still in flight when wrk stopped finish on the server
    factory = make_session_factory(engine_for(url))
    with factory() as s:
        total = s.scalar(select(func.sum(Quant.on_hand)))
        by_api = s.scalar(select(func.count()).where(StockMove.api_client_id == client_id))
        answered = s.scalar(
            select(func.count()).where(
                IdempotencyRecord.client_id == client_id,
                IdempotencyRecord.state == "done",
                IdempotencyRecord.response_status == 201,
            )
        )
        problems = ledger_discrepancies(s)
        shared = s.scalar(
            select(Quant.on_hand).join(Quant.location).where(Location.code == "SHARED")
        )
        shared_id = s.scalar(select(Location.id).where(Location.code == "SHARED"))
        taken = s.scalar(
            select(func.coalesce(func.sum(StockMove.qty), 0)).where(
                StockMove.from_location_id == shared_id, StockMove.api_client_id == client_id
            )
        )
    expected_total = SHARED_STOCK + CLIENTS * 10**6
    print(
        f"    conservation: total on hand {total} (expected {expected_total}), "
        f"API moves in ledger {by_api} (201 answers received {accepted}, stored {answered}),"
        f" ledger discrepancies {len(problems)}, shared source left {shared}"
        f" = {SHARED_STOCK} - {taken} moved out"
    )
    assert total == expected_total, "stock was created or lost"
    assert by_api == answered, "a stored 201 answer has no ledger line, or a line has no answer"
    # wrk stops with one request per connection in flight; the server finishes those.
    assert accepted <= by_api <= accepted + in_flight, "accepted moves and ledger lines differ"
    assert problems == [], problems[:3]
    assert shared == SHARED_STOCK - taken and shared >= 0, "lost update on SHARED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("seconds", nargs="?", type=float, default=15.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="gunicorn gevent workers (production runs one per core behind nginx)",
    )
    parser.add_argument(
        "--driver", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    args = parser.parse_args()
    url = fresh_database(DB)
    key, client_id = setup(url)
    proc = start_server(url, args.workers)
    monitor = engine_for(url)
    try:
        meter = CpuMeter(monitor, _worker_pids(proc.pid, args.workers))
        own = [(f"A-{i:02}", f"B-{i:02}") for i in range(CLIENTS)]
        load = os.getloadavg()[0]
        print(f"driver {args.driver}, {args.workers} worker(s), load average {load:.1f}")
        warm = scenario("warm-up", key, 2, own, True, args.driver, meter)
        a = scenario("a: own quants", key, args.seconds, own, True, args.driver, meter)
        shared = [("SHARED", f"B-{i:02}") for i in range(CLIENTS)]
        b = scenario("b: one quant", key, args.seconds, shared, False, args.driver, meter)
        accepted = warm.statuses[201] + a.statuses[201] + b.statuses[201]
        conserved(url, client_id, accepted, warm.in_flight + a.in_flight + b.in_flight)
        server_errors = sum(
            n for status, n in (warm.statuses + a.statuses + b.statuses).items() if status >= 500
        )
        print(
            f"    5xx: {server_errors}; (a) p99 {a.pct(99):.1f} ms; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        assert server_errors == 0
    finally:
        monitor.dispose()
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
