"""The ERP pushes sales orders, reads them back and cancels them."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.conftest import assert_problem, count, fields
from tests.outbound.shop import customer
from wms.model import OrderStatus, SalesOrder


def _body(external_id: str = "SO-1", **kw):
    return {"external_id": external_id, "customer": "C1", "warehouse": "WH1",
            "ship_to": {"name": "Shop", "address": "1 Road"}, "carrier": "SF",
            "lines": [{"line_no": 1, "sku": "SKU-1", "qty": "2"},
                      {"line_no": 2, "sku": "SKU-1", "qty": "1", "uom": "case"}], **kw}


def _setup(floor) -> None:
    floor.warehouse()
    floor.item("SKU-1", units={"case": 12})
    customer(floor)


def test_push_creates_the_order_and_reads_it_back(floor, erp):
    _setup(floor)

    created = erp.post("/sales-orders", _body())

    assert created.status_code == 201, created.get_json()
    got = erp.get("/sales-orders/SO-1").get_json()
    assert got["status"] == "reviewed"
    assert [(ln["qty"], ln["uom"], ln["qty_base"], ln["picked_qty"], ln["shipped_qty"])
            for ln in got["lines"]] == [("2", "each", "2", "0", "0"), ("1", "case", "12", "0", "0")]
    assert got["packages"] == []
    listed = erp.get("/sales-orders", status="reviewed").get_json()
    assert [o["external_id"] for o in listed["items"]] == ["SO-1"]


def test_unknown_sku_or_unit_rejects_the_whole_bulk(floor, erp):
    _setup(floor)
    bad = _body("SO-2", lines=[{"line_no": 1, "sku": "NOPE", "qty": 1},
                               {"line_no": 2, "sku": "SKU-1", "qty": 1, "uom": "crate"}])

    answer = erp.post("/sales-orders", {"items": [_body("SO-1"), bad]})

    problem = assert_problem(answer, 422)
    assert set(fields(problem)) == {"items[1].lines[0].sku", "items[1].lines[1].uom"}
    assert count(floor, SalesOrder) == 0


def test_the_same_idempotency_key_never_makes_a_second_order(floor, erp):
    _setup(floor)

    first = erp.post("/sales-orders", _body(), key="k-1")
    again = erp.post("/sales-orders", _body(), key="k-1")
    changed = erp.post("/sales-orders", _body(priority=9), key="k-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json() == again.get_json()
    assert changed.status_code == 422
    assert count(floor, SalesOrder) == 1


def test_cancel_until_shipped_then_409(floor, erp):
    _setup(floor)
    erp.post("/sales-orders", _body())

    cancelled = erp.post("/sales-orders/SO-1/cancel", {"reason": "customer"})

    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    with floor.factory() as s, s.begin():
        s.scalars(select(SalesOrder)).one().status = OrderStatus.shipped
    assert_problem(erp.post("/sales-orders/SO-1/cancel", {}), 409, "order_shipped")
    assert_problem(erp.get("/sales-orders/NOPE"), 404)


def test_bad_input_gets_a_problem_not_a_500(floor, erp):
    _setup(floor)

    answer = erp.post("/sales-orders", _body(priority=12, lines=[]))

    assert set(fields(assert_problem(answer, 422))) >= {"priority", "lines"}
