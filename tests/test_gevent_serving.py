"""Under gunicorn's gevent worker a slow query in one request must not stall another."""

from __future__ import annotations

import threading
import time
import urllib.request

from sqlalchemy import Engine

from benchmarks.scan_steps import serve


def fetch(url: str) -> float:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as r:
        r.read()
    return time.perf_counter() - began


def test_a_two_second_query_does_not_stall_a_quick_request(pg: Engine):
    proc, base = serve(pg.url.render_as_string(hide_password=False))
    try:
        slow: list[float] = []
        sleeper = threading.Thread(target=lambda: slow.append(fetch(f"{base}/bench/sleep")))
        sleeper.start()
        time.sleep(0.5)  # the slow query is now running in the only worker

        quick = fetch(f"{base}/bench/select1")
        sleeper.join(30)
    finally:
        proc.terminate()
        proc.wait(10)

    assert slow and slow[0] >= 2.0
    assert quick < 1.0, f"a quick request waited {quick:.2f}s behind a slow query"
