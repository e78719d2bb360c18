"""The Zebra driver: status through ~HS (then ~HQES), jobs with a check before and after.

One connection at a time per printer (the raw port is first come, first
served): a lock serialises status polls and jobs in this process, and
connections are short. A status that does not arrive in time is
``unknown``, never ``ready``: Zebra documents that ~HS stays silent while
media is out or the head is open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from wms.devices.errors import PrinterNotReady, PrinterUnreachable, SendInterrupted
from wms.devices.ports import PrinterState, PrinterStatus
from wms.devices.zebra import status as zs
from wms.devices.zebra.transport import Transport

HS = b"~HS"
HQES = b"~HQES"


class ZebraPrinter:
    def __init__(
        self,
        code: str,
        transport_factory: Callable[[], Transport],
        *,
        status_query: bool = True,
        extended_status: bool = True,
        status_timeout: float = 2.0,
    ) -> None:
        self.code = code
        self._transport_factory = transport_factory
        self.status_query = status_query
        self.extended_status = extended_status
        self.status_timeout = status_timeout
        self._lock = threading.Lock()

    # ----------------------------------------------------------- public ---

    def status(self) -> PrinterStatus:
        if not self.status_query:
            return PrinterStatus(PrinterState.unknown, detail="status query disabled")
        with self._lock:
            try:
                transport = self._open()
            except PrinterUnreachable as exc:
                return PrinterStatus(PrinterState.offline, detail=exc.detail)
            try:
                return self._query_status(transport)
            except ConnectionError as exc:
                return PrinterStatus(PrinterState.unknown, detail=f"connection lost: {exc}")
            finally:
                transport.close()

    def send(self, data: bytes) -> PrinterStatus:
        with self._lock:
            transport = self._open()
            try:
                return self._send_on(transport, data)
            finally:
                transport.close()

    # --------------------------------------------------------- internals ---

    def _open(self) -> Transport:
        transport = self._transport_factory()
        try:
            transport.open()
        except OSError as exc:
            raise PrinterUnreachable(f"{self.code}: {exc}", printer=self.code) from None
        return transport

    def _send_on(self, transport: Transport, data: bytes) -> PrinterStatus:
        if self.status_query:
            try:
                before = self._query_status(transport)
            except ConnectionError as exc:
                raise PrinterUnreachable(f"{self.code}: {exc}", printer=self.code) from None
            if not before.ready:
                raise PrinterNotReady(before, printer=self.code)
        try:
            transport.write(data)
        except OSError as exc:
            raise SendInterrupted(f"{self.code}: {exc}", printer=self.code) from None
        if not self.status_query:
            return PrinterStatus(PrinterState.unknown, detail="sent; status query disabled")
        try:
            # The reply proves the connection held until after the job's bytes.
            return self._query_status(transport, extended=False)
        except OSError as exc:
            raise SendInterrupted(f"{self.code}: {exc}", printer=self.code) from None

    def _query_status(self, transport: Transport, *, extended: bool | None = None) -> PrinterStatus:
        raw = self._ask(transport, HS, frames=3)
        try:
            return zs.to_printer_status(zs.parse_host_status(raw))
        except ValueError:
            pass
        if extended if extended is not None else self.extended_status:
            raw_ext = self._ask(transport, HQES, frames=1)
            try:
                return zs.extended_to_printer_status(zs.parse_extended_status(raw_ext))
            except ValueError:
                pass
        detail = "no status reply (media out, head open or busy?)" if not raw else "garbled status"
        return PrinterStatus(PrinterState.unknown, detail=detail)

    def _ask(self, transport: Transport, command: bytes, *, frames: int) -> bytes:
        """Send a ~ query; collect until ``frames`` ETX bytes or the timeout."""
        transport.write(command)
        deadline = time.monotonic() + self.status_timeout
        buf = b""
        while buf.count(zs.ETX) < frames and time.monotonic() < deadline:
            buf += transport.read(4096)
        return buf
