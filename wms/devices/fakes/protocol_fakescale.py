"""pyserial URL handler ``fakescale://<name>``: an in-process MT-SICS balance.

``register()`` adds this package to pyserial's handler search path; the
simulator behind each name is in ``SIMULATORS`` (created on first use), so
a test or the demo can put goods on the platform and make it wobble.
"""

from __future__ import annotations

import threading
import time

import serial
from serial.serialutil import SerialBase

from wms.devices.fakes.scale_sim import MtSicsSimulator

SIMULATORS: dict[str, MtSicsSimulator] = {}
_PACKAGE = "wms.devices.fakes"


def register() -> None:
    if _PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(_PACKAGE)


def simulator(name: str) -> MtSicsSimulator:
    return SIMULATORS.setdefault(name, MtSicsSimulator())


class Serial(SerialBase):
    """Bytes written are MT-SICS commands; replies wait in an input buffer."""

    def open(self) -> None:
        if self._port is None:
            raise serial.SerialException("port must be given")
        self.sim = simulator(str(self._port).split("://", 1)[1].strip("/"))
        self._out = bytearray()
        self._in = bytearray()
        self._cond = threading.Condition()
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def from_url(self, url: str) -> str:
        return url

    def _reconfigure_port(self) -> None:
        pass

    @property
    def in_waiting(self) -> int:
        return len(self._in)

    def reset_input_buffer(self) -> None:
        with self._cond:
            self._in.clear()

    def reset_output_buffer(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        self._out += data
        while b"\r\n" in self._out:
            line, _, rest = bytes(self._out).partition(b"\r\n")
            self._out = bytearray(rest)
            reply = self.sim.respond(line.decode("ascii", "replace").strip())
            with self._cond:
                self._in += reply
                self._cond.notify_all()
        return len(data)

    def read(self, size: int = 1) -> bytes:
        deadline = time.monotonic() + (self._timeout or 0)
        with self._cond:
            while len(self._in) < size:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            chunk = bytes(self._in[:size])
            del self._in[:size]
        return chunk
