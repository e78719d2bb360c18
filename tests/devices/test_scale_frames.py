"""Scale frames parsed from bytes, and the stable-weight window, without any I/O."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wms.devices.errors import ScaleNoReply, ScaleNotStable, ScaleOverload, ScaleUnderload
from wms.devices.fakes.scale_sim import toledo_frame
from wms.devices.ports import Weight
from wms.devices.scales.mtsics import parse_reply, weight_from
from wms.devices.scales.reader import stable_weight
from wms.devices.scales.toledo import parse_frame, split_frames
from wms.devices.scales.units import to_grams

# From the MT Wildcat / Kern manuals: 12.34 kg stable with 0.50 kg tare, and net in motion.
STABLE_FRAME = bytes.fromhex("022c30203030313233343030303035300d26")
MOTION_FRAME = bytes.fromhex("022c39203030313233343030303030300d22")


def test_sics_stable_reply_is_read_in_grams():
    weight = weight_from(parse_reply(b"S S      12.34 kg\r\n"))

    assert weight == Weight(grams=12340, stable=True, raw=b"S S      12.34 kg\r\n")


def test_sics_dynamic_reply_is_not_stable():
    assert weight_from(parse_reply(b"S D       0.512 kg\r\n")).stable is False


def test_sics_busy_is_no_reading():
    assert weight_from(parse_reply(b"S I\r\n")) is None


@pytest.mark.parametrize(("line", "error"), [(b"S +\r\n", ScaleOverload),
                                              (b"S -\r\n", ScaleUnderload)])
def test_sics_overload_and_underload_say_so(line, error):
    with pytest.raises(error):
        weight_from(parse_reply(line))


@pytest.mark.parametrize("line", [b"S S kg\r\n", b"X S 1 kg\r\n", b"S S 1.2.3 kg\r\n", b"\xff"])
def test_sics_garbled_reply_is_refused_not_misread(line):
    with pytest.raises((ValueError, UnicodeDecodeError)):
        parse_reply(line)


def test_pounds_and_ounces_convert_exactly_to_grams():
    assert (to_grams(Decimal("1"), "lb"), to_grams(Decimal("1"), "oz")) == (454, 28)


def test_toledo_frame_carries_weight_tare_and_stability():
    weight = parse_frame(STABLE_FRAME)

    assert (weight.grams, weight.tare_grams, weight.stable, weight.net) == (12340, 500, True,
                                                                            False)


def test_toledo_motion_bit_means_unstable_and_net_bit_means_net():
    weight = parse_frame(MOTION_FRAME)

    assert (weight.stable, weight.net) == (False, True)


def test_our_frame_builder_matches_the_manual_bytes():
    assert toledo_frame(Decimal("12.34"), tare=Decimal("0.50")) == STABLE_FRAME


def test_toledo_stream_resyncs_after_noise_and_skips_a_bad_checksum():
    bad = STABLE_FRAME[:-1] + b"\x00"
    stream = b"\x02\x7f junk" + bad + MOTION_FRAME + STABLE_FRAME[:9]

    frames, tail = split_frames(stream)

    assert frames == [MOTION_FRAME]
    assert tail == STABLE_FRAME[:9]


def test_toledo_parity_bit_is_ignored():
    with_parity = bytes(b | 0x80 for b in STABLE_FRAME)

    assert split_frames(with_parity)[0] == [STABLE_FRAME]


def test_toledo_out_of_range_is_overload():
    with pytest.raises(ScaleOverload):
        parse_frame(toledo_frame(Decimal("999"), out_of_range=True))


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def readings(*values):
    seq = iter(values)
    return lambda: next(seq)


def w(grams, stable=True):
    return Weight(grams=grams, stable=stable)


def test_stable_weight_needs_a_full_window_of_agreeing_stable_readings():
    clock = FakeClock()
    sample = readings(w(1000, False), w(1002), None, w(1001), w(1001), w(1002))

    weight = stable_weight(sample, window=3, tolerance_g=1, clock=clock, sleep=clock.sleep)

    assert weight.grams == 1002


def test_a_scale_that_never_settles_times_out_with_a_clear_message():
    clock = FakeClock()

    with pytest.raises(ScaleNotStable, match="did not settle"):
        stable_weight(lambda: w(1000, False), deadline_s=2, clock=clock, sleep=clock.sleep)


def test_a_scale_that_never_answers_says_so():
    clock = FakeClock()

    def silent():
        raise ScaleNoReply("no reply")

    with pytest.raises(ScaleNoReply):
        stable_weight(silent, deadline_s=1, clock=clock, sleep=clock.sleep)
