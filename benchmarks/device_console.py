"""Console device edits take effect without a restart: how long until they work.

Run by hand: ``python -m benchmarks.device_console [--rounds 20] [--database-url URL]``.

The whole app (workers on, default intervals) on a file SQLite database
(or ``--database-url``); a supervisor signed in through the test client.
Each round adds a TCP printer pointing at its own fake Zebra and asks for a
test print, and adds an MT-SICS scale on ``fakescale://``. Reported p50 /
max of:

- the save request (validation, one transaction, runtime reload);
- save -> test label bytes at the fake Zebra (includes the new sender's
  first ~HS, the test-print request, the claim and the send);
- save -> the scale's first health reading on the StatusBoard (the monitor
  is woken by the reload; no wait for the 5 s round).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from wms.app import create_app
from wms.db import make_engine, make_session_factory
from wms.devices.fakes import protocol_fakescale
from wms.devices.fakes.zebra_server import FakeZebraServer
from wms.model import Base, Printer, Role
from wms.services.access import create_user
from wms.services.masterdata import create_warehouse
from wms.settings import DeviceSettings, Settings

PASSWORD = "bench-password-1"


def wait(check, timeout: float = 30.0) -> float:
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("device edit did not take effect")
        time.sleep(0.002)
    return time.perf_counter()


def run(rounds: int, url: str | None) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="wms-devbench-"))
    url = url or f"sqlite:///{folder / 'wms.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory.begin() as s:
        wh = create_warehouse(s, code="WH1", name="Bench")
        create_user(s, username="sam", password=PASSWORD, role=Role.supervisor, warehouses=[wh])
    (folder / "devices.toml").write_text("")
    settings = Settings(
        database_url=url,
        secret_key="bench",
        log_level="WARNING",
        devices=DeviceSettings(
            spool_dir=str(folder / "spool"), config_file=str(folder / "devices.toml")
        ),
    )
    app = create_app(settings, engine=engine)
    runtime = app.extensions["wms"].devices
    client = app.test_client()
    client.get("/console/login")
    with client.session_transaction() as sess:
        token = sess["csrf"]
    client.post(
        "/console/login", data={"username": "sam", "password": PASSWORD, "csrf_token": token}
    )
    with client.session_transaction() as sess:
        token = sess["csrf"]  # a sign-in starts a new token
    times: dict[str, list[float]] = {"save": [], "to_label": [], "to_scale": []}
    servers = []
    try:
        for n in range(rounds):
            zebra = FakeZebraServer().start()
            servers.append(zebra)
            code = f"BENCH-{n:03d}"
            t0 = time.perf_counter()
            response = client.post(
                "/console/devices/printers/new",
                data={
                    "code": code,
                    "driver": "tcp",
                    "address": "127.0.0.1",
                    "port": str(zebra.port),
                    "baudrate": "9600",
                    "dpi": "203",
                    "cjk_mode": "bitmap",
                    "status_query": "1",
                    "enabled": "1",
                    "csrf_token": token,
                },
            )
            t1 = time.perf_counter()
            assert response.status_code == 302, response.text[:500]
            with factory() as s:
                pid = s.scalar(select(Printer.id).where(Printer.code == code))
            client.post(f"/console/devices/printers/{pid}/test-print", data={"csrf_token": token})
            t2 = wait(lambda zebra=zebra: len(zebra.jobs) >= 1)
            times["save"].append((t1 - t0) * 1000)
            times["to_label"].append((t2 - t0) * 1000)

            name = f"BENCH-SCALE-{n:03d}"
            protocol_fakescale.simulator(name).gross_kg = Decimal("1.5")
            t0 = time.perf_counter()
            client.post(
                "/console/devices/scales/new",
                data={
                    "code": name,
                    "driver": "mtsics",
                    "url": f"fakescale://{name}",
                    "baudrate": "9600",
                    "framing": "8N1",
                    "window": "3",
                    "tolerance_g": "2",
                    "deadline_ms": "5000",
                    "enabled": "1",
                    "csrf_token": token,
                },
            )
            t2 = wait(lambda name=name: runtime.board.scale(name) is not None)
            times["to_scale"].append((t2 - t0) * 1000)
    finally:
        runtime.stop()
        for server in servers:
            server.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    for name, samples in run(args.rounds, args.database_url).items():
        print(
            f"{name:9s} p50 {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms"
            f"   (n={len(samples)})"
        )


if __name__ == "__main__":
    main()
