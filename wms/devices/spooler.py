"""The print spooler: one sender thread per printer sends committed jobs, in order.

Each attempt is: claim (short transaction) -> send (socket I/O, no
transaction open) -> record the outcome (short transaction).

- printer offline, paused, out of paper, status unknown: nothing was sent,
  the job waits with exponential backoff and jitter (1 s to 60 s) and is
  sent once when the printer is back; after ``give_up_after`` it fails;
- connection lost mid-job: a plain label is sent again; a label carrying
  an SSCC or serial number becomes ``uncertain`` and waits for a person;
- success is ``sent``, never ``printed``: raw ZPL is not acknowledged.

An idle sender makes no query: it waits to be woken, by ``wake()`` after a
commit that queued jobs, or by the discovery thread, whose one query every
``poll_interval`` finds the printers with open jobs (queued, waiting for a
retry, or sending under a lease that may have expired) in any process. It
wakes by itself only when a retry falls due and for its printer's health
check every ``health_interval``, so the console sees paper out even when
nothing prints; status changes go to the StatusBoard.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from wms.devices.errors import PrinterNotReady, PrinterUnreachable, SendInterrupted
from wms.devices.health import StatusBoard
from wms.devices.ports import ClaimedJob, JobStore, LabelPrinter, PrinterState, PrinterStatus
from wms.errors import DeviceError, WmsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.2
    #: A job still unsent this long after it was created fails (and alerts).
    give_up_after: float = 8 * 3600

    def delay(self, attempts: int, rng: random.Random) -> float:
        base = min(self.max_delay, self.first_delay * 2 ** max(0, attempts - 1))
        return base * (1 + rng.uniform(-self.jitter, self.jitter))

    def expired(self, job: ClaimedJob) -> bool:
        return (datetime.now(UTC) - job.created_at).total_seconds() > self.give_up_after


#: A sender whose head job waits for a retry looks again at least this often.
MAX_RETRY_WAIT = 5.0


class PrintSpooler:
    def __init__(
        self,
        store: JobStore,
        printer_for: Callable[[str], LabelPrinter],
        *,
        board: StatusBoard | None = None,
        policy: RetryPolicy | None = None,
        poll_interval: float = 2.0,
        health_interval: float = 15.0,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.printer_for = printer_for
        self.board = board or StatusBoard()
        self.policy = policy or RetryPolicy()
        self.poll_interval = poll_interval
        self.health_interval = health_interval
        self.rng = rng or random.Random()
        self._senders: dict[str, _Sender] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._discover: threading.Thread | None = None

    # ---------------------------------------------------------- control ---

    def start(self, printer_codes: Iterable[str] = ()) -> None:
        """Start senders for known printers and a thread that finds printers with work."""
        self._stop.clear()
        for code in printer_codes:
            self._sender(code)
        self._discover = threading.Thread(
            target=self._discover_loop, daemon=True, name="spooler-discover"
        )
        self._discover.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            senders = list(self._senders.values())
            self._senders.clear()
        for sender in senders:
            sender.wake.set()
        for sender in senders:
            sender.thread.join(timeout)
        if self._discover is not None:
            self._discover.join(timeout)

    def wake(self, printer_codes: Iterable[str]) -> None:
        """Called after a commit that queued jobs: their printers' senders look now."""
        for code in printer_codes:
            self._sender(code).wake.set()

    def keep(self, printer_codes: Iterable[str]) -> None:
        """Stop the senders of printers no longer configured (removed or disabled)."""
        wanted = set(printer_codes)
        with self._lock:
            gone = [s for code, s in self._senders.items() if code not in wanted]
            for sender in gone:
                del self._senders[sender.code]
        for sender in gone:
            sender.retired.set()
            sender.wake.set()
        self.board.forget(s.code for s in gone)

    # ------------------------------------------------------------ loops ---

    def _sender(self, code: str) -> _Sender:
        with self._lock:
            sender = self._senders.get(code)
            if sender is None and not self._stop.is_set():
                sender = _Sender(self, code)
                self._senders[code] = sender
                sender.thread.start()
            return sender or _Sender(self, code)

    def _discover_loop(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                for code in self.store.printers_with_work():
                    self._sender(code).wake.set()
            except Exception:  # the database may be briefly away; try again later
                log.exception("spooler could not list printers with work")


class _Sender:
    """The only thread in this process that talks to one printer."""

    def __init__(self, spooler: PrintSpooler, code: str) -> None:
        self.spooler = spooler
        self.code = code
        self.wake = threading.Event()
        #: Set when the printer was removed or disabled: the thread ends.
        self.retired = threading.Event()
        self.token = uuid.uuid4().hex
        self.last_health = 0.0
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"spooler-{code}")

    def ending(self) -> bool:
        return self.spooler._stop.is_set() or self.retired.is_set()

    def run(self) -> None:
        while not self.ending():
            try:
                job, due_in = self.spooler.store.claim(self.code, self.token)
            except Exception:  # the database may be briefly away: claim again soon
                log.exception("spooler claim failed for %s", self.code)
                self.rest(self.spooler.poll_interval)
                continue
            if job is not None:
                try:
                    self.deliver(job)
                except Exception:  # e.g. the database is away; the lease recovers the job
                    log.exception("spooler could not finish job %s", job.ref)
                continue
            self.rest(None if due_in is None else min(due_in, MAX_RETRY_WAIT))

    def rest(self, claim_in: float | None) -> None:
        """Wait until woken, or ``claim_in`` seconds (None: until woken), checking health.

        Nothing here claims: an idle printer costs no query but its health
        check (and a write when its status changed). The wait ends at once
        on ``wake()``, on discovery, on stop and on retirement.
        """
        deadline = None if claim_in is None else time.monotonic() + max(0.01, claim_in)
        while not self.ending():
            self.idle_health()
            now = time.monotonic()
            timeout = self.last_health + self.spooler.health_interval - now
            if deadline is not None:
                if now >= deadline:
                    return
                timeout = min(timeout, deadline - now)
            if self.wake.wait(max(0.01, timeout)):
                self.wake.clear()
                return

    def idle_health(self) -> None:
        if time.monotonic() - self.last_health < self.spooler.health_interval:
            return
        self.last_health = time.monotonic()
        try:
            status = self.spooler.printer_for(self.code).status()
        except DeviceError as exc:
            status = PrinterStatus(PrinterState.unknown, detail=exc.detail)
        except WmsError:  # removed from the configuration since this sender started
            return
        self.publish(status)

    def publish(self, status: PrinterStatus) -> None:
        if self.spooler.board.update(self.code, status):
            try:
                self.spooler.store.printer_status(self.code, status)
            except Exception:
                log.exception("could not record status of %s", self.code)

    def deliver(self, job: ClaimedJob) -> None:
        spooler = self.spooler
        try:
            status = spooler.printer_for(self.code).send(job.data)
        except PrinterNotReady as exc:
            self.publish(exc.status)
            self.retry(job, f"{exc.status.state.value}: {exc.status.detail}")
        except PrinterUnreachable as exc:
            self.publish(PrinterStatus(PrinterState.offline, detail=exc.detail))
            self.retry(job, f"offline: {exc.detail}")
        except SendInterrupted as exc:
            self.publish(PrinterStatus(PrinterState.unknown, detail=exc.detail))
            if job.serialized:
                spooler.store.uncertain(job, reason=exc.detail)
                spooler.board.job_needs_attention(self.code, job, exc.detail)
            else:
                self.retry(job, f"interrupted: {exc.detail}", delay=0.0)
        except DeviceError as exc:
            self.retry(job, exc.detail)
        except WmsError as exc:  # the printer left the configuration after the claim
            self.retry(job, exc.detail)
        else:
            self.last_health = time.monotonic()
            spooler.store.sent(job, status)
            if status.state is not PrinterState.unknown:
                self.publish(status)

    def retry(self, job: ClaimedJob, reason: str, delay: float | None = None) -> None:
        policy = self.spooler.policy
        if delay is None:
            delay = policy.delay(job.attempts, self.spooler.rng)
        self.spooler.store.retry(job, reason=reason, delay=delay, give_up=policy.expired(job))
