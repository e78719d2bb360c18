"""Devices added in the console work at once, with the spooler and the scale monitor running.

No restart between the console edit and the print or the reading: the
runtime reloads after the commit. Health changes reach a supervisor's
/console Socket.IO connection as they happen.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tests.liveserver import Listener, live_server, wait_until
from tests.webterm import session_cookie
from wms.devices.fakes import protocol_fakescale
from wms.devices.fakes.zebra_server import FakeZebraServer


@pytest.fixture
def settings(settings, tmp_path):
    """Workers on, health checked often, and a devices.toml with no devices."""
    config = tmp_path / "devices.toml"
    config.write_text("# every device of this test is added in the console\n")
    return settings.with_overrides(
        devices={"config_file": str(config), "start_workers": True, "health_interval": 0.2}
    )


@pytest.fixture
def runtime(app):
    devices = app.extensions["wms"].devices
    devices.spooler.poll_interval = 0.05
    devices.spooler.health_interval = 0.2
    yield devices
    devices.stop()


@pytest.fixture
def zebra():
    server = FakeZebraServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_scale():
    protocol_fakescale.SIMULATORS.pop("LIVE-SCALE", None)
    sim = protocol_fakescale.simulator("LIVE-SCALE")
    sim.gross_kg = Decimal("3.5")
    yield sim
    protocol_fakescale.SIMULATORS.pop("LIVE-SCALE", None)


def add_tcp_printer(supervisor, port: int, code: str = "ZT411-LIVE") -> None:
    response = supervisor.post(
        "/console/devices/printers/new",
        {
            "code": code,
            "name": "Live dock printer",
            "driver": "tcp",
            "address": "127.0.0.1",
            "port": str(port),
            "baudrate": "9600",
            "dpi": "203",
            "label_kinds": "location",
            "cjk_mode": "bitmap",
            "printer_font": "E:ANMDS.TTF",
            "status_query": "1",
            "enabled": "1",
            "default": "1",
        },
    )
    assert response.status_code == 302, response.text[:2000]


def add_scale(supervisor) -> None:
    response = supervisor.post(
        "/console/devices/scales/new",
        {
            "code": "LIVE-SCALE",
            "name": "Pack station scale",
            "driver": "mtsics",
            "url": "fakescale://LIVE-SCALE",
            "baudrate": "9600",
            "framing": "8N1",
            "window": "2",
            "tolerance_g": "2",
            "deadline_ms": "2000",
            "enabled": "1",
        },
    )
    assert response.status_code == 302, response.text[:2000]


def printer_id(supervisor, code: str) -> int:
    page = supervisor.page("/console/devices")
    marker = page.index(f"<code>{code}</code>")
    href = page.rindex("/console/devices/printers/", 0, marker)
    return int(page[href:marker].split("/")[4].split('"')[0])


def test_a_printer_added_in_the_console_test_prints_on_the_zebra_without_a_restart(
    supervisor, runtime, zebra
):
    add_tcp_printer(supervisor, zebra.port)

    supervisor.post(f"/console/devices/printers/{printer_id(supervisor, 'ZT411-LIVE')}/test-print")

    assert zebra.wait_for_jobs(1, timeout=10), "the fake Zebra received no label"
    assert b"ZT411-LIVE" in zebra.jobs[0]
    assert wait_until(
        lambda: (s := runtime.board.get("ZT411-LIVE")) is not None and s.state.value == "ready",
        timeout=10,
    )


def test_a_disabled_printer_loses_its_sender_and_prints_nothing(supervisor, runtime, zebra):
    add_tcp_printer(supervisor, zebra.port)
    pid = printer_id(supervisor, "ZT411-LIVE")
    assert wait_until(lambda: "ZT411-LIVE" in runtime.spooler._senders, timeout=5)

    supervisor.post(f"/console/devices/printers/{pid}/disable")

    assert "ZT411-LIVE" not in runtime.spooler._senders
    assert runtime.registry.printer_codes() == []
    assert zebra.jobs == []


def test_a_scale_added_in_the_console_is_read_through_its_url(supervisor, runtime, fake_scale):
    add_scale(supervisor)

    assert wait_until(
        lambda: (s := runtime.board.scale("LIVE-SCALE")) is not None and s.state.value == "stable",
        timeout=10,
    )
    assert runtime.board.scale("LIVE-SCALE").grams == 3500
    weight = supervisor.get("/devices/api/scales/LIVE-SCALE/weight").get_json()
    assert weight["grams"] == 3500 and weight["stable"] is True


def test_health_changes_are_pushed_to_the_console_as_they_happen(
    app, supervisor, runtime, zebra, fake_scale
):
    add_tcp_printer(supervisor, zebra.port)
    add_scale(supervisor)
    assert wait_until(
        lambda: (
            runtime.board.scale("LIVE-SCALE") is not None
            and runtime.board.get("ZT411-LIVE") is not None
        ),
        timeout=10,
    )

    with live_server(app) as url:
        desk = Listener("/console")
        desk.connect(url, session_cookie(supervisor.client))
        try:
            fake_scale.overload = True
            zebra.state.paper_out = True

            def pushed(name: str, key: str, code: str, state: str) -> bool:
                return any(
                    e == name and d.get(key) == code and d.get("state") == state
                    for e, d in desk.received
                )

            assert wait_until(
                lambda: pushed("scale.status_changed", "scale", "LIVE-SCALE", "overload"),
                timeout=10,
            ), desk.received
            assert wait_until(
                lambda: pushed("printer.status_changed", "printer", "ZT411-LIVE", "paper_out"),
                timeout=10,
            ), desk.received
        finally:
            desk.disconnect()
            time.sleep(0.1)


def test_a_printer_out_of_paper_never_fails_the_label_request(supervisor, runtime, zebra, floor):
    """The labels are queued in the request's transaction; the printer problem waits."""
    zebra.state.paper_out = True
    location = floor.location("A-01-01-1")
    add_tcp_printer(supervisor, zebra.port)

    response = supervisor.post(
        "/console/locations/print-labels",
        {
            "warehouse": str(floor.warehouse_id),
            "scope": "selected",
            "printer": "ZT411-LIVE",
            "location": [str(location.id)],
        },
    )

    assert response.status_code == 302
    zebra.state.paper_out = False
    assert zebra.wait_for_jobs(1, timeout=15)
    assert b"A-01-01-1" in zebra.jobs[0]
