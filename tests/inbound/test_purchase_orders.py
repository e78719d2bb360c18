"""Purchase orders from the ERP: create, change before and after receiving, unexpected items."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.inbound.dock import Dock
from wms.errors import Conflict, ValidationFailed
from wms.model import PurchaseOrderStatus
from wms.services import unexpected_items
from wms.services.inbound_rules import ItemNotOnOrder


def test_a_push_before_receiving_replaces_the_lines(dock: Dock) -> None:
    dock.order("PO-1", [("SKU-A", 10), ("SKU-X", 5)])

    dock.order("PO-1", [("SKU-A", 2, "case")])

    described = dock.fetch_order("PO-1")
    assert (described["version"], described["conflicts"]) == (2, [])
    assert [(ln["sku"], ln["qty"], ln["uom"], ln["qty_base"]) for ln in described["lines"]] == [
        ("SKU-A", "2", "case", "24")]


def test_a_change_after_receiving_keeps_what_was_received_and_reports_it(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 10), ("SKU-X", 5)])
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-A", 8)
    dock.receive(receipt, "SKU-X", 5)

    dock.order("PO-1", [("SKU-A", 6)])

    described = dock.fetch_order("PO-1")
    assert [(ln["line_no"], ln["qty"], ln["received_qty"], ln["cancelled"])
            for ln in described["lines"]] == [(1, "6", "8", False), (2, "5", "5", True)]
    assert described["conflicts"] == [
        {"line_no": 1, "field": "qty", "message": "already received 8", "received_qty": "8"},
        {"line_no": 2, "field": "removed", "message": "line removed after receiving",
         "received_qty": "5"},
    ]
    assert described["status"] == "receiving"


def test_a_push_cannot_swap_the_item_of_a_received_line(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 10)]))
    dock.receive(receipt, "SKU-A", 1)

    dock.order("PO-1", [("SKU-X", 10)])

    (line,) = dock.fetch_order("PO-1")["lines"]
    assert (line["sku"], line["received_qty"]) == ("SKU-A", "1")
    assert dock.fetch_order("PO-1")["conflicts"][0]["field"] == "sku"


def test_closed_orders_refuse_changes(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 10)])
    with dock.factory() as s, s.begin():
        s.merge(order).status = PurchaseOrderStatus.closed

    with pytest.raises(Conflict):
        dock.order("PO-1", [("SKU-A", 11)])


def test_every_bad_field_is_reported_at_once(dock: Dock) -> None:
    with pytest.raises(ValidationFailed) as err:
        dock.order("PO-1", [("NOPE", 1), ("SKU-A", 0), ("SKU-A", 1, "crate")], supplier="ZZ")

    assert [e.field for e in err.value.errors] == [
        "supplier", "lines[0].sku", "lines[1].qty", "lines[2].uom"]


def test_unexpected_item_waits_for_a_supervisor_and_is_then_receivable(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 10)])
    receipt = dock.start(order)
    with pytest.raises(ItemNotOnOrder):
        dock.receive(receipt, "SKU-X", 3)

    with dock.factory() as s, s.begin():
        found = unexpected_items.report(s, order_id=order.id, item_id=dock.floor.item("SKU-X").id,
                                        qty=Decimal(3), uom="each", reported_by_id=None)
    assert [ln["sku"] for ln in dock.fetch_order("PO-1")["lines"]] == ["SKU-A"]
    with dock.factory() as s, s.begin():
        unexpected_items.decide(s, unexpected_id=found.id, accept=True, decided_by_id=None)
    dock.receive(receipt, "SKU-X", 3)

    lines = dock.fetch_order("PO-1")["lines"]
    assert [(ln["sku"], ln["received_qty"], ln["added_by_decision"]) for ln in lines] == [
        ("SKU-A", "0", False), ("SKU-X", "3", True)]


def test_a_refused_unexpected_item_adds_nothing_and_is_decided_once(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 10)])
    with dock.factory() as s, s.begin():
        found = unexpected_items.report(s, order_id=order.id, item_id=dock.floor.item("SKU-X").id,
                                        qty=Decimal(3), uom="each")
        unexpected_items.decide(s, unexpected_id=found.id, accept=False, decided_by_id=None)

    with pytest.raises(unexpected_items.AlreadyDecided), dock.factory() as s, s.begin():
        unexpected_items.decide(s, unexpected_id=found.id, accept=True, decided_by_id=None)
    assert len(dock.fetch_order("PO-1")["lines"]) == 1
