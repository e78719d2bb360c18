"""Fifty orders race for scarce stock on PostgreSQL: nothing is oversold, every unit accounted."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from tests.factories import Floor
from tests.outbound.shop import bin, customer, ledger_ok, order
from wms.db import make_session_factory
from wms.model import Allocation, OrderStatus, Quant, Reservation, SalesOrder, SalesOrderLine
from wms.services import allocation


def test_fifty_orders_never_oversell_scarce_stock(pg):
    factory = make_session_factory(pg)
    floor = Floor(factory)
    customer(floor)
    for k in range(3):
        bin(floor, f"A-01-0{k}", 0, 2 * k + 1)
        floor.stock("SKU-1", f"A-01-0{k}", 10)  # 30 units for 50 orders of 2 or 3
        floor.stock("SKU-2", f"A-01-0{k}", 4)
    for n in range(50):
        order(floor, f"SO-{n}", ("SKU-1", 2 + n % 2), ("SKU-2", 1), short_policy="wait")
    with factory() as s:
        ids = list(s.scalars(select(SalesOrder.id).order_by(SalesOrder.id)))
    barrier, failures = threading.Barrier(10), []

    def allocator(chunk: list[int]) -> None:
        barrier.wait()
        for order_id in chunk:
            try:
                with factory() as s, s.begin():
                    allocation.allocate_orders(s, [order_id])
            except Exception as exc:  # pragma: no cover - the assertion shows it
                failures.append(exc)

    threads = [threading.Thread(target=allocator, args=(ids[k::10],)) for k in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert failures == []
    with factory() as s:
        for sku_total in s.execute(select(Quant.item_id, func.sum(Quant.on_hand),
                                          func.sum(Quant.reserved)).group_by(Quant.item_id)):
            assert sku_total[2] <= sku_total[1]
        reserved = s.scalar(select(func.sum(Quant.reserved)))
        assert reserved == s.scalar(select(func.sum(Reservation.qty)))
        assert reserved == s.scalar(select(func.sum(Allocation.qty)))
        assert reserved == s.scalar(select(func.sum(SalesOrderLine.allocated_qty)))
        assert s.scalar(select(func.sum(Quant.reserved)).where(Quant.item_id == 2)) == 12
        full = s.scalar(select(func.count()).select_from(SalesOrder)
                        .where(SalesOrder.status == OrderStatus.allocated))
        assert s.scalar(select(func.sum(Quant.reserved)).where(Quant.item_id == 1)) <= 30
        assert full >= 10  # the scarce SKU-2 (12 units) limits complete orders
        assert full <= 12
    assert ledger_ok(floor) == []
    assert Decimal(reserved) > 0
