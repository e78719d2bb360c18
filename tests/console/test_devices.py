"""Printers and scales at the console: add, edit, disable, delete; bad input saves nothing.

The app reads a small devices.toml of its own: one printer (FILE-DOCK) and
one scale (FILE-SCALE) that belong to the file, to show the precedence rule.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wms.model import (
    Printer,
    PrinterAssignment,
    PrintJob,
    Role,
    ScaleDevice,
    Workstation,
)

DEVICES_TOML = """
[[workstations]]
code = "PACK-01"
name = "Pack station 1"

[[printers]]
code = "FILE-DOCK"
name = "Dock printer from the file"
driver = "fake"
label_kinds = ["container"]

[[scales]]
code = "FILE-SCALE"
name = "Scale from the file"
driver = "fake"
"""


class Reads:
    """Each read in its own short session: on SQLite an open read would block the console."""

    def __init__(self, factory) -> None:
        self.factory = factory

    def scalar(self, stmt):
        with self.factory() as s:
            return s.scalar(stmt)

    def scalars(self, stmt) -> list:
        with self.factory() as s:
            return list(s.scalars(stmt))

    def expire_all(self) -> None:
        """Nothing is kept between reads."""


@pytest.fixture
def session(session_factory) -> Reads:
    return Reads(session_factory)


@pytest.fixture
def settings(settings, tmp_path):
    config = tmp_path / "devices.toml"
    config.write_text(DEVICES_TOML)
    return settings.with_overrides(devices={"config_file": str(config)})


def printer_form(**fields) -> dict:
    form = {
        "code": "ZT411-DOCK1",
        "name": "Dock 1 pallet labels",
        "driver": "tcp",
        "address": "10.0.4.21",
        "port": "9100",
        "baudrate": "9600",
        "dpi": "300",
        "label_kinds": "location",
        "cjk_mode": "bitmap",
        "printer_font": "E:ANMDS.TTF",
        "status_query": "1",
        "enabled": "1",
        "workstation": "PACK-01",
        "terminal": "",
        "zone": "",
    }
    form.update(fields)
    return form


def scale_form(**fields) -> dict:
    form = {
        "code": "PACK1-SCALE",
        "name": "Pack station 1 scale",
        "driver": "mtsics",
        "url": "socket://10.0.4.30:4001",
        "baudrate": "9600",
        "framing": "8N1",
        "window": "3",
        "tolerance_g": "2",
        "deadline_ms": "5000",
        "workstation": "PACK-01",
        "enabled": "1",
    }
    form.update(fields)
    return form


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def printer(session, code: str) -> Printer | None:
    session.expire_all()
    return session.scalar(select(Printer).where(Printer.code == code))


def test_a_supervisor_adds_a_network_printer_for_the_pack_station(supervisor, session, people):
    response = supervisor.post("/console/devices/printers/new", printer_form())

    assert response.status_code == 302
    added = printer(session, "ZT411-DOCK1")
    assert (added.driver.value, added.address, added.port, added.dpi) == (
        "tcp",
        "10.0.4.21",
        9100,
        300,
    )
    station = session.scalar(select(Workstation).where(Workstation.code == "PACK-01"))
    assignments = session.scalars(
        select(PrinterAssignment).where(PrinterAssignment.printer_id == added.id)
    )
    assert [(a.label_kind, a.workstation_id) for a in assignments] == [("location", station.id)]
    assert people.audit("device.printer_saved")[0].target == "ZT411-DOCK1"
    listing = supervisor.page("/console/devices?lang=en")
    assert "ZT411-DOCK1" in listing and "10.0.4.21:9100" in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"driver": "laser"}, "driver", "unknown driver"),
        ({"port": "70000"}, "port", "a TCP port is a number from 1 to 65535"),
        ({"port": "0"}, "port", "a TCP port is a number from 1 to 65535"),
        ({"port": "nine"}, "port", "a whole number is needed"),
        ({"code": "FILE-DOCK"}, "code", "already in use"),
        (
            {"driver": "serial", "address": "ttyUSB0"},
            "address",
            "not a device path (/dev/...) or a serial URL (socket://host:port)",
        ),
        (
            {"driver": "serial", "address": "telnet://10.0.4.2:23"},
            "address",
            "unknown serial URL scheme",
        ),
        (
            {"driver": "serial", "address": "socket://10.0.4.2"},
            "address",
            "a network serial URL needs host:port",
        ),
        ({"dpi": "250"}, "dpi", "203, 300 or 600"),
        ({"workstation": "PACK-99"}, "workstation", "unknown workstation"),
        (
            {"code": "dock 1"},
            "code",
            "letters, digits, &#39;.&#39;, &#39;_&#39; and &#39;-&#39; only",
        ),
    ],
)
def test_a_bad_printer_form_is_explained_and_nothing_is_saved(
    supervisor, session, change, field, message
):
    before = count(session, Printer)

    response = supervisor.post("/console/devices/printers/new?lang=en", printer_form(**change))

    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text or 'class="error"' in response.text
    assert message in response.text
    assert "Nothing was saved" in response.text
    assert count(session, Printer) == before


def test_a_duplicate_console_printer_code_is_refused(supervisor, session):
    supervisor.post("/console/devices/printers/new", printer_form())

    response = supervisor.post(
        "/console/devices/printers/new?lang=en", printer_form(address="10.0.4.22")
    )

    assert response.status_code == 422 and "already in use" in response.text
    assert printer(session, "ZT411-DOCK1").address == "10.0.4.21"


def test_a_supervisor_changes_a_printer_and_its_assignment(supervisor, session, floor):
    zone = floor.zone("A")
    supervisor.post("/console/devices/printers/new", printer_form())
    added = printer(session, "ZT411-DOCK1")

    response = supervisor.post(
        f"/console/devices/printers/{added.id}",
        printer_form(address="10.0.4.99", workstation="", zone=str(zone.id), label_kinds="item"),
    )

    assert response.status_code == 302
    changed = printer(session, "ZT411-DOCK1")
    assert changed.address == "10.0.4.99" and changed.label_kinds == ["item"]
    assignments = session.scalars(
        select(PrinterAssignment).where(PrinterAssignment.printer_id == added.id)
    )
    assert [(a.label_kind, a.zone_id, a.workstation_id) for a in assignments] == [
        ("item", zone.id, None)
    ]


def test_a_disabled_printer_is_kept_and_enabled_again(supervisor, session):
    supervisor.post("/console/devices/printers/new", printer_form())
    added = printer(session, "ZT411-DOCK1")

    supervisor.post(f"/console/devices/printers/{added.id}/disable")
    assert printer(session, "ZT411-DOCK1").enabled is False
    supervisor.post(f"/console/devices/printers/{added.id}/enable")
    assert printer(session, "ZT411-DOCK1").enabled is True


def test_a_printer_that_never_printed_is_deleted(supervisor, session):
    supervisor.post("/console/devices/printers/new", printer_form())
    added = printer(session, "ZT411-DOCK1")

    response = supervisor.post(f"/console/devices/printers/{added.id}/delete")

    assert response.status_code == 302
    assert printer(session, "ZT411-DOCK1") is None


def test_a_printer_with_jobs_is_not_deleted_but_may_be_disabled(supervisor, session):
    supervisor.post("/console/devices/printers/new", printer_form(driver="fake", address=""))
    added = printer(session, "ZT411-DOCK1")
    supervisor.post(f"/console/devices/printers/{added.id}/test-print")

    response = supervisor.post(
        f"/console/devices/printers/{added.id}/delete?lang=en", follow_redirects=True
    )

    assert "This printer has print jobs: disable it instead of deleting it." in response.text
    assert printer(session, "ZT411-DOCK1") is not None
    assert count(session, PrintJob) == 1


def test_devices_from_the_file_are_shown_with_their_source_and_are_read_only(supervisor, session):
    listing = supervisor.page("/console/devices?lang=en")
    from_file = printer(session, "FILE-DOCK")

    assert "FILE-DOCK" in listing and "devices.toml" in listing
    response = supervisor.post(
        f"/console/devices/printers/{from_file.id}?lang=en",
        printer_form(code="FILE-DOCK", driver="fake", address=""),
    )
    assert response.status_code == 422
    assert "This device is defined in devices.toml: change it in the file." in response.text
    supervisor.post(f"/console/devices/printers/{from_file.id}/disable")
    supervisor.post(f"/console/devices/printers/{from_file.id}/delete")
    assert printer(session, "FILE-DOCK").enabled is True


def test_a_supervisor_adds_edits_and_deletes_a_scale(supervisor, session):
    assert supervisor.post("/console/devices/scales/new", scale_form()).status_code == 302
    scale = session.scalar(select(ScaleDevice).where(ScaleDevice.code == "PACK1-SCALE"))
    assert (scale.url, scale.window, scale.tolerance_g) == ("socket://10.0.4.30:4001", 3, 2)

    supervisor.post(
        f"/console/devices/scales/{scale.id}",
        scale_form(driver="toledo", framing="7e1", url="/dev/serial/by-id/usb-FTDI-if00"),
    )
    scale = session.scalar(select(ScaleDevice).where(ScaleDevice.code == "PACK1-SCALE"))
    assert (scale.driver.value, scale.framing) == ("toledo", "7E1")

    supervisor.post(f"/console/devices/scales/{scale.id}/delete")
    assert session.scalar(select(ScaleDevice).where(ScaleDevice.code == "PACK1-SCALE")) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"driver": "bathroom"}, "unknown driver"),
        ({"url": "COM0"}, "not a device path (/dev/...) or a serial URL (socket://host:port)"),
        ({"url": ""}, "required"),
        ({"framing": "9X1"}, "data bits, parity, stop bits: 8N1, 7E1 ..."),
        ({"window": "0"}, "from 1 to 50 readings"),
        ({"deadline_ms": "99"}, "from 100 to 60000 ms"),
        ({"baudrate": "1000"}, "not a serial speed"),
        ({"code": "FILE-SCALE"}, "already in use"),
    ],
)
def test_a_bad_scale_form_is_explained_and_nothing_is_saved(supervisor, session, change, message):
    before = count(session, ScaleDevice)

    response = supervisor.post("/console/devices/scales/new?lang=en", scale_form(**change))

    assert response.status_code == 422 and message in response.text
    assert count(session, ScaleDevice) == before


def test_the_devices_pages_speak_chinese_by_default(supervisor):
    html = supervisor.page("/console/devices")

    assert "设备" in html and "添加打印机" in html and "添加电子秤" in html
    assert "配置文件" in html or "devices.toml" in html


def test_an_operator_may_not_touch_devices(app, people, session):
    from tests.console.conftest import Desk

    people.add("olga", Role.operator)
    desk = Desk(app, "olga")
    desk.sign_in()

    response = desk.post("/console/devices/printers/new", printer_form())

    assert response.status_code in (302, 403)
    assert printer(session, "ZT411-DOCK1") is None


def test_a_form_without_the_csrf_token_is_refused(supervisor, session):
    response = supervisor.post("/console/devices/printers/new", printer_form(), csrf=False)

    assert response.status_code == 403
    assert printer(session, "ZT411-DOCK1") is None


# ------------------------------------------------------------ labels ---


def fake_printer(supervisor, code="LOC-PRN", kinds="location"):
    response = supervisor.post(
        "/console/devices/printers/new",
        printer_form(code=code, driver="fake", address="", label_kinds=kinds, workstation=""),
    )
    assert response.status_code == 302


def jobs(session) -> list[PrintJob]:
    return session.scalars(
        select(PrintJob).options(selectinload(PrintJob.printer)).order_by(PrintJob.id)
    )


def test_a_supervisor_prints_labels_for_two_ticked_locations(supervisor, session, floor):
    a, b = floor.location("A-01-01-1"), floor.location("A-01-01-2")
    floor.location("A-01-01-3")
    fake_printer(supervisor)

    response = supervisor.post(
        "/console/locations/print-labels",
        {
            "warehouse": str(floor.warehouse_id),
            "scope": "selected",
            "printer": "LOC-PRN",
            "location": [str(b.id), str(a.id)],
            "page_location": [str(a.id), str(b.id)],
        },
    )

    assert response.status_code == 302
    queued = jobs(session)
    assert [(j.label_kind, j.data["code"], j.printer.code, j.state.value) for j in queued] == [
        ("location", "A-01-01-1", "LOC-PRN", "queued"),
        ("location", "A-01-01-2", "LOC-PRN", "queued"),
    ]
    assert queued[0].data["check_digits"] == a.check_digits
    assert "A-01-01-1" in queued[0].zpl


def test_print_this_page_prints_every_location_shown(supervisor, session, floor):
    codes = [f"B-01-01-{n}" for n in range(1, 4)]
    ids = [str(floor.location(c).id) for c in codes]
    fake_printer(supervisor)
    page = supervisor.page(f"/console/locations?warehouse={floor.warehouse_id}")
    assert 'name="page_location"' in page and "LOC-PRN" in page

    supervisor.post(
        "/console/locations/print-labels",
        {
            "warehouse": str(floor.warehouse_id),
            "scope": "page",
            "printer": "LOC-PRN",
            "page_location": ids,
        },
    )

    assert [j.data["code"] for j in jobs(session)] == codes


def test_printing_with_nothing_ticked_or_an_unknown_printer_queues_nothing(
    supervisor, session, floor
):
    a = floor.location("A-01-01-1")
    fake_printer(supervisor)

    nothing = supervisor.post(
        "/console/locations/print-labels?lang=en",
        {"warehouse": str(floor.warehouse_id), "scope": "selected", "printer": "LOC-PRN"},
        follow_redirects=True,
    )
    unknown = supervisor.post(
        "/console/locations/print-labels?lang=en",
        {
            "warehouse": str(floor.warehouse_id),
            "scope": "selected",
            "printer": "NO-SUCH",
            "location": [str(a.id)],
        },
        follow_redirects=True,
    )

    assert "Choose at least one location." in nothing.text
    assert "is unknown or disabled" in unknown.text or "Unknown printer" in unknown.text
    assert jobs(session) == []


def test_a_supervisor_prints_three_item_labels_in_one_job(supervisor, session, floor):
    tea = floor.item("TEA-100", name="Green tea", barcodes=[("6901234567892", "each")])
    fake_printer(supervisor, code="ITEM-PRN", kinds="item")

    response = supervisor.post(
        f"/console/items/{tea.id}/print-labels", {"copies": "3", "printer": "ITEM-PRN"}
    )

    assert response.status_code == 302
    (job,) = jobs(session)
    assert (job.label_kind, job.copies, job.data["gtin"]) == ("item", 3, "06901234567892")
    assert "^PQ3" in job.zpl


def test_an_item_label_count_must_be_a_whole_number(supervisor, session, floor):
    tea = floor.item("TEA-100")
    fake_printer(supervisor, code="ITEM-PRN", kinds="item")

    response = supervisor.post(
        f"/console/items/{tea.id}/print-labels?lang=en", {"copies": "two", "printer": "ITEM-PRN"}
    )

    assert response.status_code == 422 and "a whole number is needed" in response.text
    assert jobs(session) == []


def test_a_disabled_scale_is_kept_and_a_file_scale_cannot_be_disabled(supervisor, session):
    supervisor.post("/console/devices/scales/new", scale_form())
    scale = session.scalar(select(ScaleDevice).where(ScaleDevice.code == "PACK1-SCALE"))
    from_file = session.scalar(select(ScaleDevice).where(ScaleDevice.code == "FILE-SCALE"))

    supervisor.post(f"/console/devices/scales/{scale.id}/disable")
    refused = supervisor.post(
        f"/console/devices/scales/{from_file.id}/disable?lang=en", follow_redirects=True
    )

    assert session.scalar(select(ScaleDevice.enabled).where(ScaleDevice.id == scale.id)) is False
    assert session.scalar(select(ScaleDevice.enabled).where(ScaleDevice.id == from_file.id)) is True
    assert "This device is defined in devices.toml: change it in the file." in refused.text
    supervisor.post(f"/console/devices/scales/{scale.id}/enable")
    assert session.scalar(select(ScaleDevice.enabled).where(ScaleDevice.id == scale.id)) is True


def test_a_supervisor_of_another_warehouse_may_not_change_its_printers(
    app, supervisor, people, session
):
    from tests.console.conftest import Desk

    supervisor.post("/console/devices/printers/new", printer_form())
    added = printer(session, "ZT411-DOCK1")
    people.add("wes", Role.supervisor, warehouses=("WH2",))
    other = Desk(app, "wes")
    other.sign_in()

    response = other.post(f"/console/devices/printers/{added.id}/disable")

    assert response.status_code == 403
    assert printer(session, "ZT411-DOCK1").enabled is True
