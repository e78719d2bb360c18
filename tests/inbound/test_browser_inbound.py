"""In Chromium as a PDA: receive a GS1-labelled case, print its LPN label, put it away.

Real app on SQLite in a live server thread, the print spooler running
against a fake Zebra printer on a real TCP port, Debian's chromium driven
by Playwright with wedge-typed scans.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import Floor
from tests.inbound.dock import Dock
from tests.terminal.conftest import (
    Operator,
    browser_settings,
    sign_in_by_badge,
    wait_scan_focus,
    wedge,
)
from wms.db import make_session_factory
from wms.devices.fakes.zebra_server import FakeZebraServer
from wms.model import (
    Container,
    Printer,
    PrinterAssignment,
    PrinterDriver,
    Tracking,
    Warehouse,
)
from wms.services.access import create_user

pytestmark = pytest.mark.browser

GS1_CASE = "]C10109501101530003173012311042"


@pytest.fixture
def zebra() -> Iterator[FakeZebraServer]:
    server = FakeZebraServer().start()
    yield server
    server.stop()


def screen_of(page) -> dict:
    return page.evaluate("window.__wmsFlow.screen()")


def answer(page, value: str | None = None, key: str | None = None) -> dict:
    """Scan ``value`` (or press ``key``) and wait until the next screen is shown."""
    before = page.evaluate("window.__wmsFeedback.length")
    if key:
        page.keyboard.press(key)
    else:
        wedge(page, value or "")
    page.wait_for_function(
        f"() => window.__wmsFeedback.length > {before} && !document.body.hasAttribute('data-busy')")
    shown = screen_of(page)
    assert not (shown["message"] and shown["message"]["level"] == "error"), shown
    return shown


def key_of(screen: dict, action: str) -> str:
    return next(a["key"] for a in screen["actions"] if a["action"] == action)


def test_receive_a_gs1_case_print_its_lpn_and_put_it_away(
    sqlite_engine, tmp_path, live_factory, pda_factory, zebra
) -> None:
    from wms.app import create_app

    factory = make_session_factory(sqlite_engine)
    dock = Dock(Floor(factory))
    dock.floor.item("SKU-G", name="Gel", tracking=Tracking.lot, shelf_life_days=365,
                    units={"case": 12}, barcodes=[("09501101530003", "case")])
    dock.order("PO-1", [("SKU-G", 1, "case")])
    with factory() as s, s.begin():
        warehouse = s.get(Warehouse, dock.floor.warehouse_id)
        assert warehouse is not None
        warehouse.gs1_company_prefix = "9501101"
        printer = Printer(code="ZB-DOCK", name="Dock printer", driver=PrinterDriver.tcp,
                          address="127.0.0.1", port=zebra.port, warehouse_id=warehouse.id)
        s.add(printer)
        s.flush()
        s.add(PrinterAssignment(printer_id=printer.id, warehouse_id=warehouse.id))
        user = create_user(s, username="rx1", pin="4321", badge="BADGE-0009", locale="en",
                           skills=["receiving", "putaway"], warehouses=[warehouse])
        op = Operator(user.id, "rx1", "BADGE-0009", "4321")
    settings = browser_settings(sqlite_engine, tmp_path)
    # No demo devices: the app syncs its devices file at start, and the demo's
    # default container printer would take the label from the fake Zebra.
    no_devices = tmp_path / "devices.toml"
    no_devices.write_text("")
    settings = settings.with_overrides(
        devices={"start_workers": True, "config_file": str(no_devices)}
    )
    app = create_app(settings, engine=sqlite_engine)
    page = pda_factory(live_factory(app).url).new_page()
    sign_in_by_badge(page, op)

    page.keyboard.press("F4")
    page.wait_for_url("**/t/flow")
    wait_scan_focus(page)
    page.wait_for_function("() => window.__wmsFlow && window.__wmsFlow.screen()")
    assert answer(page, "PO-1")["state"] == "scan_item"
    assert answer(page, GS1_CASE)["state"] == "scan_quantity"
    at_container = answer(page, "1")
    received = answer(page, key=key_of(at_container, "print"))
    closed = answer(page, key=key_of(received, "close"))

    assert received["message"]["code"] == "received_into"
    assert closed["done"] is True
    with factory() as s:
        (lpn,) = s.scalars(select(Container.code)).all()
    assert lpn.startswith("09501101") and len(lpn) == 18
    assert zebra.wait_for_jobs(1, timeout=10)
    assert f"(00){lpn}".encode() in zebra.jobs[0] or lpn.encode() in zebra.jobs[0]

    page.goto("/t/")
    wait_scan_focus(page)
    page.keyboard.press("F1")  # next task: the putaway of this pallet
    page.wait_for_url("**/t/flow")
    page.wait_for_function("() => window.__wmsFlow && window.__wmsFlow.screen()")
    first = screen_of(page)
    if first["state"] == "scan_container":
        first = answer(page, lpn)
    fields = {f["label"]: f["value"] for f in first["fields"]}
    assert (fields["Suggested"], fields["Why"]) == (
        "A-01-01-1", "Nearest empty location in zone any")
    done = answer(page, fields["Suggested"])

    assert done["done"] is True
    assert dock.floor.on_hand("SKU-G", "A-01-01-1") == Decimal(12)
    assert dock.floor.on_hand("SKU-G", "DOCK-01") == Decimal(0)
    dock.ledger_ok()
