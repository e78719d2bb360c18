"""The receive flow, screen by screen, as a receiver with a scanner sees it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.flowterm import Terminal
from tests.inbound.dock import Dock
from tests.inbound.pda import BACK, CLOSE, CONFIRM, PRINT, SKIP, screen
from wms.model import Container, ReceiptLine, Tracking, UnexpectedItem
from wms.scanning.checkdigits import make_sscc

ORDER = ("Order", "PO-1")
SUPPLIER = ("Supplier", "Supplier SUP1")
HEAD = [ORDER, SUPPLIER]
GS1_CASE = "(01)09501101530003(17)301231(10)L42"


def rx(state: str, prompt: str, **kw):
    return screen("receive", state, prompt, **kw)


@pytest.fixture
def pda(dock: Dock) -> Terminal:
    dock.floor.item("SKU-G", name="Gel", tracking=Tracking.lot, shelf_life_days=365,
                    units={"case": 12}, barcodes=[("09501101530003", "case")])
    term = Terminal(dock.floor, dock.receiver)
    term.start("receive")
    return term


def lines_booked(dock: Dock) -> int:
    with dock.factory() as s:
        return s.scalar(select(func.count(ReceiptLine.id))) or 0


def test_receiving_a_pallet_and_a_gs1_case_shows_every_screen(dock: Dock, pda: Terminal):
    dock.order("PO-1", [("SKU-A", 24), ("SKU-G", 1, "case")])
    sscc = make_sscc(0, "9501101", 7)
    first = pda.last
    fs = pda.fs

    at_order = pda.scan("PO-1")
    at_item = pda.scan("4006381333931")
    keyed = pda.scan("24")
    into_pallet = pda.scan(f"(00){sscc}")
    gs1 = pda.scan(GS1_CASE)
    one_case = pda.scan("1")
    loose = pda.press("skip")
    closed = pda.press("close")

    item_a = ("Item", "SKU-A Item SKU-A")
    gel = [("Item", "SKU-G Gel"), ("Quantity", "1 case"), ("Lot", "L42"),
           ("Expiry", "2030-12-31")]
    assert first == rx("scan_order", "Scan the purchase order, its SSCC or an item", seq=1,
                       fs=fs, expect="order")
    assert at_order == rx("scan_item", "Scan an item of PO-1", seq=2, fs=fs, expect="item",
                          fields=HEAD, progress="0/2", actions=[CLOSE])
    assert at_item == rx("scan_quantity", "Key the quantity of SKU-A or scan it again", seq=3,
                         fs=fs, expect="quantity", fields=[*HEAD, item_a, ("Quantity", "1 each")],
                         progress="0/2", actions=[BACK, CONFIRM])
    assert keyed == rx("scan_container", "Scan an LPN, print a new one, or receive loose",
                       seq=4, fs=fs, expect="container",
                       fields=[*HEAD, item_a, ("Quantity", "24 each")], progress="0/2",
                       actions=[BACK, PRINT, SKIP])
    assert into_pallet == rx("scan_item", "Scan an item of PO-1", seq=5, fs=fs, expect="item",
                             fields=HEAD, progress="1/2", actions=[CLOSE],
                             message=("received_into", "success",
                                      f"Received 24 each SKU-A into {sscc}"))
    assert gs1 == rx("scan_quantity", "Key the quantity of SKU-G or scan it again", seq=6,
                     fs=fs, expect="quantity", fields=[*HEAD, *gel], progress="1/2",
                     actions=[BACK, CONFIRM])
    assert one_case == rx("scan_container", "Scan an LPN, print a new one, or receive loose",
                          seq=7, fs=fs, expect="container", fields=[*HEAD, *gel],
                          progress="1/2", actions=[BACK, PRINT, SKIP])
    assert loose == rx("scan_item", "Scan an item of PO-1", seq=8, fs=fs, expect="item",
                       fields=HEAD, progress="2/2", actions=[CLOSE],
                       message=("received", "success", "Received 1 case SKU-G loose"))
    assert closed == rx("done", "Receipt closed", seq=9, fs=fs, fields=HEAD, done=True,
                        message=("receipt_closed_ok", "success",
                                 "Receipt closed: 2 to put away, 0 to inspect"))
    assert dock.received("PO-1") == {1: "24", 2: "12"}
    assert dock.floor.on_hand("SKU-G", "DOCK-01") == Decimal(12)


def test_unknown_order_reference_is_refused(dock: Dock, pda: Terminal) -> None:
    shown = pda.scan("PO-404")

    assert shown == rx("scan_order", "Scan the purchase order, its SSCC or an item", seq=1,
                       fs=pda.fs, expect="order",
                       message=("purchase_order_not_found", "error",
                                "No open purchase order for PO-404"))


def test_an_item_barcode_finds_the_order_expecting_it(dock: Dock, pda: Terminal) -> None:
    dock.order("PO-1", [("SKU-A", 5)])

    shown = pda.scan("4006381333931")

    assert (shown["state"], shown["fields"][0]["value"]) == ("scan_item", "PO-1")


def test_wrong_item_asks_for_a_supervisor_report_and_books_nothing(dock: Dock, pda: Terminal):
    dock.order("PO-1", [("SKU-A", 5)])
    pda.scan("PO-1")
    fs = pda.fs

    wrong = pda.scan("SKU-X")
    reported = pda.scan("3")

    assert wrong == rx("report_unexpected", "Key how many SKU-X arrived to report them", seq=3,
                       fs=fs, expect="quantity",
                       fields=[*HEAD, ("Item", "SKU-X Item SKU-X")], progress="0/1",
                       actions=[BACK],
                       message=("item_not_on_order", "error",
                                "SKU-X is not on PO-1: key the quantity to report it, or go back"))
    assert reported == rx("scan_item", "Scan an item of PO-1", seq=4, fs=fs, expect="item",
                          fields=HEAD, progress="0/1", actions=[CLOSE],
                          message=("unexpected_reported", "warning",
                                   "SKU-X reported to a supervisor: set it aside"))
    assert lines_booked(dock) == 0
    with dock.factory() as s:
        assert s.scalar(select(func.count(UnexpectedItem.id))) == 1


def test_quantity_over_tolerance_keeps_the_screen_and_explains(dock: Dock, pda: Terminal):
    dock.order("PO-1", [("SKU-A", 24)])
    pda.scan("PO-1", "4006381333931")

    shown = pda.scan("30")

    assert shown == rx("scan_quantity", "Key the quantity of SKU-A or scan it again", seq=3,
                       fs=pda.fs, expect="quantity",
                       fields=[*HEAD, ("Item", "SKU-A Item SKU-A"), ("Quantity", "1 each")],
                       progress="0/1", actions=[BACK, CONFIRM],
                       message=("over_tolerance", "error",
                                "At most 24 each more of SKU-A, not 30"))


def test_lot_and_expiry_screens_refuse_bad_values(dock: Dock, pda: Terminal) -> None:
    dock.order("PO-1", [("SKU-LOT", 10)])
    pda.scan("PO-1", "SKU-LOT")
    fs = pda.fs
    item = ("Item", "SKU-LOT Item SKU-LOT")

    at_lot = pda.scan("10")
    bad_lot = pda.scan("LOT 1")
    at_expiry = pda.scan("L7")
    expired = pda.scan("2020-01-01")
    not_a_date = pda.scan("soon")
    at_container = pda.scan("2030-01-31")

    qty = ("Quantity", "10 each")
    lot_screen = rx("scan_lot", "Scan or key the lot of SKU-LOT", seq=4, fs=fs, expect="lot",
                    fields=[*HEAD, item, qty], progress="0/1", actions=[BACK])
    assert at_lot == lot_screen
    assert bad_lot == {**lot_screen, "message": {
        "code": "invalid_lot_format", "level": "error",
        "text": "Lot LOT 1 has the wrong format: scan the lot label again"}}
    expiry_screen = rx("scan_expiry", "Key the expiry date of SKU-LOT (YYYY-MM-DD)", seq=5,
                       fs=fs, expect="date", fields=[*HEAD, item, qty, ("Lot", "L7")],
                       progress="0/1", actions=[BACK])
    assert at_expiry == expiry_screen
    assert expired["message"] == {"code": "goods_expired", "level": "error",
                                  "text": "SKU-LOT expired on 2020-01-01: do not receive it"}
    assert {**expired, "message": None} == expiry_screen
    assert not_a_date["message"]["text"] == "soon is not a date: key YYYY-MM-DD"
    assert at_container["state"] == "scan_container"
    assert at_container["fields"][-1] == {"label": "Expiry", "value": "2030-01-31"}


def test_serials_are_scanned_one_per_unit_and_never_twice(dock: Dock, pda: Terminal) -> None:
    dock.order("PO-1", [("SKU-SER", 2)])
    pda.scan("PO-1", "SKU-SER")
    fs = pda.fs
    item = ("Item", "SKU-SER Item SKU-SER")

    first = pda.scan("2")
    second = pda.scan("S1")
    twice = pda.scan("S1")
    done = pda.scan("S2")

    base = [*HEAD, item, ("Quantity", "2 each")]
    assert first == rx("scan_serial", "Scan serial 1 of 2", seq=4, fs=fs, expect="serial",
                       fields=base, progress="0/1", actions=[BACK])
    assert second == rx("scan_serial", "Scan serial 2 of 2", seq=5, fs=fs, expect="serial",
                        fields=[*base, ("Serials", "S1")], progress="0/1", actions=[BACK])
    assert twice == {**second, "message": {"code": "duplicate_serial", "level": "error",
                                           "text": "Serial S1 is already received: scan another"}}
    assert done["state"] == "scan_container"
    assert done["fields"][-1] == {"label": "Serials", "value": "S1, S2"}


def test_back_forgets_the_item(dock: Dock, pda: Terminal) -> None:
    dock.order("PO-1", [("SKU-A", 24)])
    pda.scan("PO-1", "4006381333931")

    shown = pda.press("back")

    assert shown == rx("scan_item", "Scan an item of PO-1", seq=4, fs=pda.fs, expect="item",
                       fields=HEAD, progress="0/1", actions=[CLOSE])


def test_print_without_a_printer_explains_and_books_nothing(dock: Dock, pda: Terminal) -> None:
    dock.order("PO-1", [("SKU-A", 24)])
    pda.scan("PO-1", "4006381333931", "24")

    shown = pda.press("print")

    assert shown["state"] == "scan_container"
    assert shown["message"] == {"code": "no_printer_assigned", "level": "error",
                                "text": "No printer for container labels here: ask a supervisor"}
    assert lines_booked(dock) == 0
    with dock.factory() as s:
        assert s.scalar(select(func.count(Container.id))) == 0


def test_qc_goods_are_announced_for_the_qc_area(dock: Dock, pda: Terminal) -> None:
    dock.supplier_rules(qc_required=True)
    dock.order("PO-1", [("SKU-A", 24)])
    pda.scan("PO-1", "4006381333931", "24")

    shown = pda.press("skip")

    assert shown["message"]["text"] == "Received 24 each SKU-A: take it to QC"
