"""In Chromium: a blind count on the PDA, its variance approved on the supervisor's console.

Real app on SQLite in a live server thread; the operator's PDA is a
360×640 touch context signing in by badge and typing scans like a wedge
scanner; the supervisor uses a desktop context. The warehouse recounts only
differences above 5, so a short of 2 goes straight to the supervisor.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.console.conftest import PASSWORD
from tests.factories import Floor
from tests.inbound.test_browser_inbound import answer, key_of, screen_of
from tests.inventory.helpers import ledger_ok, request
from tests.terminal.conftest import Operator, browser_settings, sign_in_by_badge, wait_scan_focus
from wms.db import make_session_factory
from wms.model import Role, StockMove, Variance, VarianceStatus, Warehouse
from wms.services.access import create_user

pytestmark = pytest.mark.browser

ON_SHELF, FOUND = 37, 35


def shown(page) -> str:
    """Everything the PDA shows now: the screen's data and the visible text."""
    return json.dumps(screen_of(page), ensure_ascii=False) + page.inner_text("body")


def test_a_blind_count_on_the_pda_is_approved_on_the_console_and_adjusts_the_ledger(
    sqlite_engine, tmp_path, live_factory, pda_factory, chromium
) -> None:
    from wms.app import create_app

    factory = make_session_factory(sqlite_engine)
    floor = Floor(factory)
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")])
    floor.stock("SKU-1", "A-01-01-1", ON_SHELF)
    with factory() as s, s.begin():
        warehouse = s.get(Warehouse, floor.warehouse_id)
        assert warehouse is not None
        warehouse.settings = {"counting": {"recount_above_qty": 5}}
        user = create_user(
            s,
            username="cc1",
            pin="4321",
            badge="BADGE-0021",
            locale="en",
            skills=["counting"],
            warehouses=[warehouse],
        )
        op = Operator(user.id, "cc1", "BADGE-0021", "4321")
        create_user(
            s,
            username="sup",
            password=PASSWORD,
            role=Role.supervisor,
            locale="en",
            warehouses=[warehouse],
        )
    request(floor, "A-01-01-1")
    server = live_factory(
        create_app(browser_settings(sqlite_engine, tmp_path), engine=sqlite_engine)
    )

    pda = pda_factory(server.url).new_page()
    sign_in_by_badge(pda, op)
    pda.keyboard.press("F1")  # next task: the count
    pda.wait_for_url("**/t/flow")
    wait_scan_focus(pda)
    pda.wait_for_function("() => window.__wmsFlow && window.__wmsFlow.screen()")
    screens = [shown(pda)]
    at_location = answer(pda, "A-01-01-1")
    screens.append(shown(pda))
    at_item = answer(pda, "6901234567892")
    screens.append(shown(pda))
    counted = answer(pda, str(FOUND))
    screens.append(shown(pda))
    done = answer(pda, key=key_of(counted, "finish"))
    screens.append(shown(pda))

    assert screen_of(pda)["done"] is True and done["state"] == "done"
    assert (at_location["state"], at_item["state"]) == ("scan_item", "scan_quantity")
    assert counted["message"]["text"] == f"Counted {FOUND} each SKU-1"
    assert all("A-01-01-1" in text for text in screens)  # the screens were read
    assert all(str(ON_SHELF) not in text for text in screens), "the count must be blind"
    with factory() as s:
        (variance,) = s.scalars(select(Variance)).all()
    assert (variance.status, variance.diff_qty) == (VarianceStatus.pending, Decimal(-2))

    desk = chromium.new_context(base_url=server.url, locale="en-US").new_page()
    try:
        desk.set_default_timeout(15_000)
        desk.goto("/console/login")
        desk.fill("#f-username", "sup")
        desk.fill("#f-password", PASSWORD)
        desk.click("button[type=submit].primary")
        desk.goto("/console/variances")
        row = desk.locator(f"#variance-{variance.id}")
        expect(row).to_contain_text("A-01-01-1")
        expect(row).to_contain_text(f"{FOUND}")
        expect(row).to_contain_text(f"{ON_SHELF}")
        expect(row).to_contain_text("cc1")  # the counter
        row.locator("input[name=reason]").fill("two damaged, thrown away")
        row.locator("button.primary").click()
        expect(desk.locator(".flash-success")).to_contain_text(
            f"Variance {variance.id} approved: the stock was adjusted."
        )
        expect(desk.locator(f"#variance-{variance.id}")).to_have_count(0)
    finally:
        desk.context.close()

    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(FOUND)
    with factory() as s:
        adjust = s.scalars(select(StockMove).where(StockMove.reason == "count_adjust")).one()
        assert (adjust.qty, adjust.note) == (Decimal(2), "two damaged, thrown away")
    assert ledger_ok(floor)
