"""Incoming QC and purchase returns: verdicts move stock, rejects go back to the supplier."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.inbound.dock import Dock
from wms.errors import InvalidQuantity
from wms.model import Location, PurchaseReturn, ReturnStatus, StockStatus
from wms.services import purchase_returns, qc


def quarantined_pallet(dock: Dock, qty: int = 10):
    dock.supplier_rules(qc_required=True)
    receipt = dock.start(dock.order("PO-1", [("SKU-A", qty)]))
    dock.receive(receipt, "SKU-A", qty, container_id=dock.pallet("LPN-1").id)
    (inspection,) = dock.close(receipt).inspections
    return inspection


def inspect(dock: Dock, inspection_id: int, sample, accepted, rejected) -> qc.InspectionResult:
    verdict = qc.Verdict(Decimal(sample), Decimal(accepted), Decimal(rejected), "scratches")
    with dock.factory() as s, s.begin():
        return qc.record_inspection(s, inspection_id=inspection_id, verdict=verdict,
                                    inspector_id=dock.receiver.id)


def test_accepted_stock_is_released_to_putaway_and_rejects_go_to_returns(dock: Dock) -> None:
    inspection = quarantined_pallet(dock)

    result = inspect(dock, inspection.id, 3, 8, 2)

    assert dock.floor.quant("SKU-A", "QC-01", container="LPN-1").on_hand == Decimal(8)
    assert dock.floor.quant("SKU-A", "RET-01", status=StockStatus.hold).on_hand == Decimal(2)
    (task,) = result.putaway_tasks
    assert (task.qty, task.container_id, dock.code(task.from_location_id)) == (
        Decimal(8), inspection.container_id, "QC-01")
    assert result.purchase_return is not None
    assert result.purchase_return.number.startswith("PR-")


@pytest.mark.parametrize(("sample", "accepted", "rejected"),
                         [(0, 10, 0), (11, 10, 0), (3, 5, 4), (3, -1, 11)])
def test_a_verdict_that_does_not_add_up_is_refused(dock: Dock, sample, accepted, rejected):
    inspection = quarantined_pallet(dock)

    with pytest.raises(InvalidQuantity):
        inspect(dock, inspection.id, sample, accepted, rejected)

    assert dock.floor.on_hand("SKU-A", "QC-01") == Decimal(10)


def test_an_inspection_is_recorded_once(dock: Dock) -> None:
    inspection = quarantined_pallet(dock)
    inspect(dock, inspection.id, 2, 10, 0)

    with pytest.raises(qc.InspectionDone):
        inspect(dock, inspection.id, 2, 10, 0)


def test_shipping_a_return_books_the_stock_out_to_the_supplier(dock: Dock) -> None:
    inspection = quarantined_pallet(dock)
    doc = inspect(dock, inspection.id, 10, 0, 10).purchase_return
    assert doc is not None

    with dock.factory() as s, s.begin():
        ret = s.scalars(select(Location).where(Location.code == "RET-01")).one()
        purchase_returns.ship_return(s, return_id=doc.id, operator_id=dock.receiver.id,
                                     location_id=ret.id)
        shipped = s.get(PurchaseReturn, doc.id)
        assert shipped is not None
        described = purchase_returns.describe_return(s, shipped)

    assert dock.floor.on_hand("SKU-A", "RET-01") == Decimal(0)
    assert described["status"] == ReturnStatus.shipped.value
    assert described["lines"] == [{"sku": "SKU-A", "qty": "10", "uom": "each", "lot": None,
                                   "location": "RET-01", "status": "hold", "shipped_qty": "10"}]


def test_a_return_from_a_location_where_nothing_waits_is_refused(dock: Dock) -> None:
    inspection = quarantined_pallet(dock)
    doc = inspect(dock, inspection.id, 10, 0, 10).purchase_return
    assert doc is not None

    with pytest.raises(purchase_returns.Conflict), dock.factory() as s, s.begin():
        purchase_returns.ship_return(s, return_id=doc.id, operator_id=None,
                                     location_id=dock.floor.location("QC-01").id)
