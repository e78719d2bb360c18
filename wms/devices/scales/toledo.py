"""Toledo continuous output: the scale streams frames, the host only listens.

    STX SWA SWB SWC wwwwww tttttt CR [CHK]       (17 bytes, 18 with checksum)
    SWA bits 0-2: decimal point (010 = x1, 011 = 0.1, 100 = 0.01, 101 = 0.001)
    SWB bit 0 net, bit 1 negative, bit 2 out of range, bit 3 motion, bit 4 kg (else lb)
    CHK: two's complement of the 7-bit sum of every byte before it (STX and CR included)

Bit 7 is parity on 7E1 links and is masked off. The OS buffer holds old
frames, so a read flushes first and then takes the newest complete frame;
a frame with a bad checksum or bad digits is skipped, never misread.
"""

from __future__ import annotations

import time
from decimal import Decimal

from wms.devices.errors import (
    ScaleCommandFailed,
    ScaleError,
    ScaleNoReply,
    ScaleOverload,
    ScaleUnderload,
)
from wms.devices.ports import Weight
from wms.devices.scales.reader import stable_weight
from wms.devices.scales.serial_port import SerialConfig, SerialLine
from wms.devices.scales.units import to_grams

STX, CR = 0x02, 0x0D
_DECIMALS = {0: -2, 1: -1, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4}


def checksum(body: bytes) -> int:
    return (-sum(b & 0x7F for b in body)) & 0x7F


def split_frames(buffer: bytes, *, with_checksum: bool = True) -> tuple[list[bytes], bytes]:
    """Complete frames found in ``buffer`` (resynchronising on STX) and the unread tail."""
    size = 18 if with_checksum else 17
    frames: list[bytes] = []
    data = bytes(b & 0x7F for b in buffer)
    start = data.find(STX)
    while start >= 0 and len(data) - start >= size:
        candidate = data[start : start + size]
        if candidate[16] == CR and (not with_checksum or checksum(candidate[:17]) == candidate[17]):
            frames.append(candidate)
            start = data.find(STX, start + size)
        else:
            start = data.find(STX, start + 1)
    tail = data[start:] if start >= 0 else b""
    return frames, tail


def parse_frame(frame: bytes) -> Weight:
    """One checked frame to a Weight; ValueError for bad digits; raises when out of range."""
    swa, swb = frame[1] & 0x7F, frame[2] & 0x7F
    digits, tare_digits = frame[4:10], frame[10:16]
    if not (digits.isdigit() and tare_digits.isdigit()):
        raise ValueError(f"non-digit weight in {frame!r}")
    exponent = _DECIMALS.get(swa & 0x07)
    if exponent is None:
        raise ValueError(f"bad decimal point code in {frame!r}")
    negative = bool(swb & 0x02)
    if swb & 0x04:
        raise (ScaleUnderload if negative else ScaleOverload)("scale is out of range")
    unit = "kg" if swb & 0x10 else "lb"
    value = Decimal(int(digits)).scaleb(-exponent)
    tare = Decimal(int(tare_digits)).scaleb(-exponent)
    grams = to_grams(-value if negative else value, unit)
    return Weight(grams=grams, stable=not swb & 0x08, net=bool(swb & 0x01),
                  tare_grams=to_grams(tare, unit), raw=frame)


class ToledoContinuousScale:
    def __init__(self, code: str, config: SerialConfig, *, with_checksum: bool = True,
                 window: int = 3, tolerance_g: int = 0, deadline_s: float = 5.0) -> None:
        self.code = code
        self.line = SerialLine(config)
        self.with_checksum = with_checksum
        self.window, self.tolerance_g, self.deadline_s = window, tolerance_g, deadline_s

    def _latest_frame(self, *, flush: bool = True, timeout: float | None = None) -> bytes:
        if flush:
            self.line.reset_input()
        limit = time.monotonic() + (timeout or self.line.config.timeout)
        buffer = b""
        while time.monotonic() < limit:
            buffer += self.line.read(64)
            frames, _ = split_frames(buffer, with_checksum=self.with_checksum)
            if frames:
                return frames[-1]
        raise ScaleNoReply(f"{self.code}: no valid frame within the timeout")

    def _sample(self) -> Weight | None:
        try:
            return parse_frame(self._latest_frame(flush=False))
        except ValueError:
            return None

    def read(self) -> Weight:
        try:
            return parse_frame(self._latest_frame())
        except ValueError as exc:
            raise ScaleError(f"{self.code}: {exc}") from None

    def read_stable(self) -> Weight:
        self.line.reset_input()
        return stable_weight(self._sample, window=self.window, tolerance_g=self.tolerance_g,
                             deadline_s=self.deadline_s, interval_s=0.0)

    def zero(self) -> None:
        """Continuous-output terminals accept single-letter commands: Z zero, T tare."""
        self.line.write(b"Z")
        if self.read().grams != 0:
            raise ScaleCommandFailed(f"{self.code} did not zero: keep the platform still")

    def tare(self) -> Weight:
        self.line.write(b"T")
        weight = self.read()
        if not weight.net:
            raise ScaleCommandFailed(f"{self.code} did not tare")
        return weight

    def close(self) -> None:
        self.line.close()
