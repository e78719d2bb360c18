"""Scan-step latency of the move flow, 50 simulated scanners on PostgreSQL, vs a bare SELECT 1.

Run by hand (it recreates the database it is given):

    python -m benchmarks.scan_steps --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_steps

The server is gunicorn with one gevent worker (production's shape) on an
ephemeral port; the scanners are aiohttp tasks in this process, each
signed in as its own operator with its own item and locations, moving one
unit per cycle (source, item, quantity, destination = four steps). The
baseline sends ``GET /bench/select1`` from the same 50 tasks for the same
time, in the same run: the two alternate in ``--rounds`` phases each, so a
busy moment of the machine falls on both alike. ``--think`` is the mean pause between two
scans of one scanner (a person walks and picks between scans), each pause drawn from
think × (1 ± ``--jitter``); 0 runs flat out and measures capacity (queueing) rather than
latency. Pauses all alike (``--jitter 0``) make the scanners march in step; the run prints
how bunched the arrivals were next to independent ones.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.factories import Floor
from wms.db import make_engine, make_session_factory
from wms.model import Base, User, Warehouse

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"


def prepare(url: str, scanners: int) -> list[tuple[int, int]]:
    """A fresh database with one operator, item and pair of locations per scanner."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{target.database}" with (force)'))
        conn.execute(text(f'create database "{target.database}"'))
    admin.dispose()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    floor = Floor(make_session_factory(engine), warehouse_code="BENCH")
    people = []
    for i in range(scanners):
        floor.stock(f"SKU-{i}", f"A-{i:02d}-01-1", 100_000)
        floor.location(f"B-{i:02d}-01-1")
        with floor.factory() as s, s.begin():
            user = User(username=f"scanner{i}", display_name=f"Scanner {i}", locale="en")
            user.warehouses.append(s.get(Warehouse, floor.warehouse_id))  # type: ignore[arg-type]
            s.add(user)
            s.flush()
            people.append((user.id, floor.warehouse_id))
    engine.dispose()
    return people


def cookie(user_id: int, warehouse_id: int) -> tuple[str, str]:
    """The session cookie a terminal sign-in would set, and its CSRF token."""
    app = Flask("cookie")
    app.secret_key = SECRET
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    token = uuid.uuid4().hex
    value = serializer.dumps({"user_id": user_id, "kind": "terminal", "device_id": f"PDA-{user_id}",
                              "warehouse_id": warehouse_id, "locale": "en", "csrf": token})
    return f"session={value}", token


def serve(url: str, workers: int = 1) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "WMS_DATABASE_URL": url, "WMS_SECRET_KEY": SECRET,
           "WMS_SOCKETIO__ASYNC_MODE": "gevent", "WMS_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", str(workers),
         "--worker-connections", "1000", "--keep-alive", "75", "-b", f"127.0.0.1:{port}",
         "benchmarks.serve:make()"],
        cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base)
    return proc, base


def wait_ready(base: str, timeout: float = 60.0) -> None:
    """Until the worker answers (imports take a while on a busy machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/bench/select1", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("server did not start")


STEPS = ("source", "item", "quantity", "destination")


async def pause(think: float, jitter: float) -> None:
    """A person's pause between two scans: ``think`` on average, uniform in think × (1 ± jitter)."""
    await asyncio.sleep(random.uniform(think * (1 - jitter), think * (1 + jitter)))


async def scanner(http: aiohttp.ClientSession, base: str, i: int, who: tuple[int, int],
                  stop: float, think: float, out: list[float],
                  by_step: dict[str, list[float]] | None = None,
                  sent: list[float] | None = None, jitter: float = 0.5) -> None:
    jar, token = cookie(*who)
    headers = {"Cookie": jar, "X-CSRF-Token": token}
    await asyncio.sleep(random.uniform(0, think))
    while time.monotonic() < stop:
        async with http.post(f"{base}/t/api/flows/start", json={"flow": "move"},
                             headers=headers) as r:
            shown = await r.json()
        for n, raw in enumerate((f"A-{i:02d}-01-1", f"SKU-{i}", "1", f"B-{i:02d}-01-1")):
            began = time.perf_counter()
            if sent is not None:
                sent.append(began)
            body = {"seq": shown["seq"], "request_id": uuid.uuid4().hex, "input": raw}
            async with http.post(f"{base}/t/api/flows/{shown['flow_session_id']}/step",
                                 json=body, headers=headers) as r:
                shown = await r.json()
            out.append(time.perf_counter() - began)
            if by_step is not None:
                by_step[STEPS[n]].append(out[-1])
            assert shown["message"] is None or shown["message"]["level"] != "error", shown
            await pause(think, jitter)


async def pinger(http: aiohttp.ClientSession, base: str, stop: float, think: float,
                 out: list[float], sent: list[float], jitter: float) -> None:
    await asyncio.sleep(random.uniform(0, think))
    while time.monotonic() < stop:
        began = time.perf_counter()
        sent.append(began)
        async with http.get(f"{base}/bench/select1") as r:
            await r.read()
        out.append(time.perf_counter() - began)
        await pause(think, jitter)


async def measure(base: str, people: list[tuple[int, int]], seconds: float,
                  think: float, rounds: int, jitter: float = 0.5,
                  ) -> tuple[dict[str, list[float]], dict[str, list]]:
    """Latencies by endpoint and step, and the send times of each phase by endpoint."""
    results: dict[str, list[float]] = {"select1": [], "step": [], **{k: [] for k in STEPS}}
    phases: dict[str, list[list[float]]] = {"select1": [], "step": []}
    limits = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=limits) as http:
        # One unrecorded cycle first, as a server that has been running would be: the
        # worker's first steps compile and prepare their statements (tens of ms each).
        await scanner(http, base, 0, people[0], time.monotonic() + 0.1, 0.0, [])
        # Alternate in short phases, so whatever else the machine does falls on both alike.
        phase = seconds / rounds
        for name in ("select1", "step") * rounds:
            stop = time.monotonic() + phase
            sent: list[float] = []
            phases[name].append(sent)
            if name == "select1":
                jobs = [pinger(http, base, stop, think, results[name], sent, jitter)
                        for _ in people]
            else:
                jobs = [scanner(http, base, i, who, stop, think, results[name], results, sent,
                                jitter)
                        for i, who in enumerate(people)]
            await asyncio.gather(*jobs)
    return results, phases


def bunching(phases: list[list[float]], window: float = 0.005) -> tuple[float, float]:
    """Requests sent within ``window`` of each request, on average, and what independent
    (Poisson) arrivals at the same rate would give.

    Scanners that all pause exactly as long fall into step with each other: once a slow
    moment has answered several together, they come back together every cycle. People
    do not, and a benchmark whose arrivals bunch measures its own convoy.
    """
    near = expected = 0.0
    count = 0
    for sent in phases:
        sent = sorted(sent)
        if len(sent) < 2:
            continue
        for t in sent:
            near += bisect.bisect_right(sent, t + window) - bisect.bisect_left(sent, t - window) - 1
        expected += len(sent) * (len(sent) - 1) / (sent[-1] - sent[0]) * 2 * window
        count += len(sent)
    return (near / count, expected / count) if count else (0.0, 0.0)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--scanners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=40.0,
                        help="seconds of scan steps, and as many of SELECT 1")
    parser.add_argument("--rounds", type=int, default=4,
                        help="phases of each, alternating (SELECT 1 first)")
    parser.add_argument("--workers", type=int, default=1,
                        help="gevent workers (production runs one process per core)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="seconds each scanner waits between scans (0: flat out)")
    parser.add_argument("--jitter", type=float, default=0.5,
                        help="each pause is uniform in think × (1 ± jitter); 0: all alike")
    args = parser.parse_args()
    people = prepare(args.url, args.scanners)
    proc, base = serve(args.url, args.workers)
    try:
        results, phases = asyncio.run(
            measure(base, people, args.seconds, args.think, args.rounds, args.jitter))
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"{args.scanners} concurrent scanners, {args.workers} gevent worker(s), "
          f"{args.think:g}s ± {args.jitter * 100:.0f}% between scans, "
          f"{args.seconds:g}s of steps and {args.seconds:g}s of SELECT 1 in {args.rounds} "
          f"alternating rounds; load average {os.getloadavg()[0]:.1f} at the end")
    print("| endpoint | requests | req/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, label in (("step", "move-flow scan step"), ("select1", "bare SELECT 1")):
        values = results[name]
        print(f"| {label} | {len(values)} | {len(values) / args.seconds:.0f} "
              f"| {pct(values, 50):.1f} | {pct(values, 99):.1f} |")
    print("| step | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name in (*STEPS, "step", "select1"):
        values = results[name]
        print(f"| {name} | {pct(values, 50):.1f} | {pct(values, 90):.1f} | {pct(values, 99):.1f} "
              f"| {max(values) * 1000:.1f} |")
    for name in ("step", "select1"):
        near, poisson = bunching(phases[name])
        print(f"{name}: {near:.2f} other requests sent within 5 ms of each "
              f"(independent arrivals: {poisson:.2f})")
    ratio = pct(results["step"], 99) / max(pct(results["select1"], 99), 1e-9)
    print(f"p99 ratio step / SELECT 1: {ratio:.1f}×")


if __name__ == "__main__":
    main()
