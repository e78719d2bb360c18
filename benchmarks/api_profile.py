"""CPU and SQL of one POST /api/v1/stock-moves, in-process, without HTTP server or clients.

    python -m benchmarks.api_profile [requests] [--profile] [--url URL]

Builds the app against a fresh PostgreSQL database (bench_api_profile by
default), then calls the WSGI app directly with a prepared environ, as a
server would, one request after another (each with its own Idempotency-Key,
moving one unit back and forth between two locations). Prints the process
CPU time per request, the SQL statements and transactions per request
(counted with engine event listeners and, for the plain-SQL hot path of
``wms.services.pgraw``, by wrapping its ``execute``), and with ``--profile`` the top of a
cProfile taken with a CPU clock. What it leaves out is the server's own
HTTP parsing and the gevent hub: the difference with the worker CPU per
request that ``benchmarks.api_moves`` prints is that.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import event

from benchmarks.api_moves import setup
from benchmarks.common import SERVER, fresh_database
from wms.app import create_app
from wms.services import pgraw
from wms.settings import load_settings


def environ(key: str, body: bytes, idempotency_key: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/v1/stock-moves",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "HTTP_IDEMPOTENCY_KEY": idempotency_key,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("requests", nargs="?", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stats", help="with --profile: also save the pstats data to this file")
    parser.add_argument("--url", default=f"{SERVER}/bench_api_profile")
    parser.add_argument(
        "--log-level", default="WARNING", help="INFO writes the JSON access line of every request"
    )
    args = parser.parse_args()
    url = fresh_database(args.url.rsplit("/", 1)[1])
    key, _client = setup(url)
    settings = load_settings().with_overrides(
        database_url=url,
        log_level=args.log_level,
        api={"start_webhook_worker": False},
        devices={"start_workers": False},
    )
    app = create_app(settings)
    engine = app.extensions["wms"].engine
    counts: Counter = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(_conn, _cursor, statement, _params, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        counts["statements"] += 1
        counts[statement.split(None, 1)[0].upper()] += 1

    # The hot path's plain-SQL statements (wms.services.pgraw) bypass the engine's events.
    raw_execute = pgraw.execute

    def _raw(cur, sql, params=None):  # type: ignore[no-untyped-def]
        first = sql.split(None, 1)[0].upper()
        counts["statements"] += 1
        counts[first] += 1  # WITH: two writes in one statement
        return raw_execute(cur, sql, params)

    pgraw.execute = _raw  # type: ignore[assignment]

    @event.listens_for(engine, "commit")
    def _commit(_conn) -> None:  # type: ignore[no-untyped-def]
        counts["commits"] += 1

    @event.listens_for(engine, "rollback")
    def _rollback(_conn) -> None:  # type: ignore[no-untyped-def]
        counts["rollbacks"] += 1

    statuses: Counter = Counter()
    pair = ["A-00", "B-00"]

    def one() -> None:
        body = json.dumps(
            {
                "sku": "SKU-1",
                "qty": "1",
                "from_location": pair[0],
                "to_location": pair[1],
                "warehouse": "WH1",
                "reason": "transfer",
            }
        ).encode()
        seen: list[str] = []
        chunks = app(environ(key, body, uuid.uuid4().hex), lambda s, h, e=None: seen.append(s))
        b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        statuses[seen[0]] += 1
        if seen[0].startswith("201"):
            pair.reverse()

    for _ in range(200):  # warm caches, the pool and the compiled-statement cache
        one()
    counts.clear()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(args.requests):
        one()
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = args.requests
    print(
        f"{n} requests: {cpu / n * 1000:.2f} ms CPU and {wall / n * 1000:.2f} ms wall per request,"
        f" statuses {dict(statuses)}"
    )
    per = {k: round(v / n, 2) for k, v in sorted(counts.items())}
    print(f"per request: {per}")
    if profiler:
        if args.stats:
            profiler.dump_stats(args.stats)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())
    app.extensions["wms"].engine.dispose()


if __name__ == "__main__":
    main()
