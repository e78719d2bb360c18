"""Killing the server in the middle of a scan step leaves either the whole step or nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from tests.flowterm import Terminal
from tests.taskfloor import person
from wms.model import FlowSession, StockMove

ROOT = Path(__file__).resolve().parent.parent

#: A server process that applies the destination scan and dies (SIGKILL) right after the
#: ledger lines are written and flushed, before the transaction can commit.
SERVER = textwrap.dedent("""
    import os, signal, sys
    from wms.db import make_engine, make_session_factory
    from wms.flows import runner
    from wms.model import User
    from wms.services import ledger

    url, fs_id, user_id, seq = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    real_post = ledger.post_lines  # what the move flow posts with

    def post_then_die(*args, **kwargs):
        lines = real_post(*args, **kwargs)
        print("ledger written", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        return lines

    ledger.post_lines = post_then_die
    factory = make_session_factory(make_engine(url))
    with factory() as s, s.begin():
        runner.run_step(s, flow_session_id=fs_id, seq=seq, request_id="req-crash",
                        input="B-01-01-1", user=s.get(User, user_id), device_id="PDA-1")
    print("committed", flush=True)
""")


def test_a_server_killed_after_the_ledger_write_leaves_nothing_and_the_retry_applies_once(
    floor, engine
):
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    ann = person(floor, "ann")
    pda = Terminal(floor, ann)
    pda.start()
    pda.scan("A-01-01-1", "SKU-1", "4")
    url = engine.url.render_as_string(hide_password=False)

    server = subprocess.run(
        [sys.executable, "-c", SERVER, url, str(pda.fs), str(ann.id), str(pda.last["seq"])],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )

    assert server.returncode == -signal.SIGKILL, server.stderr
    assert server.stdout.splitlines() == ["ledger written"]
    assert transfers(floor) == 0
    assert floor.on_hand("SKU-1", "A-01-01-1") == 10
    with floor.factory() as s:
        fs = s.get(FlowSession, pda.fs)
        assert fs is not None and (fs.state, fs.seq) == ("scan_destination", 4)

    retried = pda.step("B-01-01-1", request_id="req-crash", seq=4)
    again = pda.step("B-01-01-1", request_id="req-crash", seq=4)

    assert retried == again and retried["state"] == "done"
    assert transfers(floor) == 1
    assert floor.on_hand("SKU-1", "B-01-01-1") == 4


def transfers(floor) -> int:
    with floor.factory() as s:
        return int(s.scalar(select(func.count()).select_from(StockMove)
                            .where(StockMove.reason == "transfer")) or 0)
