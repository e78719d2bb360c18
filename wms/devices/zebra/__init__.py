"""Zebra label printers: ZPL over raw TCP (9100) or serial, status via ~HS / ~HQES."""

from __future__ import annotations

from wms.devices.zebra.printer import ZebraPrinter
from wms.devices.zebra.transport import SerialTransport, TcpTransport


def tcp_printer(code: str, host: str, port: int = 9100, *, connect_timeout: float = 3.0,
                io_timeout: float = 2.0, status_query: bool = True) -> ZebraPrinter:
    def factory() -> TcpTransport:
        return TcpTransport(host, port, connect_timeout=connect_timeout, io_timeout=io_timeout)

    return ZebraPrinter(code, factory, status_query=status_query, status_timeout=io_timeout)


def serial_printer(code: str, url: str, *, baudrate: int = 9600, xonxoff: bool = True,
                   io_timeout: float = 2.0, status_query: bool = True) -> ZebraPrinter:
    def factory() -> SerialTransport:
        return SerialTransport(url, baudrate=baudrate, xonxoff=xonxoff, io_timeout=io_timeout)

    return ZebraPrinter(code, factory, status_query=status_query, status_timeout=io_timeout)


__all__ = ["SerialTransport", "TcpTransport", "ZebraPrinter", "serial_printer", "tcp_printer"]
