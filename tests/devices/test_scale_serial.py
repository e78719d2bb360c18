"""Scale drivers over real serial paths: socat pseudo-terminals, loop:// and fakescale://."""

from __future__ import annotations

from decimal import Decimal

import pytest
import serial

from tests.devices.doubles.pty_pair import running, serve_lines, socat_pair, stream_frames
from wms.devices.errors import ScaleNoReply, ScaleNotStable, ScaleOverload
from wms.devices.fakes import protocol_fakescale
from wms.devices.fakes.scale_sim import MtSicsSimulator, toledo_frame
from wms.devices.scales import MtSicsScale, SerialConfig, ToledoContinuousScale
from wms.devices.scales.toledo import split_frames


@pytest.fixture
def bench(request):
    protocol_fakescale.register()
    name = request.node.name
    protocol_fakescale.SIMULATORS[name] = sim = MtSicsSimulator()
    scale = MtSicsScale("S1", SerialConfig(f"fakescale://{name}", timeout=0.2),
                        deadline_s=1.0, interval_s=0.01)
    yield sim, scale
    scale.close()
    protocol_fakescale.SIMULATORS.pop(name, None)


def test_pack_station_reads_a_stable_weight_once_the_parcel_settles(bench):
    sim, scale = bench
    sim.gross_kg, sim.unstable_replies = Decimal("1.250"), 4

    weight = scale.read_stable()

    assert weight.grams == 1250 and weight.stable
    assert sim.commands.count("SI") >= 4 + 3


def test_a_garbled_reply_is_skipped_not_misread(bench):
    sim, scale = bench
    sim.gross_kg, sim.garbled_replies = Decimal("2.000"), 2

    assert scale.read_stable().grams == 2000


def test_an_overloaded_scale_says_so_at_once(bench):
    sim, scale = bench
    sim.overload = True

    with pytest.raises(ScaleOverload):
        scale.read_stable()
    assert len(sim.commands) == 1


def test_a_wobbling_scale_times_out_with_a_clear_message(bench):
    sim, scale = bench
    sim.gross_kg, sim.unstable_replies = Decimal("3"), 10_000

    with pytest.raises(ScaleNotStable):
        scale.read_stable()


def test_zero_and_tare_with_an_empty_box_on_the_platform(bench):
    sim, scale = bench
    sim.gross_kg = Decimal("0.004")
    scale.zero()
    sim.gross_kg = Decimal("0.350")

    tare = scale.tare()
    sim.gross_kg = Decimal("1.600")

    assert tare.tare_grams == 350
    assert scale.read().grams == 1250


def test_mt_sics_over_a_socat_pseudo_terminal(tmp_path):
    sim = MtSicsSimulator(gross_kg=Decimal("12.34"))
    with socat_pair(tmp_path) as (device, host), running(serve_lines, device, sim.respond):
        scale = MtSicsScale("S2", SerialConfig(host, timeout=0.5), deadline_s=3,
                            interval_s=0.01)
        try:
            assert scale.read_stable().grams == 12340
        finally:
            scale.close()


def test_a_silent_scale_on_a_real_serial_line_reports_no_reply(tmp_path):
    sim = MtSicsSimulator(silent=True)
    with socat_pair(tmp_path) as (device, host), running(serve_lines, device, sim.respond):
        scale = MtSicsScale("S3", SerialConfig(host, timeout=0.1), deadline_s=0.5)
        try:
            with pytest.raises(ScaleNoReply):
                scale.read_stable()
        finally:
            scale.close()


def test_toledo_continuous_stream_over_a_socat_pseudo_terminal(tmp_path):
    frames = iter([toledo_frame(Decimal("5.00"), motion=True)] * 5)

    def next_frame():
        return next(frames, toledo_frame(Decimal("5.10")))

    with socat_pair(tmp_path) as (device, host), running(stream_frames, device, next_frame):
        scale = ToledoContinuousScale("T1", SerialConfig(host, framing="8N1", timeout=1),
                                      deadline_s=3)
        try:
            assert scale.read_stable().grams == 5100
        finally:
            scale.close()


def test_toledo_frames_through_loop_url_resync_after_garbage():
    port = serial.serial_for_url("loop://", timeout=0.1)
    port.write(b"\x00\x02noise" + toledo_frame(Decimal("7.25")) + b"\x02\x2c")

    frames, tail = split_frames(port.read(100))

    assert len(frames) == 1 and tail == b"\x02\x2c"
