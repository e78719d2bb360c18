"""In a real Chromium: a supervisor signs in, creates locations by pattern and sees them listed.

The supervisor works in Chinese, the default language, so the page texts are zh-CN.

The app runs in a thread on 127.0.0.1 (a free port) on a file SQLite database.
If Chromium cannot start, the test fails: a browser test that skips proves nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.console.conftest import PASSWORD
from wms.app import create_app
from wms.db import make_session_factory
from wms.model import Location, LocationType, Role
from wms.services.access import create_user
from wms.services.masterdata import create_warehouse
from wms.settings import DeviceSettings, Settings


@pytest.fixture
def live_console(sqlite_engine, tmp_path) -> Iterator[str]:
    """The whole app served over HTTP with one supervisor, ``sam``, of warehouse WH1."""
    with make_session_factory(sqlite_engine)() as s, s.begin():
        wh = create_warehouse(s, code="WH1", name="Main warehouse")
        create_user(s, username="sam", password=PASSWORD, role=Role.supervisor, warehouses=[wh])
    settings = Settings(
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
        secret_key="browser-test", testing=True, log_level="WARNING",
        devices=DeviceSettings(spool_dir=str(tmp_path / "spool"), start_workers=False),
    )
    server = make_server("127.0.0.1", 0, create_app(settings, engine=sqlite_engine),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.browser
def test_a_supervisor_creates_a_rack_of_locations_in_chromium(
    live_console, sqlite_engine, chromium
):
    page = chromium.new_page(locale="zh-CN")
    try:
        page.set_default_timeout(15_000)

        page.goto(live_console + "/console/")
        page.fill("#f-username", "sam")
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit].primary")
        expect(page.locator("h1")).to_contain_text("概览")

        page.click("nav.mainnav a[href='/console/locations']")
        page.click("a[href^='/console/locations/new']")
        page.fill("#f-pattern", "B-01..04-1..3")
        page.click("button[value=preview]")
        expect(page.locator("#pattern-preview")).to_contain_text("12 个库位")
        page.click("button[value=create]")

        expect(page.locator(".flash-success")).to_contain_text("已创建 12 个库位。")
        codes = page.locator("table tbody td:nth-child(2) code").all_inner_texts()
    finally:
        page.close()

    assert codes == [f"B-{bay:02d}-{level}" for bay in range(1, 5) for level in range(1, 4)]
    with make_session_factory(sqlite_engine)() as s:
        assert s.scalar(select(func.count()).select_from(Location).where(
            Location.type != LocationType.virtual)) == 12
