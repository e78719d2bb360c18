"""Chromium as a PDA against the live app: a cluster trip of two orders picked by scans only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import Floor
from tests.outbound.shop import bin, fetch, ledger_ok, order, staging
from tests.terminal.conftest import browser_settings, sign_in_by_badge, wait_scan_focus
from tests.terminal.test_browser_real import answer, current_screen, operator_in
from wms.db import make_session_factory
from wms.model import Container, ContainerKind, OrderStatus, PickTrip, User
from wms.services import allocation, claims, orders, waves

pytestmark = pytest.mark.browser


class Site:
    def __init__(self, url, app, floor, factory) -> None:
        self.url, self.app, self.floor, self.factory = url, app, floor, factory


@pytest.fixture
def site(sqlite_engine, tmp_path, live_factory) -> Site:
    from wms.app import create_app

    app = create_app(browser_settings(sqlite_engine, tmp_path), engine=sqlite_engine)
    factory = make_session_factory(sqlite_engine)
    floor = Floor(factory)
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    bin(floor, "B-02-08", 1, 8, zone="B")
    floor.item("SKU-1", barcodes=[("690000000001", "each")])
    floor.item("SKU-2", barcodes=[("690000000002", "each")])
    floor.stock("SKU-1", "A-01-05", 10)
    floor.stock("SKU-2", "B-02-08", 5)
    order(floor, "SO-1", ("SKU-1", 2), ("SKU-2", 1))
    order(floor, "SO-2", ("SKU-1", 1))
    with factory() as s, s.begin():
        allocation.allocate_orders(s, [orders.get_order(s, e).id for e in ("SO-1", "SO-2")])
        assert waves.release_wave(s, warehouse_id=floor.warehouse_id) is not None
        for code in ("TOTE-1", "TOTE-2"):
            s.add(Container(code=code, kind=ContainerKind.tote, warehouse_id=floor.warehouse_id))
    return Site(live_factory(app).url, app, floor, factory)


def _answer_for(screen: dict, totes: list[str]) -> str:
    """What an operator scans for this screen, read from the screen alone."""
    fields = {f["label"]: f["value"] for f in screen["fields"]}
    barcode = {"SKU-1": "690000000001", "SKU-2": "690000000002"}
    if screen["expect"] == "location":
        return fields["From"]
    if screen["expect"] in ("item", "quantity"):
        return barcode[fields["Item"]]
    if screen["expect"] == "container":
        return fields.get("Tote") or totes.pop(0)
    raise AssertionError(f"the pick flow expects {screen['expect']!r}")


def test_a_cluster_trip_is_picked_with_scans_only(site, pda_factory):
    op = operator_in(site, "picker", "BADGE-0009")
    with site.factory() as s, s.begin():
        got = claims.claim_next(s, user=s.get(User, op.id), warehouse_id=site.floor.warehouse_id,
                                device_id="PDA-9", lease_seconds=900)
        lead = got[0].id
        assert s.scalars(select(PickTrip.orders)).one() == ["SO-1", "SO-2"]
    page = pda_factory(site.url).new_page()
    sign_in_by_badge(page, op)
    page.wait_for_selector(f"[data-task-id='{lead}']")
    page.locator(f"[data-task-id='{lead}']").click()
    page.wait_for_url("**/t/flow")
    wait_scan_focus(page)

    totes = ["TOTE-1", "TOTE-2"]
    for _ in range(30):
        screen = current_screen(page)
        if screen["done"]:
            break
        after = answer(page, _answer_for(screen, totes))
        assert not (after["message"] and after["message"]["level"] == "error"), after
    assert current_screen(page)["done"] is True
    assert current_screen(page)["prompt"] == "Trip picked: 3 lines"
    assert fetch(site.floor, "SO-1").status is OrderStatus.picked
    assert fetch(site.floor, "SO-2").status is OrderStatus.picked
    assert site.floor.on_hand("SKU-1", "A-01-05") == Decimal(7)
    assert ledger_ok(site.floor) == []


@pytest.mark.parametrize(("key", "prompt"), [("F6", "Scan the tote or the order"),
                                             ("F7", "Scan the dock door"),
                                             ("F8", "Scan or key the order number of the return")])
def test_the_home_keys_open_pack_check_ship_and_returns(site, pda_factory, key, prompt):
    op = operator_in(site, "packer", "BADGE-0010")
    page = pda_factory(site.url).new_page()
    sign_in_by_badge(page, op)

    page.keyboard.press(key)
    page.wait_for_url("**/t/flow")
    page.wait_for_function("() => window.__wmsFlow && window.__wmsFlow.screen()")

    assert current_screen(page)["prompt"] == prompt
