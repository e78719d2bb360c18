"""Live device health: the last status of each printer and scale, and the listeners told of changes.

The app wires listeners that push ``printer.status_changed`` and
``scale.status_changed`` over Socket.IO; the core never imports Socket.IO.
A listener that raises is logged and skipped: a broken push never stops
printing or weighing.

Printers are polled by their spooler sender (``~HS`` when idle and after
every job). Scales are polled by ``ScaleMonitor``: one reading every few
seconds, classified by ``probe_scale``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from wms.devices.errors import (
    ScaleCommandFailed,
    ScaleError,
    ScaleNoReply,
    ScaleOverload,
    ScalePortUnavailable,
    ScaleUnderload,
)
from wms.devices.ports import (
    ClaimedJob,
    PrinterStatus,
    Scale,
    ScaleState,
    ScaleStatus,
    StatusListener,
)
from wms.errors import WmsError

log = logging.getLogger(__name__)

AttentionListener = Callable[[str, int, str, str], None]
ScaleListener = Callable[[str, ScaleStatus], None]


class StatusBoard:
    def __init__(self) -> None:
        self._last: dict[str, PrinterStatus] = {}
        self._scales: dict[str, ScaleStatus] = {}
        self._lock = threading.Lock()
        #: ``listener(printer_code, status)`` on every change of state or flags.
        self.on_status_change: list[StatusListener] = []
        #: ``listener(printer_code, job_id, job_ref, reason)`` when a person must decide.
        self.on_job_attention: list[AttentionListener] = []
        #: ``listener(scale_code, status)`` on every change of a scale's state.
        self.on_scale_change: list[ScaleListener] = []

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
            _tell(self.on_status_change, code, status)
        return changed

    def forget(self, codes: Iterable[str]) -> None:
        """Printers that were removed or disabled: their last status no longer means anything."""
        with self._lock:
            for code in codes:
                self._last.pop(code, None)

    # ------------------------------------------------------------ scales ---

    def scale(self, code: str) -> ScaleStatus | None:
        with self._lock:
            return self._scales.get(code)

    def update_scale(self, code: str, status: ScaleStatus) -> bool:
        """Remember a scale's status; True (and listeners called) if its state changed."""
        with self._lock:
            before = self._scales.get(code)
            self._scales[code] = status
        changed = before is None or before.state is not status.state
        if changed:
            _tell(self.on_scale_change, code, status)
        return changed

    def keep_scales(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        with self._lock:
            for code in set(self._scales) - wanted:
                del self._scales[code]

    def job_needs_attention(self, code: str, job: ClaimedJob, reason: str) -> None:
        for listener in list(self.on_job_attention):
            try:
                listener(code, job.id, job.ref, reason)
            except Exception:
                log.exception("attention listener failed for job %s", job.ref)


def _tell(listeners: list, code: str, status: object) -> None:
    for listener in list(listeners):
        try:
            listener(code, status)
        except Exception:
            log.exception("status listener failed for %s", code)


def probe_scale(scale: Scale) -> ScaleStatus:
    """One reading, classified; never raises for a device problem."""
    try:
        weight = scale.read()
    except ScaleOverload as exc:
        return ScaleStatus(ScaleState.overload, detail=exc.detail)
    except ScaleUnderload as exc:
        return ScaleStatus(ScaleState.underload, detail=exc.detail)
    except (ScaleNoReply, ScalePortUnavailable) as exc:
        return ScaleStatus(ScaleState.offline, detail=exc.detail)
    except ScaleCommandFailed as exc:
        return ScaleStatus(ScaleState.reachable, detail=exc.detail)
    except ScaleError as exc:
        return ScaleStatus(ScaleState.error, detail=exc.detail)
    except WmsError as exc:  # e.g. the scale was removed while being probed
        return ScaleStatus(ScaleState.offline, detail=exc.detail)
    state = ScaleState.stable if weight.stable else ScaleState.unstable
    return ScaleStatus(state, grams=weight.grams)


class ScaleMonitor:
    """A thread that reads every configured scale once per ``interval`` and posts its health.

    ``codes()`` is asked on every round, so scales added or removed in the
    console are picked up without a restart; ``wake()`` starts a round now.
    ``on_round`` (optional) runs first in every round, e.g. to reload the
    device configuration edited by another process.
    """

    def __init__(
        self,
        codes: Callable[[], list[str]],
        scale_for: Callable[[str], Scale],
        board: StatusBoard,
        *,
        interval: float = 5.0,
        on_round: Callable[[], None] | None = None,
    ) -> None:
        self.codes = codes
        self.scale_for = scale_for
        self.board = board
        self.interval = interval
        self.on_round = on_round
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ScaleMonitor:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="scale-monitor")
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def round(self) -> None:
        if self.on_round is not None:
            try:
                self.on_round()
            except Exception:
                log.exception("device configuration check failed")
        codes = self.codes()
        self.board.keep_scales(codes)
        for code in codes:
            if self._stop.is_set():
                return
            try:
                scale = self.scale_for(code)
            except WmsError as exc:
                self.board.update_scale(code, ScaleStatus(ScaleState.offline, detail=exc.detail))
                continue
            self.board.update_scale(code, probe_scale(scale))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:
                log.exception("scale monitor round failed")
            self._wake.wait(self.interval)
            self._wake.clear()
