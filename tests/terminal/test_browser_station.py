"""In Chromium as a PDA: scanning a station's label on the home page binds the terminal there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import Floor
from tests.terminal.conftest import (
    browser_settings,
    feedback_kinds,
    make_operator,
    sign_in_by_badge,
    wedge,
)
from wms.db import make_session_factory
from wms.model import TerminalWorkstation, Workstation

pytestmark = pytest.mark.browser


def test_the_packer_scans_the_pack_station_label_and_the_terminal_works_there(
    sqlite_engine, tmp_path, live_factory, pda_factory
):
    from wms.app import create_app

    factory = make_session_factory(sqlite_engine)
    warehouse = Floor(factory).warehouse("WH1")
    packer = make_operator(factory, "pak1", "BADGE-0042", warehouses=[warehouse])
    app = create_app(browser_settings(sqlite_engine, tmp_path), engine=sqlite_engine)
    page = pda_factory(live_factory(app).url).new_page()
    sign_in_by_badge(page, packer)

    wedge(page, "WS:PACK-99")
    page.wait_for_function("() => document.getElementById('message').textContent.length > 0")
    refused = page.text_content("#message")
    wedge(page, "WS:PACK-01")
    page.wait_for_function(
        "() => document.getElementById('message').textContent.includes('PACK-01')"
    )

    assert refused == "Unknown workstation PACK-99: scan the station's label"
    assert page.text_content("#message").startswith("Working at PACK-01 (Pack station 1")
    assert feedback_kinds(page)[-2:] == ["error", "success"]
    device = page.evaluate("localStorage.getItem('wms.device_id')")
    with factory() as s:
        (binding,) = s.scalars(select(TerminalWorkstation)).all()
        assert binding.terminal in (device, device.strip('"'))
        assert s.get(Workstation, binding.workstation_id).code == "PACK-01"
