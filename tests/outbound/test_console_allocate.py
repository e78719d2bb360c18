"""Allocate the reviewed orders from the waves page, then a wave can take them."""

from __future__ import annotations

from decimal import Decimal

from tests.console.conftest import flash_text
from tests.outbound.shop import bin, configure, customer, fetch, ledger_ok, order, staging
from wms.model import OrderStatus


def test_the_supervisor_allocates_reviewed_orders_and_releases_them_as_a_wave(supervisor, floor):
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    floor.item("SKU-1", weight_kg=Decimal("0.5"))
    floor.stock("SKU-1", "A-01-05", 10)
    configure(floor, review={"credit_hold": True})
    customer(floor, "BAD", credit_hold=True)
    order(floor, "SO-1", ("SKU-1", 2))
    order(floor, "SO-2", ("SKU-1", 3))
    order(floor, "SO-H", ("SKU-1", 1), cust="BAD")
    assert "Allocate reviewed orders" in supervisor.page("/console/waves?lang=en")

    done = supervisor.post("/console/waves/allocate?lang=en", follow_redirects=True)

    assert "2 orders allocated." in flash_text(done.text)
    assert [fetch(floor, e).status for e in ("SO-1", "SO-2", "SO-H")] == [
        OrderStatus.allocated,
        OrderStatus.allocated,
        OrderStatus.on_hold,
    ]
    assert fetch(floor, "SO-2").lines[0].allocated_qty == Decimal(3)
    released = supervisor.post(
        "/console/waves/release?lang=en", {"mode": "cluster"}, follow_redirects=True
    )
    assert any(t.startswith("Wave ") for t in flash_text(released.text))
    assert fetch(floor, "SO-1").status is OrderStatus.picking
    assert ledger_ok(floor) == []


def test_allocating_with_nothing_reviewed_allocates_nothing(supervisor, floor):
    floor.item("SKU-1")

    done = supervisor.post("/console/waves/allocate?lang=en", follow_redirects=True)

    assert "0 orders allocated." in flash_text(done.text)


def test_allocating_needs_the_csrf_token(supervisor, floor):
    floor.item("SKU-1")
    floor.stock("SKU-1", "A-01-05", 10)
    order(floor, "SO-1", ("SKU-1", 2))

    refused = supervisor.post("/console/waves/allocate", csrf=False)

    assert refused.status_code == 403
    assert fetch(floor, "SO-1").status is OrderStatus.reviewed
