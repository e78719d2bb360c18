"""Byte pipes to a printer: raw TCP (port 9100) and serial (pyserial URLs).

Both have a connect timeout and a per-read timeout. ``read`` returns b""
when nothing arrived in time and raises ConnectionError when the peer is
gone, so callers can tell "silent" from "disconnected".
"""

from __future__ import annotations

import socket
from typing import Protocol

import serial


class Transport(Protocol):
    def open(self) -> None: ...
    def write(self, data: bytes) -> None: ...
    def read(self, size: int = 4096) -> bytes: ...
    def close(self) -> None: ...


class TcpTransport:
    """Short connections: connect, query, send, query, close; never held open."""

    def __init__(self, host: str, port: int = 9100, *, connect_timeout: float = 3.0,
                 io_timeout: float = 2.0) -> None:
        self.host, self.port = host, port
        self.connect_timeout, self.io_timeout = connect_timeout, io_timeout
        self._sock: socket.socket | None = None

    def open(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        sock.settimeout(self.io_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionError("transport is not open")
        return self._sock

    def write(self, data: bytes) -> None:
        self._socket().sendall(data)

    def read(self, size: int = 4096) -> bytes:
        try:
            chunk = self._socket().recv(size)
        except TimeoutError:
            return b""
        if not chunk:
            raise ConnectionResetError("printer closed the connection")
        return chunk

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


class SerialTransport:
    """RS-232 through ``serial_for_url``: a device path, ``socket://`` or ``loop://``."""

    def __init__(self, url: str, *, baudrate: int = 9600, xonxoff: bool = True,
                 io_timeout: float = 2.0) -> None:
        self.url, self.baudrate, self.xonxoff = url, baudrate, xonxoff
        self.io_timeout = io_timeout
        self._port: serial.SerialBase | None = None

    def open(self) -> None:
        try:
            self._port = serial.serial_for_url(
                self.url, baudrate=self.baudrate, xonxoff=self.xonxoff,
                timeout=self.io_timeout, write_timeout=self.io_timeout,
            )
        except (serial.SerialException, ValueError) as exc:
            raise ConnectionRefusedError(str(exc)) from exc

    def _serial(self) -> serial.SerialBase:
        if self._port is None:
            raise ConnectionError("transport is not open")
        return self._port

    def write(self, data: bytes) -> None:
        try:
            self._serial().write(data)
            self._serial().flush()
        except serial.SerialTimeoutException as exc:
            raise ConnectionError(f"serial write timed out: {exc}") from exc
        except serial.SerialException as exc:
            raise ConnectionError(str(exc)) from exc

    def read(self, size: int = 4096) -> bytes:
        try:
            port = self._serial()
            first = port.read(1)  # waits up to the read timeout
            if not first:
                return b""
            return first + port.read(min(size - 1, port.in_waiting))
        except serial.SerialException as exc:
            raise ConnectionError(str(exc)) from exc

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            finally:
                self._port = None
