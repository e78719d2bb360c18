"""psycopg's wait under gevent: its own (gevent's patched poll) vs ours (wms.pgwait.gevent_wait).

Run by hand (gevent patches this process first):

    python -m benchmarks.pg_wait --url postgresql://postgres@127.0.0.1:5432/test

One connection in autocommit, in a greenlet, as a gevent worker's request
would use it: single prepared ``SELECT`` round trips, and pipelines of three
statements (how a scan step begins and commits). Each wait function runs in
alternating rounds in the same process; the numbers are the thread's CPU
per round trip (or per pipeline) and the wall time, medians of the rounds.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psycopg  # noqa: E402
import psycopg.waiting as waiting  # noqa: E402

from wms.pgwait import gevent_wait  # noqa: E402

THEIRS = "psycopg's (gevent's poll)"
OURS = "ours (poll(0), one watcher)"


def singles(conn: psycopg.Connection[Any], n: int) -> None:
    cur = conn.cursor()
    for _ in range(n):
        cur.execute("select 1", prepare=True).fetchone()


def pipelines(conn: psycopg.Connection[Any], n: int) -> None:
    cur = conn.cursor()
    for _ in range(n):
        with conn.pipeline():
            for k in (1, 2, 3):
                cur.execute("select %s::int", [k], prepare=True)


def timed(work: Callable[[psycopg.Connection[Any], int], None], conn: psycopg.Connection[Any],
          n: int) -> tuple[float, float]:
    c0, w0 = time.thread_time(), time.perf_counter()
    work(conn, n)
    return (time.thread_time() - c0) / n * 1e6, (time.perf_counter() - w0) / n * 1e6


def run(url: str, n: int, rounds: int) -> None:
    theirs, ours = waiting.wait, gevent_wait
    conn = psycopg.connect(url, autocommit=True)
    singles(conn, 200)  # prepare, warm up
    pipelines(conn, 100)
    found: dict[tuple[str, str], list[tuple[float, float]]] = {}
    contenders = ((THEIRS, theirs), (OURS, ours))
    for _ in range(rounds):
        for label, wait in contenders:
            waiting.wait = wait
            found.setdefault((label, "select"), []).append(timed(singles, conn, n))
            found.setdefault((label, "pipeline"), []).append(timed(pipelines, conn, n // 3))
    waiting.wait = theirs
    conn.close()
    print(f"{rounds} alternating rounds of {n} round trips and {n // 3} pipelines of 3, "
          f"one connection, in a greenlet")
    print("| wait | what | CPU µs | wall µs |")
    print("|---|---|---:|---:|")
    for (label, what), values in found.items():
        cpu = statistics.median(v[0] for v in values)
        wall = statistics.median(v[1] for v in values)
        print(f"| {label} | {what} | {cpu:.0f} | {wall:.0f} |")
    for what in ("select", "pipeline"):
        a = statistics.median(v[0] for v in found[(THEIRS, what)])
        b = statistics.median(v[0] for v in found[(OURS, what)])
        print(f"{what}: ours uses {b / a:.2f} × the CPU of psycopg's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="a libpq URL (postgresql://...)")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    gevent.spawn(run, args.url.replace("postgresql+psycopg://", "postgresql://"), args.n,
                 args.rounds).get()


if __name__ == "__main__":
    main()
