"""Live device health: the last status of each printer and the listeners told of changes.

The app wires a listener that pushes ``printer.status_changed`` over
Socket.IO; the core never imports Socket.IO. A listener that raises is
logged and skipped: a broken push never stops printing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from wms.devices.ports import ClaimedJob, PrinterStatus, StatusListener

log = logging.getLogger(__name__)

AttentionListener = Callable[[str, int, str, str], None]


class StatusBoard:
    def __init__(self) -> None:
        self._last: dict[str, PrinterStatus] = {}
        self._lock = threading.Lock()
        #: ``listener(printer_code, status)`` on every change of state or flags.
        self.on_status_change: list[StatusListener] = []
        #: ``listener(printer_code, job_id, job_ref, reason)`` when a person must decide.
        self.on_job_attention: list[AttentionListener] = []

    def get(self, code: str) -> PrinterStatus | None:
        with self._lock:
            return self._last.get(code)

    def snapshot(self) -> dict[str, PrinterStatus]:
        with self._lock:
            return dict(self._last)

    def update(self, code: str, status: PrinterStatus) -> bool:
        """Remember a status; True (and listeners called) if it differs from the last one."""
        with self._lock:
            before = self._last.get(code)
            self._last[code] = status
        changed = before is None or (before.state, before.flags) != (status.state, status.flags)
        if changed:
            for listener in list(self.on_status_change):
                try:
                    listener(code, status)
                except Exception:
                    log.exception("status listener failed for %s", code)
        return changed

    def job_needs_attention(self, code: str, job: ClaimedJob, reason: str) -> None:
        for listener in list(self.on_job_attention):
            try:
                listener(code, job.id, job.ref, reason)
            except Exception:
                log.exception("attention listener failed for job %s", job.ref)
