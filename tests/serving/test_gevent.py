"""Under gunicorn + gevent a slow query in one request must not stall another."""

from __future__ import annotations

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
from wms.serving import check_gevent_ready, patch_for_gevent
patch_for_gevent(); check_gevent_ready()
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
