"""The pack-check flow on the scanner: every screen whole, every refusal, scale and keyed weight."""

from __future__ import annotations

from sqlalchemy import select

from tests.flowterm import Terminal
from tests.flowterm import screen as move_screen
from tests.outbound.shop import fetch, ledger_ok
from tests.outbound.test_pack_ship import _picked
from wms.devices.errors import ScaleNotStable
from wms.model import OrderStatus, Package, PrintJob, User
from wms.services import printing

CLOSE = ("close", "Close package", "F5")
BACK = ("back", "Back", "F1")
WEIGH = ("weigh", "Read scale", "F5")
FINISH = ("finish_order", "Finish order", "F5")


def screen(state, prompt, **kw):
    return {**move_screen(state, prompt, title="Pack check", **kw), "flow": "pack_check"}


def _term(floor) -> Terminal:
    ann_id = _picked(floor)
    with floor.factory() as s, s.begin():
        printing.use_workstation(s, terminal="PDA-1", scanned="PACK-1")
        ann = s.get(User, ann_id)
        s.expunge(ann)
    term = Terminal(floor, ann)
    term.start("pack_check")
    return term


def _fields(packed, package=None, in_package=None, sku=None):
    out = [("Order", "SO-1"), ("Packed", f"{packed}/2")]
    if package:
        out += [("Package", package), ("In package", in_package)]
    return out + ([("Item", sku)] if sku else [])


def test_scan_the_tote_then_each_item_then_key_the_weight(floor):
    term = _term(floor)
    assert term.last == screen(
        "scan_order", "Scan the tote or the order", seq=1, fs=term.fs, expect="container"
    )

    shown = term.scan("TOTE-1")
    assert shown == screen(
        "scan_item",
        "Scan each item of SO-1 (0/2)",
        seq=2,
        fs=term.fs,
        expect="item",
        fields=_fields(0, "SO-1-P1", "0"),
        actions=[CLOSE],
    )
    shown = term.scan("SKU-1")
    assert shown == screen(
        "scan_item",
        "Scan each item of SO-1 (1/2)",
        seq=3,
        fs=term.fs,
        expect="item",
        fields=_fields(1, "SO-1-P1", "1", "SKU-1"),
        actions=[CLOSE],
    )
    shown = term.scan("SKU-1")
    assert shown == screen(
        "weigh",
        "Weigh the package and key the grams: about 1100 g",
        seq=4,
        fs=term.fs,
        expect="quantity",
        fields=_fields(2, "SO-1-P1", "2", "SKU-1"),
        actions=[BACK],
    )
    refused = term.scan("1300")
    assert refused["state"] == "weigh" and refused["seq"] == 4
    assert refused["message"]["text"] == "Weighs 1300 g, expected 1100 g ± 30 g"
    assert term.scan("12.5")["message"]["text"] == "Key the weight in whole grams, not 12.5"

    done = term.scan("1110")
    assert done == screen(
        "done",
        "Order SO-1 packed",
        seq=5,
        fs=term.fs,
        fields=_fields(2),
        done=True,
        message=("pack.package_closed", "success", "Package SO-1-P1 closed, label printing"),
    )
    assert fetch(floor, "SO-1").status is OrderStatus.packed
    with floor.factory() as s:
        package = s.scalars(select(Package)).one()
        assert (package.weight_g, package.station, package.status) == (1110, "PACK-1", "closed")
        assert s.get(PrintJob, package.label_job_id).label_kind == "shipping"
    assert ledger_ok(floor) == []


def test_refusals_change_nothing(floor):
    term = _term(floor)
    nothing = term.scan("SO-404")
    assert (nothing["state"], nothing["message"]["text"]) == (
        "scan_order",
        "Nothing to pack for SO-404",
    )
    term.scan("SO-1")
    floor.item("SKU-9")
    assert term.scan("SKU-9")["message"]["text"] == "SKU-9 is not in this order"
    assert term.scan("5")["message"]["text"] == "Scan an item of the order, not 5"
    empty = term.press("close")
    assert (empty["state"], empty["message"]["text"]) == (
        "scan_item",
        "Scan at least one item first",
    )
    term.scan("SKU-1")
    assert term.scan("1")["message"]["text"] == (
        "1 SKU-1 are already in the package: key more than 1, not 1"
    )
    assert term.scan("3")["message"]["text"] == "Only 2 SKU-1 were picked"
    assert [f["value"] for f in term.last["fields"]] == ["SO-1", "1/2", "SO-1-P1", "1", "SKU-1"]
    assert ledger_ok(floor) == []


def test_keyed_count_two_packages_and_finish(floor):
    term = _term(floor)
    term.scan("TOTE-1", "SKU-1")
    weigh = term.press("close")
    assert (weigh["state"], weigh["prompt"]) == (
        "weigh",
        "Weigh the package and key the grams: about 600 g",
    )
    assert term.press("back")["state"] == "scan_item"
    term.press("close")
    shown = term.scan("600")
    assert shown == screen(
        "next_package",
        "Scan an item of SO-1 for the next package, or finish",
        seq=shown["seq"],
        fs=term.fs,
        expect="item",
        fields=_fields(1),
        actions=[FINISH],
        message=("pack.package_closed", "success", "Package SO-1-P1 closed, label printing"),
    )
    early = term.press("finish_order")
    assert (early["state"], early["message"]["text"]) == ("next_package", "Still missing: 1: 1")
    second = term.scan("SKU-1")
    assert second["state"] == "weigh" and [f["value"] for f in second["fields"]][2:4] == [
        "SO-1-P2",
        "1",
    ]
    assert term.scan("600")["state"] == "done"
    with floor.factory() as s:
        assert s.scalars(select(Package.code).order_by(Package.id)).all() == ["SO-1-P1", "SO-1-P2"]
    assert ledger_ok(floor) == []


def test_keyed_count_for_bulk(floor):
    term = _term(floor)
    term.scan("TOTE-1", "SKU-1")
    assert term.scan("2")["state"] == "weigh"
    assert [f["value"] for f in term.last["fields"]] == ["SO-1", "2/2", "SO-1-P1", "2", "SKU-1"]


def test_with_a_scale_the_weight_is_read_not_keyed(floor):
    term = _term(floor)
    readings = iter([ScaleNotStable("moving"), 1500, 1095])

    def read() -> int:
        value = next(readings)
        if isinstance(value, Exception):
            raise value
        return value

    term.weigh = read
    term.scan("TOTE-1", "SKU-1", "SKU-1")
    assert term.last == screen(
        "weigh",
        "Put the package on the scale: about 1100 g",
        seq=4,
        fs=term.fs,
        fields=_fields(2, "SO-1-P1", "2", "SKU-1"),
        actions=[BACK, WEIGH],
    )
    assert term.scan("1100")["message"]["text"] == (
        "This station has a scale: put the package on it and press Read scale"
    )
    assert term.press("weigh")["message"]["text"] == (
        "The weight did not settle: keep the package still and read again"
    )
    assert term.press("weigh")["message"]["text"] == "Weighs 1500 g, expected 1100 g ± 30 g"
    assert term.press("weigh")["state"] == "done"
    with floor.factory() as s:
        assert s.scalars(select(Package.weight_g)).one() == 1095


def test_the_edge_finds_the_scale_of_the_terminals_station(floor):
    from wms.model import ScaleDevice, ScaleDriver, Workstation
    from wms.services import devices

    _term(floor)
    with floor.factory() as s, s.begin():
        assert devices.scale_for_terminal(s, "PDA-1") is None
        station = s.scalars(select(Workstation).where(Workstation.code == "PACK-1")).one()
        s.add(
            ScaleDevice(
                code="SC-1", name="Scale 1", driver=ScaleDriver.fake, workstation_id=station.id
            )
        )
        s.flush()
        assert devices.scale_for_terminal(s, "PDA-1") == "SC-1"
        assert devices.scale_for_terminal(s, "PDA-2") is None


def test_the_web_edge_reads_the_stable_weight_of_the_terminals_station_scale(floor, tmp_path):
    from decimal import Decimal

    from flask import Flask
    from flask import session as http_session

    from wms.devices.fakes import protocol_fakescale
    from wms.model import ScaleDevice, ScaleDriver, Workstation
    from wms.settings import Settings
    from wms.web import flows_api
    from wms.web.devices_runtime import start_devices

    _term(floor)  # PDA-1 works at PACK-1
    with floor.factory() as s, s.begin():
        station = s.scalars(select(Workstation).where(Workstation.code == "PACK-1")).one()
        s.add(
            ScaleDevice(
                code="SC-PACK",
                name="Pack scale",
                driver=ScaleDriver.fake,
                workstation_id=station.id,
                deadline_ms=3000,
            )
        )
    settings = Settings().with_overrides(
        devices={"spool_dir": str(tmp_path / "spool"), "start_workers": False}
    )
    runtime = start_devices(settings, floor.factory, sync_config=False)
    app = Flask(__name__)
    app.secret_key = "test"
    app.extensions["wms_devices"] = runtime
    protocol_fakescale.simulator("SC-PACK").gross_kg = Decimal("1.105")
    with app.test_request_context(), floor.factory() as s:
        http_session["device_id"] = "PDA-1"
        read = flows_api._station_scale(s)
        assert read is not None and read() == 1105
        http_session["device_id"] = "PDA-2"
        assert flows_api._station_scale(s) is None
    runtime.stop()


def test_the_station_label_binds_the_terminal_to_the_pack_station(floor):
    ann_id = _picked(floor)
    with floor.factory() as s:
        ann = s.get(User, ann_id)
        s.expunge(ann)
    term = Terminal(floor, ann, device_id="PDA-5")
    term.start("pack_check")

    unknown = term.scan("WS:PACK-9")
    bound = term.scan("WS:PACK-1")

    assert (unknown["state"], unknown["message"]["text"]) == (
        "scan_order",
        "Unknown workstation PACK-9: scan the station's label",
    )
    assert bound == screen(
        "scan_order",
        "Scan the tote or the order",
        seq=2,
        fs=term.fs,
        expect="container",
        message=(
            "pack.station_bound",
            "success",
            "Pack station PACK-1: its scale weighs, its printer prints",
        ),
    )
    with floor.factory() as s:
        assert printing.station_of(s, "PDA-5") == "PACK-1"
        assert printing.station_of(s, "PDA-1") is None
