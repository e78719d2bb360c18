"""Chromium as a PDA, end to end: a 12-line cluster trip, the pack station's scale, the label.

The picker taps once to start the trip and once to read the scale; everything else
is scanned into the page's scan input or pressed on the PDA's keys. The pack station
(``PACK-01``) has an MT-SICS scale reached through the real driver over the
``fakescale://`` serial URL and a Zebra printer on real TCP (the fake Zebra server);
the spooler of the live app sends the shipping label there.
"""

from __future__ import annotations

import io
import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import Floor
from tests.outbound.shop import bin, configure, fetch, ledger_ok, order, staging
from tests.terminal.conftest import SILENCE_MS, sign_in_by_badge, wait_scan_focus
from tests.terminal.test_browser_real import answer, current_screen, operator_in
from wms.db import make_session_factory
from wms.devices.fakes import protocol_fakescale
from wms.devices.fakes.zebra_server import FakeZebraServer
from wms.model import (
    Container,
    ContainerKind,
    OrderStatus,
    Package,
    PickTrip,
    PrintJob,
    Task,
    TripTote,
    User,
)
from wms.services import allocation, claims, orders, picking, waves
from wms.services import tasks as task_service

pytestmark = pytest.mark.browser

#: Twelve items, each in its own bin over three aisles: (sku, barcode, bin, aisle, y, grams).
ITEMS = [
    (
        f"SKU-{n:02d}",
        f"6900000001{n:02d}",
        f"{'ABC'[n % 3]}-0{n % 3 + 1}-{n:02d}",
        n % 3,
        n,
        100 + 10 * n,
    )
    for n in range(1, 13)
]
SKUS = {sku: (barcode, grams) for sku, barcode, _, _, _, grams in ITEMS}
#: Four orders of three lines: the cluster trip has 12 lines.
ORDERS = {f"SO-{k + 1}": [ITEMS[k + 4 * i][0] for i in range(3)] for k in range(4)}
PACKAGING_G, TOLERANCE_G = 150, 25
#: Counts trusted pointer presses (finger or mouse) on every page of the PDA.
COUNT_TAPS = """
document.addEventListener("pointerdown", function (e) {
  if (!e.isTrusted) { return; }
  var n = Number(sessionStorage.getItem("test.taps") || 0) + 1;
  sessionStorage.setItem("test.taps", String(n));
}, true);
"""
_scale_names = itertools.count(1)


class Station:
    """The live app with its pack station: a fake Zebra on TCP and a fake MT-SICS balance."""

    def __init__(self, url, app, floor, factory, printer, scale) -> None:
        self.url, self.app, self.floor, self.factory = url, app, floor, factory
        self.printer, self.scale = printer, scale

    def put_on_scale(self, grams: int) -> None:
        self.scale.gross_kg = Decimal(grams) / 1000


def _devices_toml(path: Path, printer_port: int, scale_url: str) -> Path:
    path.write_text(
        f"""
[[workstations]]
code = "PACK-01"
name = "Pack station 1"

[[printers]]
code = "ZT-PACK-01"
driver = "tcp"
address = "127.0.0.1"
port = {printer_port}
dpi = 203
label_kinds = ["shipping"]
workstation = "PACK-01"

[[scales]]
code = "PACK-01-SCALE"
driver = "mtsics"
url = "{scale_url}"
workstation = "PACK-01"
window = 3
tolerance_g = 2
deadline_ms = 3000
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def station(sqlite_engine, tmp_path, live_factory):
    from wms.app import create_app
    from wms.settings import ApiSettings, DeviceSettings, Settings, TerminalSettings

    zebra = FakeZebraServer().start()
    scale_name = f"pack-station-{next(_scale_names)}"
    factory = make_session_factory(sqlite_engine)
    floor = Floor(factory)
    staging(floor, "PACK-01-STAGE")
    for sku, barcode, code, aisle, y, grams in ITEMS:
        bin(floor, code, aisle, y)
        floor.item(sku, barcodes=[(barcode, "each")], weight_kg=Decimal(grams) / 1000)
        floor.stock(sku, code, 5)
    configure(floor, packing={"packaging_g": PACKAGING_G, "tolerance_g": TOLERANCE_G})
    for external_id, skus in ORDERS.items():
        order(
            floor,
            external_id,
            *[(sku, 1) for sku in skus],
            carrier="SF",
            ship_to={"name": "Receiving department", "address": "8 Harbour Road"},
        )
    with factory() as s, s.begin():
        for n in range(1, 5):
            s.add(
                Container(
                    code=f"TOTE-{n}", kind=ContainerKind.tote, warehouse_id=floor.warehouse_id
                )
            )
    settings = Settings(
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
        secret_key="test-secret",
        testing=True,
        log_level="WARNING",
        devices=DeviceSettings(
            spool_dir=str(tmp_path / "spool"),
            start_workers=True,
            config_file=str(
                _devices_toml(tmp_path / "devices.toml", zebra.port, f"fakescale://{scale_name}")
            ),
        ),
        api=ApiSettings(start_webhook_worker=False),
        terminal=TerminalSettings(scan_silence_ms=SILENCE_MS, retry_seconds=1),
    )
    app = create_app(settings, engine=sqlite_engine)
    yield Station(
        live_factory(app).url, app, floor, factory, zebra, protocol_fakescale.simulator(scale_name)
    )
    for worker in app.extensions["wms"].workers:
        worker.stop()
    zebra.stop()


def _release(station: Station, *external_ids: str) -> None:
    with station.factory() as s, s.begin():
        allocation.allocate_orders(s, [orders.get_order(s, e).id for e in external_ids])
        assert waves.release_wave(s, warehouse_id=station.floor.warehouse_id) is not None


def _pick_answer(screen: dict, totes: list[str]) -> str:
    """What the picker scans for this screen, read from the screen alone."""
    fields = {f["label"]: f["value"] for f in screen["fields"]}
    if screen["expect"] == "location":
        return fields["From"]
    if screen["expect"] in ("item", "quantity"):
        return SKUS[fields["Item"]][0]
    if screen["expect"] == "container":
        return fields.get("Tote") or totes.pop(0)
    raise AssertionError(f"the pick flow expects {screen['expect']!r}")


def _taps(page) -> int:
    return int(page.evaluate("() => Number(sessionStorage.getItem('test.taps') || 0)"))


def _press_shown_key(page, action: str) -> None:
    """Press the PDA key printed on the action's button (no tap)."""
    key = page.locator(f"#actions button[data-action='{action}'] kbd").inner_text()
    page.keyboard.press(key)


def _open_pack_check(page) -> None:
    page.keyboard.press("F6")
    page.wait_for_url("**/t/flow")
    page.wait_for_function("() => window.__wmsFlow && window.__wmsFlow.screen()")
    wait_scan_focus(page)
    assert current_screen(page)["prompt"] == "Scan the tote or the order"


def _tote_of(station: Station, external_id: str) -> str:
    with station.factory() as s:
        return s.scalar(
            select(Container.code)
            .join(TripTote, TripTote.container_id == Container.id)
            .where(TripTote.order_id == orders.get_order(s, external_id).id)
        )


def _scan_items(page, skus: list[str]) -> dict:
    shown = {}
    for sku in skus:
        shown = answer(page, SKUS[sku][0])
        assert not shown["message"], shown["message"]
    return shown


def _read_scale(page) -> dict:
    """One tap on the Read scale button, then the next screen."""
    before = page.evaluate("window.__wmsFeedback.length")
    page.locator("#actions button[data-action='weigh']").tap()
    page.wait_for_function(
        f"() => window.__wmsFeedback.length > {before} && !document.body.hasAttribute('data-busy')"
    )
    return current_screen(page)


def _label_barcodes(zpl: bytes) -> set[tuple[str, bytes]]:
    """Render the ZPL the printer received and decode it like a scanner at the dock."""
    import zxingcpp
    from PIL import Image

    from wms.devices.preview import render_png

    image = Image.open(io.BytesIO(render_png(zpl.decode("utf-8"), dpi=203)))
    return {(r.symbology_identifier, bytes(r.bytes)) for r in zxingcpp.read_barcodes(image)}


def test_a_12_line_cluster_trip_is_picked_by_scans_packed_on_the_scale_and_labelled(
    station, pda_factory
):
    _release(station, *ORDERS)
    op = operator_in(station, "picker", "BADGE-0021")
    with station.factory() as s, s.begin():
        got = claims.claim_next(
            s,
            user=s.get(User, op.id),
            warehouse_id=station.floor.warehouse_id,
            device_id="PDA-21",
            lease_seconds=900,
        )
        lead = got[0].id
        trip = s.scalars(select(PickTrip)).one()
        assert sorted(trip.orders) == sorted(ORDERS) and len(got) == 12
    context = pda_factory(station.url)
    context.add_init_script(COUNT_TAPS)
    page = context.new_page()
    sign_in_by_badge(page, op)

    # The trip: one tap on it, then only scans.
    page.wait_for_selector(f"[data-task-id='{lead}']")
    page.locator(f"[data-task-id='{lead}']").tap()
    page.wait_for_url("**/t/flow")
    wait_scan_focus(page)
    totes = ["TOTE-1", "TOTE-2", "TOTE-3", "TOTE-4"]
    for _ in range(60):
        screen = current_screen(page)
        if screen["done"]:
            break
        after = answer(page, _pick_answer(screen, totes))
        assert not (after["message"] and after["message"]["level"] == "error"), after
    assert current_screen(page)["prompt"] == "Trip picked: 12 lines"
    assert _taps(page) == 1
    assert {e: fetch(station.floor, e).status for e in ORDERS} == {
        e: OrderStatus.picked for e in ORDERS
    }

    # The pack station: home by its key, F6 pack check, the station's label, the tote.
    _press_shown_key(page, "home")
    page.wait_for_url("**/t/")
    wait_scan_focus(page)
    _open_pack_check(page)
    bound = answer(page, "WS:PACK-01")
    assert bound["message"]["text"] == (
        "Pack station PACK-01: its scale weighs, its printer prints"
    )
    tote = _tote_of(station, "SO-1")
    opened = answer(page, tote)
    assert opened["prompt"] == "Scan each item of SO-1 (0/3)"
    weigh = _scan_items(page, ORDERS["SO-1"])
    expected = PACKAGING_G + sum(SKUS[sku][1] for sku in ORDERS["SO-1"])
    assert weigh["state"] == "weigh"
    assert weigh["prompt"] == f"Put the package on the scale: about {expected} g"
    assert [a["action"] for a in weigh["actions"]] == ["back", "weigh"]

    station.put_on_scale(expected + 12)
    done = _read_scale(page)

    assert done["prompt"] == "Order SO-1 packed" and done["done"] is True
    assert done["message"]["text"] == "Package SO-1-P1 closed, label printing"
    assert page.locator("#message.message-success").inner_text() == done["message"]["text"]
    assert _taps(page) == 2
    assert fetch(station.floor, "SO-1").status is OrderStatus.packed
    with station.factory() as s:
        package = s.scalars(select(Package)).one()
        assert (package.status, package.weight_g, package.station) == (
            "closed",
            expected + 12,
            "PACK-01",
        )
        tracking = package.tracking_no
        job_ref = s.get(PrintJob, package.label_job_id).ref

    # The label arrived at the Zebra on TCP: its job, order and tracking number.
    assert station.printer.wait_for_jobs(1, timeout=15), "no label reached the printer"
    assert station.printer.job_refs() == [job_ref]
    zpl = station.printer.jobs[0]
    fields = re.findall(rb"\^FD(.*?)\^FS", zpl)
    assert b"SO-1" in fields and b"SF" in fields
    assert any(b"Receiving department" in f for f in fields)
    assert {("]C0", tracking.encode()), ("]Q1", tracking.encode())} <= _label_barcodes(zpl)
    assert ledger_ok(station.floor) == []


def _picked_by_service(station: Station, external_id: str, tote: str) -> None:
    """What a picker's scans do, done directly: the order's trip picked into ``tote``."""
    _release(station, external_id)
    op = operator_in(station, "picker", "BADGE-0022")
    with station.factory() as s, s.begin():
        user = s.get(User, op.id)
        got = claims.claim_next(
            s,
            user=user,
            warehouse_id=station.floor.warehouse_id,
            device_id="PDA-22",
            lease_seconds=900,
        )
        for claimed in got:
            task = s.get(Task, claimed.id)
            task_service.start(
                s, task_id=task.id, user_id=op.id, device_id="PDA-22", lease_seconds=900
            )
            bound = picking.bind_tote(s, task, tote)
            picking.confirm_pick(s, task=task, qty=Decimal(1), tote=bound, user_id=op.id)


def test_a_weight_outside_tolerance_is_refused_in_red_and_nothing_closes(station, pda_factory):
    _picked_by_service(station, "SO-2", "TOTE-2")
    packer = operator_in(station, "packer", "BADGE-0023")
    page = pda_factory(station.url).new_page()
    sign_in_by_badge(page, packer)
    _open_pack_check(page)
    answer(page, "WS:PACK-01")
    answer(page, "TOTE-2")
    weigh = _scan_items(page, ORDERS["SO-2"])
    expected = PACKAGING_G + sum(SKUS[sku][1] for sku in ORDERS["SO-2"])
    assert weigh["prompt"] == f"Put the package on the scale: about {expected} g"

    # Something left in the box that should not be there: 180 g too heavy.
    station.put_on_scale(expected + 180)
    refused = _read_scale(page)

    assert refused["state"] == "weigh" and refused["seq"] == weigh["seq"]
    assert refused["message"]["level"] == "error"
    text = f"Weighs {expected + 180} g, expected {expected} g ± {TOLERANCE_G} g"
    assert refused["message"]["text"] == text
    assert page.locator("#message.message-error").inner_text() == text
    assert (
        page.locator("#message").evaluate("el => getComputedStyle(el).backgroundColor")
        == "rgb(176, 0, 0)"
    )
    with station.factory() as s:
        package = s.scalars(select(Package)).one()
        assert (package.status, package.weight_g, package.tracking_no, package.label_job_id) == (
            "open",
            None,
            None,
            None,
        )
        assert s.scalars(select(PrintJob)).all() == []
    assert fetch(station.floor, "SO-2").status is OrderStatus.picked
    assert not station.printer.wait_for_jobs(1, timeout=1.0)

    # Taken out again, the package weighs right and closes.
    station.put_on_scale(expected - 4)
    closed = _read_scale(page)
    assert closed["prompt"] == "Order SO-2 packed"
    assert station.printer.wait_for_jobs(1, timeout=15)
    assert ledger_ok(station.floor) == []
