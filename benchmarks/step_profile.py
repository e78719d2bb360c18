"""One scanner, in process: SQL round trips, transactions and server CPU per move-flow step.

Run by hand (it recreates the database it is given):

    python -m benchmarks.step_profile --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_steps

The app is built in this process and driven through Flask's test client,
signed in as a terminal, moving one unit per cycle (source, item, quantity,
destination) as ``benchmarks.scan_steps`` does. Per step it counts what
went to the database (statements through a cursor, plus BEGIN, COMMIT,
SAVEPOINT and RELEASE: each is a round trip with psycopg) and the thread's
CPU time (the app's Python work and the driver's; the database server's own
CPU is not in it). ``--profile`` adds a cProfile of the steps.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import tempfile
import time
import uuid
import weakref
from typing import Any

from psycopg import pq
from sqlalchemy import event

from benchmarks.scan_steps import SECRET, prepare
from wms.app import create_app
from wms.settings import load_settings
from wms.web.context import wms

STEPS = ("source", "item", "quantity", "destination")
#: One message of libpq's trace: direction, length, type, contents (which may span lines).
RECORD = re.compile(
    r"^(?:\S+ \S+\t)?([FB])\t\d+\t(\w+)\t?(.*?)(?=^(?:\S+ \S+\t)?[FB]\t\d+\t|\Z)", re.M | re.S
)
PARSE = re.compile(r' "([^"]*)" "(.*)" \d+(?: \d+)*\s*$', re.S)


class Trips:
    """Counts the round trips an engine's connections make, from libpq's protocol trace.

    Every exchange ends with the server's ReadyForQuery, whether it was a
    statement, a BEGIN or COMMIT, a SAVEPOINT, or a prepare; SQLAlchemy's
    events would miss what psycopg sends on its own and count a BEGIN that an
    autocommit connection never sends.
    """

    def __init__(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.directory.name, "trace")
        # libpq writes through its own stream: append mode keeps its writes at the end.
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        self.offset = 0
        self.prepared: dict[str, str] = {}
        self.traced: weakref.WeakSet[Any] = weakref.WeakSet()

    def install(self, engine: Any) -> None:
        @event.listens_for(engine, "checkout")
        def _trace(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
            if dbapi_conn not in self.traced:
                self.traced.add(dbapi_conn)
                dbapi_conn.pgconn.trace(self.fd)
                dbapi_conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def flush(self) -> None:
        """libpq buffers its trace stream; stopping the trace flushes it (then trace again)."""
        for conn in self.traced:
            conn.pgconn.untrace()
            conn.pgconn.trace(self.fd)
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def take(self) -> tuple[int, list[str]]:
        """Round trips since the last call, and what the client sent in them."""
        self.flush()
        with open(self.path) as fh:
            fh.seek(self.offset)
            text = fh.read()
            self.offset = fh.tell()
        trips, sent = 0, []
        for side, kind, rest in RECORD.findall(text):
            if side == "B" and kind == "ReadyForQuery":
                trips += 1
            elif side == "F" and kind == "Query":
                sent.append(" ".join(rest.split())[:150])
            elif side == "F" and kind == "Parse":
                found = PARSE.match(rest)
                if found:
                    self.prepared[found[1]] = found[2]
                    sent.append(" ".join(found[2].split())[:150])
            elif side == "F" and kind == "Bind":
                name = rest.split('"')[3]
                if name:  # a named (prepared) statement; an unnamed one was listed at its Parse
                    sent.append(" ".join(self.prepared.get(name, name).split())[:150])
        return trips, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    parser.add_argument("--top", type=int, default=45, help="cProfile lines to print")
    parser.add_argument("--show", action="store_true", help="print one cycle's statements")
    args = parser.parse_args()
    ((user_id, warehouse_id),) = prepare(args.url, 1)
    environ = {
        **os.environ,
        "WMS_DATABASE_URL": args.url,
        "WMS_SECRET_KEY": SECRET,
        "WMS_LOG_LEVEL": "WARNING",
        "WMS_DEVICES__START_WORKERS": "false",
        "WMS_API__START_WEBHOOK_WORKER": "false",
    }
    app = create_app(load_settings(environ=environ))
    trips = Trips()
    trips.install(wms(app).engine)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(
            {
                "user_id": user_id,
                "kind": "terminal",
                "device_id": "PDA-1",
                "warehouse_id": warehouse_id,
                "locale": "en",
                "csrf": "t",
            }
        )
    headers = {"X-CSRF-Token": "t"}
    cpu: dict[str, list[float]] = {name: [] for name in STEPS}
    wall: dict[str, list[float]] = {name: [] for name in STEPS}
    trips_per: dict[str, list[int]] = {name: [] for name in STEPS}
    sent_per: dict[str, list[str]] = {}
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    for cycle in range(args.cycles + 5):
        shown = client.post("/t/api/flows/start", json={"flow": "move"}, headers=headers).json
        for name, raw in zip(STEPS, ("A-00-01-1", "SKU-0", "1", "B-00-01-1"), strict=True):
            body = {"seq": shown["seq"], "request_id": uuid.uuid4().hex, "input": raw}
            path = f"/t/api/flows/{shown['flow_session_id']}/step"
            trips.take()
            if profiler and cycle >= 5:
                profiler.enable()
            c0, w0 = time.thread_time(), time.perf_counter()
            shown = client.post(path, json=body, headers=headers).json
            c1, w1 = time.thread_time(), time.perf_counter()
            if profiler:
                profiler.disable()
            count, sent = trips.take()
            assert shown["message"] is None or shown["message"]["level"] != "error", shown
            if cycle < 5:  # warm-up: statement caches, prepared statements, the pool
                continue
            cpu[name].append((c1 - c0) * 1000)
            wall[name].append((w1 - w0) * 1000)
            trips_per[name].append(count)
            sent_per[name] = sent
    print(f"{args.cycles} cycles of the move flow, one scanner, in process")
    print("| step | round trips | CPU p50 ms | CPU mean ms | wall p50 ms |")
    print("|---|---:|---:|---:|---:|")
    for name in STEPS:
        print(
            f"| {name} | {statistics.fmean(trips_per[name]):.1f} "
            f"| {statistics.median(cpu[name]):.2f} | {statistics.fmean(cpu[name]):.2f} "
            f"| {statistics.median(wall[name]):.2f} |"
        )
    every = [n for name in STEPS for n in trips_per[name]]
    spent = [c for name in STEPS for c in cpu[name]]
    print(
        f"mean per step: {statistics.fmean(every):.1f} round trips, "
        f"{statistics.fmean(spent):.2f} ms CPU (p50 {statistics.median(spent):.2f} ms)"
    )
    if args.show:
        for name in STEPS:
            print(f"\n-- {name}")
            for line in sent_per[name]:
                print("  ", line)
    if profiler:
        stats = pstats.Stats(profiler)
        print(
            f"Python function calls per step: {stats.total_calls / (4 * args.cycles):.0f} "  # type: ignore[attr-defined]
            "(a machine-independent measure of the work)"
        )
        stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
