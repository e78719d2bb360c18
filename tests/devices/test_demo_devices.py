"""The demo's devices from config/devices.toml: prints to the spool with a preview, weighs."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from wms.devices.config import load_devices
from wms.devices.fakes import protocol_fakescale
from wms.devices.registry import DeviceRegistry
from wms.devices.spooler import PrintSpooler
from wms.model import JobState, PrintJob, Warehouse
from wms.services import devices as device_service
from wms.services import printing
from wms.services.spool import SpoolStore

DEMO = Path(__file__).resolve().parents[2] / "config" / "devices.toml"


@pytest.fixture
def demo(file_factory, tmp_path):
    factory = file_factory
    with factory.begin() as s:
        warehouse = Warehouse(code="WH1", name="Demo")
        s.add(warehouse)
        s.flush()
        device_service.sync_devices(s, load_devices(DEMO), warehouse_id=warehouse.id)
    registry = DeviceRegistry(tmp_path / "spool")
    with factory() as s:
        registry.configure(device_service.printer_configs(s), device_service.scale_configs(s))
    spooler = PrintSpooler(SpoolStore(factory), registry.printer, poll_interval=0.05)
    uninstall = printing.notify_after_commit(factory, spooler.wake)
    spooler.start(registry.printer_codes())
    yield factory, registry, tmp_path / "spool"
    spooler.stop()
    uninstall()


def test_a_shipping_label_at_the_pack_station_lands_in_the_spool_with_a_preview(demo):
    factory, _, spool = demo
    data = {"ship_from": {"name": "WH1"}, "ship_to": {"name": "李四", "address": "广州"},
            "carrier": "SF", "order_ref": "SO-7", "tracking_no": "SF0001"}
    with factory.begin() as s:
        job_id = printing.queue_print_job(s, kind="shipping", data=data,
                                          workstation_code="PACK-01").id

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with factory() as s:
            job = s.get(PrintJob, job_id)
            printer = job.printer.code
            if job.state is JobState.sent:
                break
        time.sleep(0.05)

    assert job.state is JobState.sent and printer == "DEMO-SHIP"
    assert len(list((spool / "DEMO-SHIP").glob(f"*{job.ref}.zpl"))) == 1
    assert len(list((spool / "DEMO-SHIP").glob(f"*{job.ref}.png"))) == 1


def test_an_operator_scans_the_receiving_workstation_and_labels_print_there(demo):
    factory, _, _ = demo
    with factory.begin() as s:
        printing.use_workstation(s, terminal="PDA-7", scanned="WS:RECV-01")
        job = printing.queue_print_job(s, kind="container", terminal="PDA-7",
                                       data={"lpn": "LPN0001"})

        assert job.printer.code == "DEMO-LPN" and not job.serialized


def test_the_demo_scale_weighs_a_parcel(demo):
    _, registry, _ = demo
    protocol_fakescale.simulator("DEMO-SCALE").gross_kg = Decimal("0.875")

    assert registry.scale("DEMO-SCALE").read_stable().grams == 875
