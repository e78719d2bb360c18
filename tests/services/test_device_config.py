"""Devices configured in the console (services): checked, stored, owned by the file or not.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from wms.devices.config import DevicesConfig, PrinterConfig, ScaleConfig, WorkstationConfig
from wms.errors import NotFound, ValidationFailed
from wms.labels.zpl import LabelDataError
from wms.model import Printer, PrinterAssignment, PrintJob, ScaleDevice
from wms.services import device_edits, devices, printing
from wms.services.device_edits import DefinedInFile, PrinterHasJobs, PrinterInput, ScaleInput

FILE = DevicesConfig(
    workstations=(WorkstationConfig("PACK-01", "Pack station 1"),),
    printers=(PrinterConfig(code="FILE-SHIP", driver="fake", label_kinds=("shipping",)),),
    scales=(ScaleConfig(code="FILE-SCALE", driver="fake"),),
)
FILE_PRINTERS = frozenset({"FILE-SHIP"})


@pytest.fixture
def synced(session, floor):
    with session.begin():
        devices.sync_devices(session, FILE, warehouse_id=floor.warehouse_id)
    return session


def dock_printer(**changes) -> PrinterInput:
    values = {
        "code": "ZT411-DOCK1",
        "name": "Dock 1",
        "driver": "tcp",
        "address": "10.0.4.21",
        "port": 9100,
        "dpi": 300,
        "label_kinds": ["location", "container"],
        "workstation": "PACK-01",
    }
    values.update(changes)
    return PrinterInput(**values)


def test_a_console_printer_is_stored_with_one_assignment_per_label_kind(synced, floor):
    with synced.begin():
        printer = device_edits.save_printer(
            synced,
            dock_printer(default=True),
            warehouse_id=floor.warehouse_id,
            file_codes=FILE_PRINTERS,
        )

    rows = synced.scalars(
        select(PrinterAssignment)
        .where(PrinterAssignment.printer_id == printer.id)
        .order_by(PrinterAssignment.id)
    ).all()
    assert [(r.label_kind, bool(r.workstation_id), r.warehouse_id) for r in rows] == [
        ("location", True, None),
        ("location", False, floor.warehouse_id),
        ("container", True, None),
        ("container", False, floor.warehouse_id),
    ]
    synced.commit()
    with synced.begin():
        chosen = printing.choose_printer(synced, kind="location", workstation_code="PACK-01")
    assert chosen.code == "ZT411-DOCK1"


def test_every_problem_of_a_printer_form_is_reported_at_once(synced, floor):
    bad = dock_printer(
        code="dock 1",
        driver="tcp",
        address="",
        port=0,
        dpi=250,
        label_kinds=["poster"],
        workstation="PACK-99",
    )

    with pytest.raises(ValidationFailed) as caught, synced.begin():
        device_edits.save_printer(synced, bad, warehouse_id=floor.warehouse_id)

    assert {e.field for e in caught.value.errors} == {
        "code",
        "address",
        "port",
        "dpi",
        "label_kinds",
        "workstation",
    }
    assert synced.scalar(select(func.count()).select_from(Printer)) == 1


def test_a_serial_printer_needs_a_serial_url(synced, floor):
    with pytest.raises(ValidationFailed) as caught, synced.begin():
        device_edits.save_printer(
            synced,
            dock_printer(driver="serial", address="10.0.4.21"),
            warehouse_id=floor.warehouse_id,
        )

    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("address", "not a device path (/dev/...) or a serial URL (socket://host:port)")
    ]


def test_the_file_owns_its_codes(synced, floor):
    file_printer = synced.scalar(select(Printer).where(Printer.code == "FILE-SHIP"))
    synced.commit()

    with pytest.raises(ValidationFailed) as caught, synced.begin():
        device_edits.save_printer(
            synced,
            dock_printer(code="FILE-SHIP"),
            warehouse_id=floor.warehouse_id,
            file_codes=FILE_PRINTERS,
        )
    assert caught.value.errors[0].message == "this code is defined in devices.toml"
    with pytest.raises(DefinedInFile), synced.begin():
        device_edits.set_printer_enabled(synced, file_printer.id, False, file_codes=FILE_PRINTERS)
    with pytest.raises(DefinedInFile), synced.begin():
        device_edits.delete_printer(synced, file_printer.id, file_codes=FILE_PRINTERS)


def test_a_restart_syncs_the_file_again_and_leaves_console_devices_alone(synced, floor):
    with synced.begin():
        device_edits.save_printer(synced, dock_printer(), warehouse_id=floor.warehouse_id)

    with synced.begin():
        devices.sync_devices(synced, FILE, warehouse_id=floor.warehouse_id)

    codes = synced.scalars(select(Printer.code).order_by(Printer.code)).all()
    assert codes == ["FILE-SHIP", "ZT411-DOCK1"]
    assert {c.code for c in devices.printer_configs(synced)} == {"FILE-SHIP", "ZT411-DOCK1"}


def test_a_printer_with_jobs_is_kept(synced, floor):
    with synced.begin():
        printer = device_edits.save_printer(
            synced, dock_printer(driver="fake", address=""), warehouse_id=floor.warehouse_id
        )
        printing.queue_print_job(
            synced, kind="test", data={"printer": "x", "at": "now"}, printer_code="ZT411-DOCK1"
        )

    with pytest.raises(PrinterHasJobs), synced.begin():
        device_edits.delete_printer(synced, printer.id)

    assert synced.get(Printer, printer.id) is not None


def test_a_console_scale_is_checked_and_stored(synced):
    with pytest.raises(ValidationFailed) as caught, synced.begin():
        device_edits.save_scale(
            synced,
            ScaleInput(code="PACK1-SCALE", url="socket://10.0.4.30", framing="8X1", window=0),
        )
    assert {e.field for e in caught.value.errors} == {"url", "framing", "window"}

    with synced.begin():
        scale = device_edits.save_scale(
            synced,
            ScaleInput(code="PACK1-SCALE", url="socket://10.0.4.30:4001", workstation="PACK-01"),
        )
    assert synced.scalar(select(ScaleDevice.code).where(ScaleDevice.id == scale.id)) == (
        "PACK1-SCALE"
    )
    assert devices.scale_for_terminal(synced, None) is None


def test_the_fingerprint_changes_with_every_edit(synced, floor):
    before = devices.config_fingerprint(synced)
    synced.rollback()
    with synced.begin():
        device_edits.save_printer(synced, dock_printer(), warehouse_id=floor.warehouse_id)

    assert devices.config_fingerprint(synced) != before


# ------------------------------------------------------ labels on demand ---


def fake_location_printer(session, floor) -> None:
    with session.begin():
        device_edits.save_printer(
            session,
            dock_printer(
                code="LOC-PRN",
                driver="fake",
                address="",
                label_kinds=["location"],
                default=True,
                workstation="",
            ),
            warehouse_id=floor.warehouse_id,
        )


def test_one_location_label_job_per_location_in_code_order(synced, floor):
    b, a = floor.location("A-01-02-1"), floor.location("A-01-01-1")
    fake_location_printer(synced, floor)

    with synced.begin():
        jobs = printing.print_location_labels(
            synced, location_ids=[b.id, a.id, a.id], warehouse_id=floor.warehouse_id
        )

    assert [(j.data["code"], j.printer.code, j.business_key) for j in jobs] == [
        ("A-01-01-1", "LOC-PRN", "location:A-01-01-1"),
        ("A-01-02-1", "LOC-PRN", "location:A-01-02-1"),
    ]


def test_a_location_of_another_warehouse_queues_nothing(synced, floor):
    here = floor.location("A-01-01-1")
    fake_location_printer(synced, floor)

    with pytest.raises(NotFound), synced.begin():
        printing.print_location_labels(
            synced, location_ids=[here.id, here.id + 999], warehouse_id=floor.warehouse_id
        )

    assert synced.scalar(select(func.count()).select_from(PrintJob)) == 0


def test_a_label_that_cannot_be_printed_rolls_back_the_labels_before_it(synced, floor):
    floor.location("A-01-01-1")
    bad = floor.location("A-01-01-2")
    fake_location_printer(synced, floor)
    with synced.begin():
        synced.get(type(bad), bad.id).code = "A-01-01-2>"  # '>' cannot be printed in Code 128

    with pytest.raises(LabelDataError), synced.begin():
        printing.print_location_labels(
            synced, location_ids=[bad.id - 1, bad.id], warehouse_id=floor.warehouse_id
        )

    assert synced.scalar(select(func.count()).select_from(PrintJob)) == 0


def test_item_labels_are_one_job_with_copies_and_the_gtin(synced, floor):
    tea = floor.item("TEA-100", name="Green tea", barcodes=[("6901234567892", "each")])
    with synced.begin():
        device_edits.save_printer(
            synced,
            dock_printer(
                code="ITEM-PRN",
                driver="fake",
                address="",
                label_kinds=["item"],
                default=True,
                workstation="",
            ),
            warehouse_id=floor.warehouse_id,
        )

    with synced.begin():
        job = printing.print_item_labels(
            synced, item_id=tea.id, copies=12, warehouse_id=floor.warehouse_id
        )

    assert (job.printer.code, job.copies, job.data["gtin"]) == ("ITEM-PRN", 12, "06901234567892")
    with pytest.raises(printing.TooManyLabels), synced.begin():
        printing.print_item_labels(synced, item_id=tea.id, copies=0)


def test_switching_a_console_printer_and_scale_off_and_on_is_audited_each_time(synced, floor):
    from wms.model import AuditLog

    with synced.begin():
        printer = device_edits.save_printer(
            synced, dock_printer(), warehouse_id=floor.warehouse_id, file_codes=FILE_PRINTERS
        )
        scale = device_edits.save_scale(synced, ScaleInput(code="PACK-SCALE", driver="fake"))
    with synced.begin():
        device_edits.set_printer_enabled(synced, printer.id, False)
        device_edits.set_scale_enabled(synced, scale.id, False)
    assert not printer.enabled and not scale.enabled
    with synced.begin():
        device_edits.set_printer_enabled(synced, printer.id, True)
        device_edits.set_scale_enabled(synced, scale.id, True)

    switched = synced.execute(
        select(AuditLog.action, AuditLog.target)
        .where(AuditLog.action.like("device.%abled"))
        .order_by(AuditLog.id)
    ).all()
    assert [tuple(row) for row in switched] == [
        ("device.printer_disabled", "ZT411-DOCK1"),
        ("device.scale_disabled", "PACK-SCALE"),
        ("device.printer_enabled", "ZT411-DOCK1"),
        ("device.scale_enabled", "PACK-SCALE"),
    ]
    assert printer.enabled and scale.enabled
