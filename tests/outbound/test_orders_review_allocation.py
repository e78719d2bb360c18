"""Orders come in, get reviewed, and get stock reserved by the removal strategy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.outbound.shop import bin, configure, customer, fetch, ledger_ok, order
from wms.errors import ValidationFailed
from wms.model import OrderStatus
from wms.services import allocation, orders, review


def _allocate(floor, *external_ids: str, today: date | None = None) -> None:
    with floor.factory() as s, s.begin():
        ids = [orders.get_order(s, e).id for e in external_ids]
        allocation.allocate_orders(s, ids, today=today)


def test_a_clean_order_is_reviewed_then_allocated_fifo(floor):
    bin(floor, "A-01-01", 0, 3)
    bin(floor, "A-01-02", 0, 6)
    floor.stock("SKU-1", "A-01-02", 5)  # arrived first
    floor.stock("SKU-1", "A-01-01", 5)
    so = order(floor, "SO-1", ("SKU-1", 7))
    assert so.status is OrderStatus.reviewed

    _allocate(floor, "SO-1")

    so = fetch(floor, "SO-1")
    assert so.status is OrderStatus.allocated
    assert so.lines[0].allocated_qty == Decimal(7)
    assert floor.quant("SKU-1", "A-01-02").reserved == Decimal(5)
    assert floor.quant("SKU-1", "A-01-01").reserved == Decimal(2)
    assert ledger_ok(floor) == []


def test_an_unknown_sku_or_unit_rejects_the_whole_push(floor):
    floor.warehouse()
    floor.item("SKU-1")
    customer(floor)
    data = orders.OrderInput(external_id="SO-X", customer="C1", warehouse="WH1", lines=[
        orders.LineInput(1, "SKU-1", Decimal(1)), orders.LineInput(2, "NOPE", Decimal(1)),
        orders.LineInput(3, "SKU-1", Decimal(1), uom="crate")])

    with pytest.raises(ValidationFailed) as caught, floor.factory() as s, s.begin():
        orders.upsert_order(s, data)

    assert [e.field for e in caught.value.errors] == ["lines[1].sku", "lines[2].uom"]
    with floor.factory() as s, pytest.raises(orders.OrderNotFound):
        orders.get_order(s, "SO-X")


def test_review_rules_hold_the_order_with_every_reason(floor):
    configure(floor, review={"credit_hold": True, "address_required": True,
                             "value_limit": "100", "stock_check": True})
    customer(floor, "BAD", credit_hold=True)
    floor.warehouse()
    floor.item("SKU-1")
    data = orders.OrderInput(external_id="SO-H", customer="BAD", warehouse="WH1", ship_to={},
                             lines=[orders.LineInput(1, "SKU-1", Decimal(2),
                                                     unit_price=Decimal("60"))])
    with floor.factory() as s, s.begin():
        orders.upsert_order(s, data)

    so = fetch(floor, "SO-H")
    assert so.status is OrderStatus.on_hold
    assert so.hold_reasons == ["credit_hold", "address_missing", "value_over_limit",
                               "items_short"]

    with floor.factory() as s, s.begin():
        review.approve(s, orders.get_order(s, "SO-H"), actor_id=None)
    assert fetch(floor, "SO-H").status is OrderStatus.reviewed


def test_fefo_respects_the_customers_minimum_shelf_life(floor):
    configure(floor, removal="fefo")
    customer(floor, "C1", min_shelf_life_days=30)
    bin(floor, "A-01-01", 0, 3)
    bin(floor, "A-01-02", 0, 6)
    floor.lot("SKU-1", "L-SOON", date(2030, 1, 10))
    floor.lot("SKU-1", "L-LATE", date(2030, 6, 1))
    floor.stock("SKU-1", "A-01-01", 5, lot="L-SOON")
    floor.stock("SKU-1", "A-01-02", 5, lot="L-LATE")
    order(floor, "SO-1", ("SKU-1", 3))

    _allocate(floor, "SO-1", today=date(2030, 1, 1))

    assert floor.quant("SKU-1", "A-01-01").reserved == 0
    assert floor.quant("SKU-1", "A-01-02").reserved == 3


@pytest.mark.parametrize(("policy", "status", "dropped", "backorder"), [
    ("ship_partial", OrderStatus.allocated, Decimal(6), False),
    ("wait", OrderStatus.short, Decimal(0), False),
    ("backorder", OrderStatus.allocated, Decimal(6), True),
])
def test_short_allocation_follows_the_policy(floor, policy, status, dropped, backorder):
    bin(floor, "A-01-01", 0, 3)
    floor.stock("SKU-1", "A-01-01", 4)
    order(floor, "SO-1", ("SKU-1", 10), short_policy=policy)

    _allocate(floor, "SO-1")

    so = fetch(floor, "SO-1")
    assert (so.status, so.lines[0].allocated_qty, so.lines[0].dropped_qty) == (
        status, Decimal(4), dropped)
    with floor.factory() as s:
        found = [o.external_id for o in s.scalars(
            orders.select(orders.SalesOrder).where(
                orders.SalesOrder.external_id == "SO-1-BO1"))]
    assert found == (["SO-1-BO1"] if backorder else [])


def test_cancel_before_picking_gives_the_stock_back(floor):
    bin(floor, "A-01-01", 0, 3)
    floor.stock("SKU-1", "A-01-01", 4)
    order(floor, "SO-1", ("SKU-1", 3), ship_by=datetime(2030, 1, 1, 12, tzinfo=UTC))
    _allocate(floor, "SO-1")

    with floor.factory() as s, s.begin():
        orders.cancel_order(s, "SO-1")

    assert fetch(floor, "SO-1").status is OrderStatus.cancelled
    assert floor.quant("SKU-1", "A-01-01").reserved == 0
    assert ledger_ok(floor) == []
