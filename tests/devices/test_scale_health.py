"""Scale health: one reading classified, polled by the monitor, told to listeners on change."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from wms.devices.config import SERIAL_URL_SCHEMES, ScaleConfig, check_serial_url
from wms.devices.fakes import protocol_fakescale
from wms.devices.health import ScaleMonitor, StatusBoard, probe_scale
from wms.devices.ports import ScaleState
from wms.devices.registry import DeviceRegistry


@pytest.fixture
def registry(tmp_path):
    protocol_fakescale.register()
    reg = DeviceRegistry(tmp_path, io_timeout=0.3)
    yield reg
    reg.configure([], [])


def pack_scale(registry, name: str):
    protocol_fakescale.SIMULATORS.pop(name, None)
    sim = protocol_fakescale.simulator(name)
    registry.configure([], [ScaleConfig(code=name, driver="mtsics", url=f"fakescale://{name}")])
    return sim, registry.scale(name)


@pytest.mark.parametrize(
    ("setup", "state"),
    [
        ({}, ScaleState.stable),
        ({"stable": False}, ScaleState.unstable),
        ({"overload": True}, ScaleState.overload),
        ({"underload": True}, ScaleState.underload),
        ({"busy": True}, ScaleState.reachable),
        ({"silent": True}, ScaleState.offline),
        ({"garbled_replies": 1}, ScaleState.error),
    ],
)
def test_one_reading_tells_the_state_of_the_pack_station_scale(registry, setup, state):
    sim, scale = pack_scale(registry, f"HEALTH-{state.value}")
    sim.gross_kg = Decimal("1.250")
    for name, value in setup.items():
        setattr(sim, name, value)

    status = probe_scale(scale)

    assert status.state is state
    assert status.grams == (1250 if state in (ScaleState.stable, ScaleState.unstable) else None)


def test_a_scale_whose_port_cannot_be_opened_is_offline(registry):
    registry.configure(
        [], [ScaleConfig(code="GONE", driver="mtsics", url="/dev/serial/by-id/usb-no-such-scale")]
    )

    status = probe_scale(registry.scale("GONE"))

    assert status.state is ScaleState.offline and "cannot open" in status.detail


def test_the_monitor_tells_listeners_only_when_the_state_changes(registry):
    sim, _ = pack_scale(registry, "MON-1")
    board = StatusBoard()
    told: list[tuple[str, str]] = []
    board.on_scale_change.append(lambda code, status: told.append((code, status.state.value)))
    monitor = ScaleMonitor(registry.scale_codes, registry.scale, board)

    monitor.round()
    monitor.round()
    sim.overload = True
    monitor.round()

    assert told == [("MON-1", "stable"), ("MON-1", "overload")]


def test_a_scale_removed_from_the_configuration_leaves_the_board(registry):
    pack_scale(registry, "MON-2")
    board = StatusBoard()
    monitor = ScaleMonitor(registry.scale_codes, registry.scale, board)
    monitor.round()

    registry.configure([], [])
    monitor.round()

    assert board.scale("MON-2") is None


def test_a_failing_listener_never_stops_the_monitor(registry):
    pack_scale(registry, "MON-3")
    board = StatusBoard()
    board.on_scale_change.append(lambda code, status: 1 / 0)
    seen = threading.Event()
    board.on_scale_change.append(lambda code, status: seen.set())
    monitor = ScaleMonitor(registry.scale_codes, registry.scale, board, interval=0.05).start()
    try:
        assert seen.wait(5)
    finally:
        monitor.stop()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("/dev/serial/by-id/usb-FTDI_FT232R-if00-port0", None),
        ("COM3", None),
        ("socket://10.0.4.30:4001", None),
        ("rfc2217://10.0.4.30:2217", None),
        ("loop://", None),
        ("fakescale://PACK-01", None),
        ("", "required"),
        ("ttyUSB0", "not a device path (/dev/...) or a serial URL (socket://host:port)"),
        ("/dev/tty USB0", "not a device path (/dev/...) or a serial URL (socket://host:port)"),
        ("telnet://10.0.4.30:23", "unknown serial URL scheme"),
        ("socket://10.0.4.30", "a network serial URL needs host:port"),
        ("socket://10.0.4.30:70000", "a network serial URL needs host:port"),
    ],
)
def test_serial_urls_are_checked_without_opening_anything(url, problem):
    assert check_serial_url(url) == problem


def test_every_accepted_url_scheme_is_one_pyserial_can_open():
    import serial

    protocol_fakescale.register()
    examples = {
        "socket": "socket://127.0.0.1:9",
        "rfc2217": "rfc2217://127.0.0.1:9",
        "loop": "loop://",
        "spy": "spy://loop://",
        "alt": "alt:///dev/ttyS0",
        "cp2110": "cp2110://0001:0002:00",
        "fakescale": "fakescale://X",
    }

    for scheme in SERIAL_URL_SCHEMES:
        serial.serial_for_url(examples[scheme], do_not_open=True)
