"""Under gunicorn + gevent a slow query in one request must not stall another."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SLOW_APP = """
from wms.serving import check_gevent_ready, patch_for_gevent, use_gevent_wait
patch_for_gevent(); check_gevent_ready(); use_gevent_wait()
from sqlalchemy import text
from wms.db import make_engine
engine = make_engine({url!r})
def app(environ, start_response):
    seconds = 1.0 if environ["PATH_INFO"] == "/slow" else 0.0
    with engine.connect() as conn:
        conn.execute(text("select pg_sleep(:s)"), {{"s": seconds}})
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


@pytest.fixture
def gevent_server(tmp_path):
    (tmp_path / "slowapp.py").write_text(SLOW_APP.format(url=PG_URL))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "gevent",
            "-w",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "slowapp:app",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/fast", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"gunicorn did not start: {proc.stderr.read().decode()[-2000:]}")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_a_slow_query_does_not_stall_other_requests_on_the_worker(gevent_server):
    with ThreadPoolExecutor(max_workers=4) as pool:
        slow = pool.submit(requests.get, f"{gevent_server}/slow", timeout=10)
        time.sleep(0.2)
        started = time.monotonic()
        fast = requests.get(f"{gevent_server}/fast", timeout=10)
        fast_elapsed = time.monotonic() - started
        assert slow.result().status_code == 200

    assert fast.status_code == 200
    assert fast_elapsed < 0.5, f"fast request waited {fast_elapsed:.2f}s behind the slow query"


def test_the_production_entry_refuses_psycopg_imported_before_patching():
    code = "import psycopg\nimport wms.wsgi\n"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "psycopg was imported before gevent patched" in result.stderr


WAITS = """
from gevent import monkey; monkey.patch_all()
import json, time
import gevent, psycopg, psycopg.waiting as waiting
from wms.serving import use_gevent_wait
use_gevent_wait()
url = {url!r}
conn = psycopg.connect(url, autocommit=True)
ticks = []
def tick():
    while True:
        ticks.append(time.monotonic())
        gevent.sleep(0.05)
ticker = gevent.spawn(tick)
began = time.monotonic()
conn.execute("select pg_sleep(0.5)")
slept = time.monotonic() - began
during = len([t for t in ticks if began < t < began + slept])
with conn.pipeline():
    flight = [conn.execute("select %s::int", [n]) for n in (1, 2, 3)]
answers = [c.fetchone()[0] for c in flight]
conn.execute("listen shelf_empty")
began = time.monotonic()
heard = list(conn.notifies(timeout=0.3))
listened = time.monotonic() - began
killer = psycopg.connect(url, autocommit=True)
killer.execute("select pg_terminate_backend(%s)", [conn.info.backend_pid])
try:
    conn.execute("select 1")
    broken = None
except psycopg.OperationalError as exc:
    broken = type(exc).__name__
ticker.kill()
print(json.dumps(dict(wait=waiting.wait.__name__, slept=slept, during=during, answers=answers,
                      heard=len(heard), listened=listened, broken=broken)))
"""


def test_under_gevent_psycopg_waits_on_the_hub_and_keeps_its_promises():
    """Our wait: others run while a query sleeps; pipelines, timeouts and a dead server behave."""
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    result = subprocess.run(
        [sys.executable, "-c", WAITS.format(url=url)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["wait"] == "gevent_wait"
    assert seen["slept"] >= 0.5
    assert seen["during"] >= 5, "another greenlet should tick every 50 ms while the query sleeps"
    assert seen["answers"] == [1, 2, 3]
    assert seen["heard"] == 0 and 0.25 <= seen["listened"] < 2.0
    assert seen["broken"] is not None, "a terminated connection must raise, not hang"


def test_without_gevent_psycopg_keeps_its_own_wait():
    code = (
        "import psycopg.waiting as waiting\n"
        "before = waiting.wait\n"
        "from wms.serving import use_gevent_wait\n"
        "use_gevent_wait()\n"
        "print(waiting.wait is before)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "True", result.stderr[-2000:]
