"""Device ports: the Protocols services depend on, and the values they exchange.

Concrete drivers (``zebra``, ``scales``, ``fakes``) are built at the edge by
the registry; everything else sees only these shapes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


class PrinterState(enum.StrEnum):
    """One word for what a supervisor must know; ``unknown`` is never ``ready``."""

    ready = "ready"
    paper_out = "paper_out"
    ribbon_out = "ribbon_out"
    head_open = "head_open"
    paused = "paused"
    buffer_full = "buffer_full"
    error = "error"
    offline = "offline"
    unknown = "unknown"


#: States in which a job is held and retried rather than sent.
HOLD_STATES = frozenset(set(PrinterState) - {PrinterState.ready})


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    #: Every flag the printer reported (``paper_out``, ``paused``, ``head_open`` ...).
    flags: frozenset[str] = frozenset()
    detail: str = ""
    labels_remaining: int | None = None
    at: datetime = field(default_factory=_now)

    @property
    def ready(self) -> bool:
        return self.state is PrinterState.ready

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "flags": sorted(self.flags),
            "detail": self.detail,
            "labels_remaining": self.labels_remaining,
            "at": self.at.isoformat(),
        }


class ScaleState(enum.StrEnum):
    """A scale's health as the console shows it, from one reading."""

    stable = "stable"  # answered with a settled weight
    unstable = "unstable"  # answered, weight still moving
    reachable = "reachable"  # answered but gave no weight (busy)
    overload = "overload"  # above capacity
    underload = "underload"  # below zero
    error = "error"  # garbled or error reply
    offline = "offline"  # no reply, or the port cannot be opened


@dataclass(frozen=True)
class ScaleStatus:
    state: ScaleState
    grams: int | None = None
    detail: str = ""
    at: datetime = field(default_factory=_now)

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "grams": self.grams,
            "detail": self.detail,
            "at": self.at.isoformat(),
        }


@runtime_checkable
class LabelPrinter(Protocol):
    """A label printer. Raw ZPL has no print acknowledgement: ``send`` means sent."""

    code: str

    def status(self) -> PrinterStatus:
        """Current status; ``unknown`` or ``offline`` when it cannot be read."""
        ...

    def send(self, data: bytes) -> PrinterStatus:
        """Send one job, checking status before and after where supported.

        Raises PrinterUnreachable or PrinterNotReady when nothing was sent,
        and SendInterrupted when the label may or may not exist.
        """
        ...


@dataclass(frozen=True)
class Weight:
    """A scale reading converted to whole grams."""

    grams: int
    stable: bool
    net: bool = False
    tare_grams: int | None = None
    raw: bytes = b""


@runtime_checkable
class Scale(Protocol):
    code: str

    def read(self) -> Weight:
        """One reading now, stable or not; raises for overload, underload, errors."""
        ...

    def read_stable(self) -> Weight:
        """A weight the scale holds steady, or ScaleNotStable after the deadline."""
        ...

    def zero(self) -> None: ...

    def tare(self) -> Weight: ...


StatusListener = Callable[[str, PrinterStatus], None]


# ------------------------------------------------------------ spooling ---


@dataclass(frozen=True)
class ClaimedJob:
    """A print job a sender owns until its lease ends."""

    id: int
    ref: str
    printer_code: str
    data: bytes
    serialized: bool
    attempts: int
    created_at: datetime
    token: str


class JobStore(Protocol):
    """The spooler's view of the job table; every call is one short transaction."""

    def printers_with_work(self) -> list[str]: ...

    def claim(self, printer_code: str, token: str) -> tuple[ClaimedJob | None, float | None]:
        """The next job for this printer, or (None, seconds until one is due)."""
        ...

    def sent(self, job: ClaimedJob, status: PrinterStatus) -> None: ...

    def retry(self, job: ClaimedJob, *, reason: str, delay: float, give_up: bool) -> None: ...

    def uncertain(self, job: ClaimedJob, *, reason: str) -> None: ...

    def printer_status(self, printer_code: str, status: PrinterStatus) -> None: ...
