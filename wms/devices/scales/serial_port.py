"""A scale's serial line: pyserial ``serial_for_url``, timeouts, reopen after a failure.

URLs work the same as device paths: ``/dev/serial/by-id/...``,
``socket://host:port`` (serial servers, networked terminals), ``loop://``
and ``fakescale://name`` in tests and the demo.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import serial

from wms.devices.errors import ScaleNoReply, ScalePortUnavailable

_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass(frozen=True)
class SerialConfig:
    url: str
    baudrate: int = 9600
    #: data bits, parity, stop bits: "8N1", "7E1" ...
    framing: str = "8N1"
    timeout: float = 1.0


class SerialLine:
    def __init__(self, config: SerialConfig) -> None:
        self.config = config
        self._port: serial.SerialBase | None = None
        self.lock = threading.Lock()

    def port(self) -> serial.SerialBase:
        if self._port is None:
            cfg = self.config
            bits, parity, stop = cfg.framing[0], cfg.framing[1].upper(), cfg.framing[2]
            options = {}
            if "://" not in cfg.url:
                options["exclusive"] = True  # two workers must not read one scale
            try:
                self._port = serial.serial_for_url(
                    cfg.url,
                    baudrate=cfg.baudrate,
                    bytesize=int(bits),
                    parity=_PARITY[parity],
                    stopbits=int(stop),
                    timeout=cfg.timeout,
                    write_timeout=cfg.timeout,
                    **options,
                )
            except (serial.SerialException, ValueError, OSError) as exc:
                raise ScalePortUnavailable(f"cannot open scale port {cfg.url}: {exc}") from None
        return self._port

    def ask(self, request: bytes, terminator: bytes = b"\r\n") -> bytes:
        """Drop stale input, send a request, read one reply line (or ScaleNoReply)."""
        with self.lock:
            try:
                port = self.port()
                port.reset_input_buffer()
                port.write(request)
                reply = port.read_until(terminator)
            except (serial.SerialException, OSError) as exc:
                self.close()
                raise ScaleNoReply(f"scale line failed: {exc}") from None
        if not reply.endswith(terminator):
            raise ScaleNoReply(f"no reply to {request.strip()!r} within {self.config.timeout:g} s")
        return reply

    def read(self, size: int) -> bytes:
        with self.lock:
            try:
                return self.port().read(size)
            except (serial.SerialException, OSError) as exc:
                self.close()
                raise ScaleNoReply(f"scale line failed: {exc}") from None

    def write(self, data: bytes) -> None:
        with self.lock:
            try:
                self.port().write(data)
            except (serial.SerialException, OSError) as exc:
                self.close()
                raise ScaleNoReply(f"scale line failed: {exc}") from None

    def reset_input(self) -> None:
        with self.lock:
            try:
                self.port().reset_input_buffer()
            except (serial.SerialException, OSError):
                self.close()

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            finally:
                self._port = None
