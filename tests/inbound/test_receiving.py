"""Receiving by scan at the dock: what is booked, and every refusal that changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.inbound.dock import Dock
from wms.errors import LocationBlocked
from wms.events import pending
from wms.model import Location, PurchaseOrderStatus, Quant, ReceiptLine, StockMove, StockStatus
from wms.services import receiving
from wms.services.inbound_rules import (
    DuplicateSerial,
    GoodsExpired,
    InvalidLotFormat,
    ItemNotOnOrder,
    LotRequired,
    OverTolerance,
    SerialCountMismatch,
    ShelfLifeTooShort,
)


def nothing_booked(dock: Dock) -> None:
    with dock.factory() as s:
        assert s.scalar(select(func.count(StockMove.id))) == 0
        assert s.scalar(select(func.count(ReceiptLine.id))) == 0


def test_received_stock_waits_at_the_dock_and_counts_on_the_line(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 24)])
    receipt = dock.start(order)

    dock.receive(receipt, "SKU-A", 2, "case")

    assert dock.floor.on_hand("SKU-A", "DOCK-01") == Decimal(24)
    assert dock.received("PO-1") == {1: "24"}
    assert dock.fetch_order("PO-1")["status"] == "receiving"
    with dock.factory() as s:
        move = s.scalars(select(StockMove)).one()
        assert (move.qty, move.entered_qty, move.entered_uom) == (24, 2, "case")
        assert move.document_ref == "PO-1"


def test_closing_a_complete_receipt_marks_the_order_received_and_plans_putaway(
    dock: Dock,
) -> None:
    order = dock.order("PO-1", [("SKU-A", 10)])
    receipt = dock.start(order)
    pallet = dock.pallet("LPN-1")
    dock.receive(receipt, "SKU-A", 10, container_id=pallet.id)

    closed = dock.close(receipt)

    assert dock.fetch_order("PO-1")["status"] == "received"
    (task,) = closed.putaway_tasks
    assert (task.container_id, task.qty, dock.code(task.to_location_id)) == (
        pallet.id, Decimal(10), "A-01-01-1")


def test_short_receipt_leaves_the_rest_open_for_the_next_delivery(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 10)])
    first = dock.start(order)
    dock.receive(first, "SKU-A", 6)
    dock.close(first)

    assert dock.fetch_order("PO-1")["status"] == "receiving"
    assert dock.fetch_order("PO-1")["lines"][0]["open_qty"] == "4"

    second = dock.start(order)
    dock.receive(second, "SKU-A", 4)
    dock.close(second)
    assert dock.fetch_order("PO-1")["status"] == "received"


def test_under_tolerance_lets_a_nearly_complete_line_count_as_received(dock: Dock) -> None:
    dock.supplier_rules(under_tolerance_pct=Decimal(10))
    order = dock.order("PO-1", [("SKU-A", 10)])
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-A", 9)

    dock.close(receipt)

    assert dock.fetch_order("PO-1")["status"] == "received"


def test_wrong_item_for_the_order_is_refused(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 10)]))

    with pytest.raises(ItemNotOnOrder) as err:
        dock.receive(receipt, "SKU-X", 1)

    assert err.value.params == {"sku": "SKU-X", "order": "PO-1"}
    nothing_booked(dock)


@pytest.mark.parametrize(
    ("over_pct", "qty", "ok"), [(0, 11, False), (10, 11, True), (10, 12, False)]
)
def test_over_receipt_follows_the_supplier_tolerance(dock: Dock, over_pct, qty, ok) -> None:
    dock.supplier_rules(over_tolerance_pct=Decimal(over_pct))
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 10)]))

    if ok:
        dock.receive(receipt, "SKU-A", qty)
        assert dock.received("PO-1") == {1: str(qty)}
    else:
        with pytest.raises(OverTolerance) as err:
            dock.receive(receipt, "SKU-A", qty)
        assert err.value.params["max"] == str(10 + over_pct // 10)
        nothing_booked(dock)


@pytest.mark.parametrize("lot", ["LOT 1", "LOT-4221SN1234567890123", "Ä1"])
def test_malformed_lot_is_refused(dock: Dock, lot: str) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-LOT", 5)]))

    with pytest.raises(InvalidLotFormat):
        dock.receive(receipt, "SKU-LOT", 5, lot_no=lot, expiry=date(2026, 6, 1))

    nothing_booked(dock)


def test_lot_pattern_of_the_item_is_enforced(dock: Dock) -> None:
    dock.item_rules("SKU-LOT", lot_pattern=r"L\d{4}")
    receipt = dock.start(dock.order("PO-1", [("SKU-LOT", 5)]))

    with pytest.raises(InvalidLotFormat):
        dock.receive(receipt, "SKU-LOT", 5, lot_no="X1234", expiry=date(2026, 6, 1))
    dock.receive(receipt, "SKU-LOT", 5, lot_no="L1234", expiry=date(2026, 6, 1))

    assert dock.received("PO-1") == {1: "5"}


def test_lot_tracked_item_needs_a_lot(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-LOT", 5)]))

    with pytest.raises(LotRequired):
        dock.receive(receipt, "SKU-LOT", 5)

    nothing_booked(dock)


def test_expired_goods_are_refused(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-LOT", 5)]))

    with pytest.raises(GoodsExpired):
        dock.receive(receipt, "SKU-LOT", 5, lot_no="L1", expiry=date(2025, 5, 31))

    nothing_booked(dock)


def test_too_short_dated_goods_are_refused_by_the_configured_minimum(dock: Dock) -> None:
    dock.item_rules("SKU-LOT", min_remaining_shelf_life_days=90)
    receipt = dock.start(dock.order("PO-1", [("SKU-LOT", 5)]))

    with pytest.raises(ShelfLifeTooShort) as err:
        dock.receive(receipt, "SKU-LOT", 5, lot_no="L1", expiry=date(2025, 8, 1))

    assert (err.value.params["days_left"], err.value.params["min_days"]) == ("61", "90")
    nothing_booked(dock)
    dock.receive(receipt, "SKU-LOT", 5, lot_no="L1", expiry=date(2025, 9, 1))


def test_serials_are_one_per_unit_and_never_twice(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-SER", 3)]))

    with pytest.raises(SerialCountMismatch):
        dock.receive(receipt, "SKU-SER", 2, serials=("S1",))
    with pytest.raises(DuplicateSerial):
        dock.receive(receipt, "SKU-SER", 2, serials=("S1", "S1"))
    nothing_booked(dock)
    dock.receive(receipt, "SKU-SER", 2, serials=("S1", "S2"))

    with pytest.raises(DuplicateSerial) as err:
        dock.receive(receipt, "SKU-SER", 1, serials=("S2",))
    assert err.value.params["serial"] == "S2"
    assert dock.received("PO-1") == {1: "2"}


def test_blocked_receiving_location_refuses_the_receipt(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 5)]))
    with dock.factory() as s, s.begin():
        s.scalars(select(Location).where(Location.code == "DOCK-01")).one().blocked = True

    with pytest.raises(LocationBlocked):
        dock.receive(receipt, "SKU-A", 5)

    nothing_booked(dock)


def test_goods_needing_qc_go_to_quarantine_and_get_an_inspection(dock: Dock) -> None:
    dock.supplier_rules(qc_required=True)
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 10)]))

    dock.receive(receipt, "SKU-A", 10)
    closed = dock.close(receipt)

    quant = dock.floor.quant("SKU-A", "QC-01", status=StockStatus.quarantine)
    assert quant.on_hand == Decimal(10)
    assert closed.putaway_tasks == []
    assert [i.qty for i in closed.inspections] == [Decimal(10)]


def test_closing_announces_purchase_order_received_with_lots_and_serials(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-LOT", 5), ("SKU-SER", 2)])
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-LOT", 3, lot_no="L1", expiry=date(2026, 1, 1))
    dock.receive(receipt, "SKU-LOT", 2, lot_no="L2", expiry=date(2026, 2, 1))
    dock.receive(receipt, "SKU-SER", 2, serials=("S1", "S2"))

    with dock.factory() as s, s.begin():
        receiving.close_receipt(s, receipt_id=receipt.id, operator_id=None)
        (event,) = [e for e in pending(s) if e.name == "purchase_order.received"]

    assert event.payload["status"] == "received"
    lot_line, serial_line = event.payload["lines"]
    assert lot_line["lots"] == [
        {"lot": "L1", "qty": "3", "expiry": "2026-01-01"},
        {"lot": "L2", "qty": "2", "expiry": "2026-02-01"},
    ]
    assert (serial_line["qty"], serial_line["serials"]) == ("2", ["S1", "S2"])


def test_closed_or_cancelled_orders_cannot_be_received(dock: Dock) -> None:
    order = dock.order("PO-1", [("SKU-A", 5)])
    with dock.factory() as s, s.begin():
        s.merge(order).status = PurchaseOrderStatus.closed

    with pytest.raises(receiving.OrderNotReceivable):
        dock.start(order)


def test_stock_quantities_stay_in_step_with_receipt_lines(dock: Dock) -> None:
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 30)]))
    dock.receive(receipt, "SKU-A", 1, "case")
    dock.receive(receipt, "SKU-A", 3)

    with dock.factory() as s:
        assert s.scalar(select(func.sum(Quant.on_hand))) == Decimal(15)
