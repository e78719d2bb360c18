"""In a real Chromium: a supervisor scans an item's fixed location into its inbound profile,
and the putaway preview then suggests that location with the PDA's reason.

The app runs in a thread on 127.0.0.1 on a file SQLite database; the
location code is typed into the field and ended with Enter, as a wedge
scanner does. If Chromium cannot start, the test fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.console.conftest import PASSWORD
from tests.factories import Floor
from tests.inbound.dock import Dock
from tests.liveserver import live_server
from wms.app import create_app
from wms.db import make_session_factory
from wms.model import ItemInboundProfile, Role, Warehouse
from wms.services.access import create_user
from wms.settings import DeviceSettings, Settings


@pytest.fixture
def inbound_console(sqlite_engine, tmp_path) -> Iterator[tuple[str, Dock]]:
    """The whole app over HTTP: an inbound floor and ``sam``, supervisor of WH1."""
    factory = make_session_factory(sqlite_engine)
    dock = Dock(Floor(factory))
    with factory() as s, s.begin():
        wh = s.get(Warehouse, dock.floor.warehouse_id)
        create_user(s, username="sam", password=PASSWORD, role=Role.supervisor, warehouses=[wh])
    settings = Settings(
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
        secret_key="browser-test",
        testing=True,
        log_level="WARNING",
        devices=DeviceSettings(spool_dir=str(tmp_path / "spool"), start_workers=False),
    )
    with live_server(create_app(settings, engine=sqlite_engine)) as url:
        yield url, dock


@pytest.mark.browser
def test_a_supervisor_scans_a_fixed_location_and_the_preview_suggests_it(inbound_console, chromium):
    url, dock = inbound_console
    page = chromium.new_page(locale="en-GB")
    try:
        page.set_default_timeout(15_000)
        page.goto(url + "/console/login?lang=en")
        page.fill("#f-username", "sam")
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit].primary")
        page.goto(url + "/console/putaway-rules?lang=en&try_sku=SKU-A&try_qty=10")
        expect(page.locator("#putaway-preview .suggested")).to_have_text("A-01-01-1")

        page.click("nav.mainnav >> text=Item profiles")
        page.fill("#q", "SKU-A")
        page.click("form.search button[type=submit]")
        page.click("table >> text=SKU-A")
        page.locator("#f-fixed_location").press_sequentially("A-01-03-1")
        page.locator("#f-fixed_location").press("Enter")
        expect(page.locator(".flash-success")).to_contain_text("Inbound profile saved.")
        page.click("text=Try putaway for this item")

        suggested = page.locator("#putaway-preview .suggested").inner_text()
        why = page.locator("#putaway-preview .why").inner_text()
    finally:
        page.close()

    assert (suggested, why) == ("A-01-03-1", "Fixed location of the item: A-01-03-1")
    item_id, fixed_id = dock.floor.item("SKU-A").id, dock.floor.location("A-01-03-1").id
    with dock.factory() as s:
        profile = s.get(ItemInboundProfile, item_id)
        assert profile is not None and profile.fixed_location_id == fixed_id
