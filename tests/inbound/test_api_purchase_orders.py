"""The ERP pushes purchase orders (ASNs) and reads status, received quantities and returns."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tests.api.conftest import assert_problem, count, fields
from tests.inbound.dock import Dock
from wms.model import ApiClient, OutboxEvent, PurchaseOrder
from wms.services import webhooks

PO = {
    "external_id": "PO-1", "supplier": "SUP1", "warehouse": "WH1",
    "expected_at": "2025-06-02T08:00:00+08:00",
    "lines": [{"line_no": 1, "sku": "SKU-A", "qty": "2", "uom": "case"},
              {"line_no": 2, "sku": "SKU-LOT", "qty": 5, "lot": "L1", "expiry": "2030-01-01"}],
}


def test_a_pushed_order_reads_back_with_its_lines(dock: Dock, erp) -> None:
    created = erp.post("/purchase-orders", PO)

    assert created.status_code == 201, created.get_json()
    read = erp.get("/purchase-orders/PO-1").get_json()
    assert read == created.get_json()
    assert (read["status"], read["supplier"], read["warehouse"], read["version"]) == (
        "open", "SUP1", "WH1", 1)
    assert [(ln["line_no"], ln["qty"], ln["uom"], ln["qty_base"], ln["received_qty"], ln["lot"])
            for ln in read["lines"]] == [(1, "2", "case", "24", "0", None),
                                         (2, "5", "each", "5", "0", "L1")]


def test_the_same_idempotency_key_creates_the_order_once(dock: Dock, erp) -> None:
    first = erp.post("/purchase-orders", PO, key="po-1")
    again = erp.post("/purchase-orders", PO, key="po-1")

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert count(dock.floor, PurchaseOrder) == 1
    assert erp.get("/purchase-orders/PO-1").get_json()["version"] == 1


def test_bad_input_is_a_422_naming_every_field_and_writes_nothing(dock: Dock, erp) -> None:
    bad = {**PO, "supplier": "NOPE",
           "lines": [{"line_no": 1, "sku": "GHOST", "qty": "1"},
                     {"line_no": 2, "sku": "SKU-A", "qty": "1", "uom": "crate"}]}

    problem = assert_problem(erp.post("/purchase-orders", bad), 422, "validation_failed")

    assert set(fields(problem)) == {"supplier", "lines[0].sku", "lines[1].uom"}
    assert count(dock.floor, PurchaseOrder) == 0


def test_schema_errors_are_refused_before_any_work(dock: Dock, erp) -> None:
    bad = {**PO, "lines": [{"line_no": 1, "sku": "SKU-A", "qty": "-1", "colour": "red"}]}

    problem = assert_problem(erp.post("/purchase-orders", bad), 422)

    assert {"lines[0].qty", "lines[0].colour"} <= set(fields(problem))


def test_bulk_push_answers_per_order_and_is_all_or_nothing(dock: Dock, erp) -> None:
    second = {**PO, "external_id": "PO-2"}
    ok = erp.post("/purchase-orders", {"items": [PO, second]})
    broken = erp.post("/purchase-orders", {"items": [
        {**PO, "external_id": "PO-3"}, {**PO, "external_id": "PO-4", "warehouse": "XX"}]})

    assert ok.get_json() == {"items": [
        {"index": 0, "key": "PO-1", "result": "created", "status": "open"},
        {"index": 1, "key": "PO-2", "result": "created", "status": "open"}]}
    assert set(fields(assert_problem(broken, 422))) == {"items[1].warehouse"}
    assert count(dock.floor, PurchaseOrder) == 2


def test_a_change_after_receiving_started_reports_the_conflict(dock: Dock, erp) -> None:
    erp.post("/purchase-orders", PO)
    with dock.factory() as s:
        order = s.scalars(select(PurchaseOrder)).one()
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-A", 20)

    changed = erp.post("/purchase-orders", {**PO, "lines": [
        {"line_no": 1, "sku": "SKU-A", "qty": "1", "uom": "case"}]})

    body = changed.get_json()
    assert changed.status_code == 200
    assert body["status"] == "receiving"
    assert [(ln["line_no"], ln["received_qty"]) for ln in body["lines"]] == [(1, "20")]
    assert body["conflicts"] == [{"line_no": 1, "field": "qty",
                                  "message": "already received 20", "received_qty": "20"}]


def test_a_closed_order_refuses_changes_with_409(dock: Dock, erp) -> None:
    erp.post("/purchase-orders", PO)
    with dock.factory() as s, s.begin():
        s.scalars(select(PurchaseOrder)).one().status = "closed"  # type: ignore[assignment]

    assert_problem(erp.post("/purchase-orders", PO), 409, "conflict")


def test_unknown_order_is_404_and_missing_scope_is_403(dock: Dock, erp, erp_as) -> None:
    assert_problem(erp.get("/purchase-orders/NOPE"), 404)
    reader = erp_as(scopes=["orders:read"])
    assert_problem(reader.post("/purchase-orders", PO), 403)


def test_list_filters_by_status(dock: Dock, erp) -> None:
    erp.post("/purchase-orders", PO)

    open_ = erp.get("/purchase-orders", status="open").get_json()
    received = erp.get("/purchase-orders", status="received").get_json()

    assert [o["external_id"] for o in open_["items"]] == ["PO-1"]
    assert received == {"items": [], "next_cursor": None}
    assert_problem(erp.get("/purchase-orders", status="lost"), 422)


def test_receiving_queues_the_purchase_order_received_webhook(dock: Dock, erp) -> None:
    with dock.factory() as s, s.begin():
        client_id = s.scalars(select(ApiClient.id)).one()
        webhooks.subscribe(s, client_id=client_id, url="https://erp.example/hook",
                           event_types=["purchase_order.received"], secret="a-long-enough-secret")
    erp.post("/purchase-orders", PO)
    with dock.factory() as s:
        order = s.scalars(select(PurchaseOrder)).one()
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-LOT", 5, lot_no="L1", expiry=date(2030, 1, 1))
    dock.close(receipt)

    with dock.factory() as s:
        (event,) = s.scalars(select(OutboxEvent)).all()
    assert event.type == "purchase_order.received"
    data = json.loads(event.body)["data"]
    assert (data["external_id"], data["status"]) == ("PO-1", "receiving")
    assert data["lines"][0]["lots"] == [{"lot": "L1", "qty": "5", "expiry": "2030-01-01"}]


def test_purchase_returns_are_readable(dock: Dock, erp) -> None:
    from tests.inbound.test_qc_and_returns import inspect, quarantined_pallet

    doc = inspect(dock, quarantined_pallet(dock).id, 10, 7, 3).purchase_return
    assert doc is not None

    listed = erp.get("/purchase-returns").get_json()
    one = erp.get(f"/purchase-returns/{doc.number}").get_json()

    assert listed["items"] == [one]
    assert (one["status"], one["supplier"], one["purchase_order"]) == ("open", "SUP1", "PO-1")
    assert one["lines"][0]["qty"] == str(Decimal(3))
    assert_problem(erp.get("/purchase-returns/PR-999999"), 404)
