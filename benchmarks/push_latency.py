"""Push latency from commit to terminal receipt with 500 connected terminals, vs 2-second polling.

Run by hand (it recreates the database it is given):

    python -m benchmarks.push_latency --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_push

The server is gunicorn with one gevent worker. 500 python-socketio
``AsyncClient``s (one process, one event loop) connect to /terminal as 500
operators. A driver commits pushes to random operators at a steady rate
through ``POST /bench/push/<id>``; each push carries the wall-clock time
taken just before its transaction commits, and the receiver subtracts it
from the time it got the event (same machine, same clock). Phase two, in
the same run, has the same 500 terminals poll ``GET /t/api/events`` every
2 seconds instead (random phase; ``--pollers`` polls from fewer of them)
and measures the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from typing import Any

import aiohttp
import socketio
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from benchmarks.scan_steps import cookie, serve
from wms.db import make_engine, make_session_factory
from wms.model import Base, User
from wms.services import masterdata


def prepare(url: str, terminals: int) -> tuple[int, list[int]]:
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{target.database}" with (force)'))
        conn.execute(text(f'create database "{target.database}"'))
    admin.dispose()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as s, s.begin():
        wh = masterdata.create_warehouse(s, code="BENCH", name="Bench")
        s.execute(insert(User), [{"username": f"t{i}", "display_name": f"T {i}", "skills": [],
                                  "locale": "en"} for i in range(terminals)])
        ids = list(s.scalars(text("select id from app_user order by id")))
        warehouse_id = wh.id
    engine.dispose()
    return warehouse_id, ids


async def connect_all(base: str, warehouse_id: int, ids: list[int],
                      latencies: list[float]) -> list[socketio.AsyncClient]:
    def on_push(data: Any) -> None:
        latencies.append(time.time() - data["data"]["sent_at"])

    async def one(user_id: int) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        client.on("bench.pushed", on_push, namespace="/terminal")
        jar, _ = cookie(user_id, warehouse_id)
        await client.connect(base, headers={"Cookie": jar}, auth={"last_seq": 0},
                             namespaces=["/terminal"], transports=["websocket"], wait_timeout=30)
        return client

    clients: list[socketio.AsyncClient] = []
    for start in range(0, len(ids), 50):  # connect in waves, as terminals do at shift start
        clients += await asyncio.gather(*(one(u) for u in ids[start:start + 50]))
    return clients


async def drive(http: aiohttp.ClientSession, base: str, ids: list[int], rate: float,
                seconds: float) -> int:
    sent, stop = 0, time.monotonic() + seconds
    while time.monotonic() < stop:
        async with http.post(f"{base}/bench/push/{random.choice(ids)}") as r:
            await r.read()
        sent += 1
        await asyncio.sleep(1 / rate)
    return sent


async def poll(http: aiohttp.ClientSession, base: str, warehouse_id: int, user_id: int,
               stop: float, latencies: list[float]) -> None:
    jar, _ = cookie(user_id, warehouse_id)
    after = None
    await asyncio.sleep(random.uniform(0, 2))
    while time.monotonic() < stop:
        query = "" if after is None else f"?after={after}"
        async with http.get(f"{base}/t/api/events{query}", headers={"Cookie": jar}) as r:
            body = await r.json()
        now = time.time()
        for event in body["events"]:
            if after is not None:  # the first poll only learns where we are
                latencies.append(now - event["data"]["sent_at"])
        after = body["last_seq"]
        await asyncio.sleep(2)


async def settle(http: aiohttp.ClientSession, base: str, limit_s: float = 120.0) -> None:
    """Wait until the server has worked off the disconnect storm (500 presence updates)."""
    quick, deadline = 0, time.monotonic() + limit_s
    while quick < 3 and time.monotonic() < deadline:
        began = time.perf_counter()
        async with http.get(f"{base}/bench/select1") as r:
            await r.read()
        quick = quick + 1 if time.perf_counter() - began < 0.1 else 0
        await asyncio.sleep(0.5)


async def measure(base: str, warehouse_id: int, ids: list[int], rate: float,
                  seconds: float, pollers: int) -> dict[str, Any]:
    pushed: list[float] = []
    polled: list[float] = []
    clients = await connect_all(base, warehouse_id, ids, pushed)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        sent_push = await drive(http, base, ids, rate, seconds)
        await asyncio.sleep(2)
        await asyncio.gather(*(c.disconnect() for c in clients))
        await settle(http, base)
        stop = time.monotonic() + seconds + 4
        polling = [poll(http, base, warehouse_id, u, stop, polled) for u in ids[:pollers]]
        driver = drive(http, base, ids[:pollers], rate, seconds)
        sent_poll, *_ = await asyncio.gather(driver, *polling)
    return {"push": pushed, "poll": polled, "sent_push": sent_push, "sent_poll": sent_poll}


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--terminals", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0, help="pushes per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--pollers", type=int, default=None,
                        help="terminals polling in phase two (default: all of them)")
    args = parser.parse_args()
    warehouse_id, ids = prepare(args.url, args.terminals)
    proc, base = serve(args.url)
    try:
        pollers = args.pollers or args.terminals
        r = asyncio.run(measure(base, warehouse_id, ids, args.rate, args.seconds, pollers))
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"{args.terminals} terminals on sockets, then {pollers} polling; "
          f"{args.rate:g} pushes/s for {args.seconds:g}s per phase")
    print("| delivery | pushes sent | received | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, label, sent in (("push", "Socket.IO push", r["sent_push"]),
                             ("poll", "2-second polling", r["sent_poll"])):
        values = r[key]
        print(f"| {label} | {sent} | {len(values)} | {pct(values, 50):.1f} "
              f"| {pct(values, 99):.1f} | {max(values, default=0) * 1000:.1f} |")


if __name__ == "__main__":
    main()
