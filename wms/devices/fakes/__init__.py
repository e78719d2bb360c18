"""Fake devices for the demo, tests and benchmarks: nothing here is real hardware."""

from wms.devices.fakes.scale_sim import MtSicsSimulator, toledo_frame
from wms.devices.fakes.spool_printer import FakeSpoolPrinter
from wms.devices.fakes.zebra_server import FakePrinterState, FakeZebraServer

__all__ = [
    "FakePrinterState",
    "FakeSpoolPrinter",
    "FakeZebraServer",
    "MtSicsSimulator",
    "toledo_frame",
]
