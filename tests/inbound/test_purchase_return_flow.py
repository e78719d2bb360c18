"""Shipping a purchase return on the PDA, screen by screen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.flowterm import Terminal
from tests.inbound.dock import Dock
from tests.inbound.pda import BACK, screen
from wms.model import PurchaseReturn, ReturnStatus, StockStatus


def rs(state: str, prompt: str, **kw):
    return screen("purchase_return", state, prompt, **kw)


@pytest.fixture
def rejected(dock: Dock) -> str:
    """Two of ten rejected at incoming QC: they wait at RET-01 on a purchase return."""
    dock.supplier_rules(qc_required=True)
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 10)]))
    dock.receive(receipt, "SKU-A", 10, container_id=dock.pallet("LPN-1").id)
    dock.close(receipt)
    inspector = Terminal(dock.floor, dock.receiver)
    inspector.start("qc")
    for answer in ("LPN-1", "3", "2", "torn cartons"):
        inspector.scan(answer)
    with dock.factory() as s:
        (number,) = s.scalars(select(PurchaseReturn.number)).all()
    return number


def status_of(dock: Dock, number: str) -> ReturnStatus:
    with dock.factory() as s:
        return s.scalars(select(PurchaseReturn.status).where(PurchaseReturn.number == number)).one()


def test_a_return_is_shipped_screen_by_screen(dock: Dock, rejected: str) -> None:
    pda = Terminal(dock.floor, dock.driver)
    first = pda.start("purchase_return")
    fs = pda.fs

    at_location = pda.scan(rejected)
    at_item = pda.scan("RET-01")
    at_qty = pda.scan("SKU-A")
    finished = pda.scan("2")

    head = [("Return", rejected), ("Supplier", "SUP1")]
    here = [*head, ("From", "RET-01")]
    assert first == rs("scan_return", "Scan the return number", seq=1, fs=fs, expect="text")
    assert at_location == rs("scan_location", "Scan the location the goods are at", seq=2,
                             fs=fs, expect="location", fields=head)
    assert at_item == rs("scan_item", "Scan the item", seq=3, fs=fs, expect="item",
                         fields=here, actions=[BACK])
    assert at_qty == rs("confirm_qty", "Count and key the quantity", seq=4, fs=fs,
                        expect="quantity", actions=[BACK],
                        fields=[*here, ("Item", "SKU-A"), ("Quantity", "2 each")])
    assert finished == rs("done", "Return shipped", seq=5, fs=fs, done=True, fields=head,
                          message=("return_shipped", "success", f"Return {rejected} shipped"))
    assert dock.floor.on_hand("SKU-A", "RET-01") == Decimal(0)
    assert status_of(dock, rejected) is ReturnStatus.shipped


def test_a_wrong_count_is_refused_and_nothing_ships(dock: Dock, rejected: str) -> None:
    pda = Terminal(dock.floor, dock.driver)
    pda.start("purchase_return")
    pda.scan(rejected)
    pda.scan("RET-01")
    at_qty = pda.scan("SKU-A")

    shown = pda.scan("3")

    assert shown == {**at_qty, "message": {
        "code": "return_qty_mismatch", "level": "error",
        "text": "2 of SKU-A to return, not 3: count again"}}
    assert dock.floor.quant("SKU-A", "RET-01", status=StockStatus.hold).on_hand == Decimal(2)
    assert status_of(dock, rejected) is ReturnStatus.open


def test_unknown_returns_empty_locations_and_other_items_are_explained(
    dock: Dock, rejected: str
) -> None:
    pda = Terminal(dock.floor, dock.driver)
    pda.start("purchase_return")

    unknown = pda.scan("RTS-NOPE")
    pda.scan(rejected)
    empty = pda.scan("QC-01")
    pda.scan("RET-01")
    other = pda.scan("SKU-X")

    assert unknown["message"]["text"] == "No open return RTS-NOPE here"
    assert empty["message"]["text"] == f"Nothing of {rejected} waits at QC-01"
    assert other["message"]["text"] == "SKU-X is not to be returned from RET-01"
    assert other["state"] == "scan_item"
    assert status_of(dock, rejected) is ReturnStatus.open


def test_a_shipped_return_cannot_be_started_again(dock: Dock, rejected: str) -> None:
    pda = Terminal(dock.floor, dock.driver)
    pda.start("purchase_return")
    for answer in (rejected, "RET-01", "SKU-A", "2"):
        pda.scan(answer)
    again = Terminal(dock.floor, dock.driver)
    again.start("purchase_return")

    shown = again.scan(rejected)

    assert shown["state"] == "scan_return"
    assert shown["message"]["text"] == f"No open return {rejected} here"
    dock.ledger_ok()
