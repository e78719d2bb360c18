"""Scale simulators: an MT-SICS balance that answers commands, and Toledo frame bytes.

Used by the ``fakescale://`` pyserial URL (demo and tests), behind a socat
pseudo-terminal in tests, and to build continuous-output streams.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal

from wms.devices.scales.toledo import checksum


@dataclass
class MtSicsSimulator:
    """A balance: gross weight in kg, tare, and switches for every reply the protocol has."""

    gross_kg: Decimal = Decimal("0")
    tare_kg: Decimal = Decimal("0")
    stable: bool = True
    #: The next ``unstable_replies`` SI answers are "S D" (goods still settling).
    unstable_replies: int = 0
    busy: bool = False
    overload: bool = False
    underload: bool = False
    #: The next ``garbled_replies`` answers are line noise.
    garbled_replies: int = 0
    silent: bool = False
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def net(self) -> Decimal:
        return self.gross_kg - self.tare_kg

    def _weight_line(self, cmd: str, value: Decimal, stable: bool) -> bytes:
        return f"{cmd} {'S' if stable else 'D'} {value:>10.3f} kg\r\n".encode()

    def respond(self, line: str) -> bytes:
        with self.lock:
            self.commands.append(line)
            if self.silent:
                return b""
            if self.garbled_replies:
                self.garbled_replies -= 1
                return b"S \xff#?!\r\n"
            return self._answer(line)

    def _answer(self, line: str) -> bytes:
        if line in ("S", "SI"):
            if self.overload or self.underload:
                return b"S +\r\n" if self.overload else b"S -\r\n"
            if self.busy:
                return b"S I\r\n"
            stable = self.stable and self.unstable_replies == 0
            if self.unstable_replies:
                self.unstable_replies -= 1
            if line == "S" and not stable:
                return b"S I\r\n"
            return self._weight_line("S", self.net(), stable)
        if line == "Z":
            if not self.stable:
                return b"Z I\r\n"
            self.gross_kg, self.tare_kg = Decimal("0"), Decimal("0")
            return b"Z A\r\n"
        if line == "T":
            if not self.stable:
                return b"T I\r\n"
            self.tare_kg = self.gross_kg
            return self._weight_line("T", self.tare_kg, True)
        if line == "@":
            return b'I4 A "0123456789"\r\n'
        return b"ES\r\n"


def toledo_frame(value: Decimal, *, decimals: int = 2, tare: Decimal = Decimal(0),
                 motion: bool = False, net: bool = False, negative: bool = False,
                 out_of_range: bool = False, kg: bool = True, with_checksum: bool = True) -> bytes:
    """One Toledo continuous frame, e.g. 12.34 kg stable."""
    swa = 0x20 | 0x08 | (decimals + 2)
    swb = 0x20 | (0x10 if kg else 0) | (0x08 if motion else 0) | (0x04 if out_of_range else 0)
    swb |= (0x02 if negative else 0) | (0x01 if net else 0)
    scale = Decimal(10) ** decimals
    weight = f"{int(abs(value) * scale):06d}".encode()
    tare_digits = f"{int(tare * scale):06d}".encode()
    body = bytes([0x02, swa, swb, 0x20]) + weight + tare_digits + b"\r"
    return body + bytes([checksum(body)]) if with_checksum else body
