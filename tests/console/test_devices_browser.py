"""In a real Chromium: a supervisor adds a printer, watches its health live, prints location labels.

The supervisor works in Chinese (the default). The app runs in a thread on
127.0.0.1 with the spooler and the scale monitor; the printer is the fake
TCP Zebra. If Chromium cannot start, the test fails.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.console.conftest import PASSWORD
from tests.factories import Floor
from wms.app import create_app
from wms.db import make_session_factory
from wms.devices.fakes.zebra_server import FakeZebraServer
from wms.model import Role
from wms.services.access import create_user
from wms.services.masterdata import create_warehouse
from wms.settings import DeviceSettings, Settings


@pytest.fixture
def zebra() -> Iterator[FakeZebraServer]:
    server = FakeZebraServer().start()
    yield server
    server.stop()


@pytest.fixture
def floor(sqlite_engine) -> Floor:
    return Floor(make_session_factory(sqlite_engine))


@pytest.fixture
def live_console(sqlite_engine, floor, tmp_path) -> Iterator[str]:
    """The whole app with its device workers, one supervisor ``sam`` of WH1, two locations."""
    with make_session_factory(sqlite_engine)() as s, s.begin():
        wh = create_warehouse(s, code="WH1", name="Main warehouse")
        create_user(s, username="sam", password=PASSWORD, role=Role.supervisor, warehouses=[wh])
    floor.location("A-01-01-1")
    floor.location("A-01-01-2")
    floor.location("A-01-01-3")
    config = tmp_path / "devices.toml"
    config.write_text("# no devices in the file: the supervisor adds them\n")
    settings = Settings(
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
        secret_key="browser-test",
        testing=True,
        log_level="WARNING",
        devices=DeviceSettings(
            spool_dir=str(tmp_path / "spool"), config_file=str(config), health_interval=0.2
        ),
    )
    app = create_app(settings, engine=sqlite_engine)
    runtime = app.extensions["wms"].devices
    runtime.spooler.poll_interval = 0.05
    runtime.spooler.health_interval = 0.2
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    runtime.stop()


@pytest.mark.browser
def test_a_supervisor_adds_a_printer_and_prints_two_location_labels_in_chromium(
    live_console, zebra, chromium
):
    page = chromium.new_page(locale="zh-CN")
    try:
        page.set_default_timeout(15_000)
        page.goto(live_console + "/console/")
        page.fill("#f-username", "sam")
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit].primary")
        expect(page.locator("h1")).to_contain_text("概览")

        page.click("nav.mainnav >> text=设备")
        expect(page.locator("h1")).to_have_text("设备")
        page.click("text=添加打印机")
        page.fill("#f-code", "ZT411-DOCK1")
        page.fill("#f-name", "收货口 1 标签打印机")
        page.select_option("#f-driver", "tcp")
        page.fill("#f-address", "127.0.0.1")
        page.fill("#f-port", str(zebra.port))
        page.check("input[name=label_kinds][value=location]")
        page.check("input[name=default]")
        page.click("text=保存打印机")

        expect(page.locator(".flash-success")).to_contain_text("ZT411-DOCK1")
        row = page.locator('tr[data-printer="ZT411-DOCK1"]')
        state = row.locator(".state .tag")
        expect(state).to_have_text("就绪", timeout=15_000)  # read on connect, then pushed
        zebra.state.paper_out = True
        expect(state).to_have_text("缺纸", timeout=15_000)  # pushed: no reload
        zebra.state.paper_out = False
        expect(state).to_have_text("就绪", timeout=15_000)

        page.click("nav.mainnav >> text=库位")
        page.check('input[aria-label="A-01-01-1"]')
        page.check('input[aria-label="A-01-01-3"]')
        page.select_option("#f-printer", "ZT411-DOCK1")
        page.click("text=为勾选的库位打印标签")
        expect(page.locator(".flash-success")).to_contain_text("2 张库位标签", timeout=15_000)

        assert zebra.wait_for_jobs(2, timeout=15)
        assert [b"A-01-01-1" in zebra.jobs[0], b"A-01-01-3" in zebra.jobs[1]] == [True, True]
        page.goto(live_console + "/console/devices")
        page.click("text=打印任务")
        jobs = page.locator("table tr", has_text="ZT411-DOCK1")
        expect(jobs).to_have_count(2, timeout=15_000)
        expect(jobs.locator("td.state-sent")).to_have_count(2, timeout=15_000)
    finally:
        page.close()
