"""The demo printer: each job becomes a ``.zpl`` file and, when zplkit is there, a ``.png``.

It is a fake and says so in its status detail; it prints nothing.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from wms.devices.errors import PrinterNotReady
from wms.devices.ports import PrinterState, PrinterStatus
from wms.devices.preview import PreviewUnavailable, render_png

_JOB_REF = re.compile(rb"\^FXJOB:([0-9A-Za-z-]+)")


class FakeSpoolPrinter:
    def __init__(self, code: str, folder: Path, *, dpi: int = 203, preview: bool = True) -> None:
        self.code = code
        self.folder = Path(folder)
        self.dpi = dpi
        self.preview = preview
        self.state = PrinterState.ready
        self._lock = threading.Lock()

    def status(self) -> PrinterStatus:
        return PrinterStatus(self.state, detail=f"fake printer writing to {self.folder.name}/")

    def send(self, data: bytes) -> PrinterStatus:
        status = self.status()
        if not status.ready:
            raise PrinterNotReady(status, printer=self.code)
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = self._stem(data)
            (self.folder / f"{stem}.zpl").write_bytes(data)
            if self.preview:
                self._write_preview(stem, data)
        return status

    def _stem(self, data: bytes) -> str:
        match = _JOB_REF.search(data)
        ref = match.group(1).decode() if match else "job"
        return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{ref}"

    def _write_preview(self, stem: str, data: bytes) -> None:
        try:
            png = render_png(data, dpi=self.dpi)
        except PreviewUnavailable as exc:
            (self.folder / f"{stem}.preview.txt").write_text(exc.detail + "\n", encoding="utf-8")
            return
        (self.folder / f"{stem}.png").write_bytes(png)
