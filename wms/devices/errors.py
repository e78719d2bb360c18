"""Device errors with stable codes; each is a DeviceError, so edges answer 503, never 500."""

from __future__ import annotations

from typing import Any

from wms.devices.ports import PrinterState, PrinterStatus
from wms.errors import DeviceError


class PrinterUnreachable(DeviceError):
    """Connection refused or timed out: nothing was sent."""

    code = "printer_offline"
    title = "Printer is offline"


class PrinterNotReady(DeviceError):
    """The printer answered but cannot print now (paper out, paused ...); nothing was sent."""

    code = "printer_not_ready"
    title = "Printer is not ready"

    def __init__(self, status: PrinterStatus, detail: str | None = None, **params: Any) -> None:
        self.status = status
        super().__init__(detail or f"printer not ready: {status.state.value}", **params)

    @property
    def state(self) -> PrinterState:
        return self.status.state


class SendInterrupted(DeviceError):
    """The connection broke during a job: the label may or may not exist."""

    code = "print_interrupted"
    title = "Printing was interrupted"


class ScaleError(DeviceError):
    code = "scale_error"
    title = "Scale error"


class ScaleNoReply(ScaleError):
    code = "scale_no_reply"
    title = "Scale does not answer"


class ScalePortUnavailable(ScaleError):
    """The serial port (or serial server) cannot be opened: unplugged, wrong path, refused."""

    code = "scale_port_unavailable"
    title = "Scale port cannot be opened"


class ScaleNotStable(ScaleError):
    code = "scale_not_stable"
    title = "Weight did not settle"


class ScaleOverload(ScaleError):
    code = "scale_overload"
    title = "Scale is overloaded"


class ScaleUnderload(ScaleError):
    code = "scale_underload"
    title = "Scale is below zero"


class ScaleCommandFailed(ScaleError):
    code = "scale_command_failed"
    title = "Scale could not carry out the command"
