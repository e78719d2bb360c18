"""Stock and moves through the API: on-hand rows, the feed, immediate moves and adjustments."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tests.api.conftest import assert_problem, count, fields
from tests.factories import Floor
from wms.model import StockMove, Tracking
from wms.queries.ledger_check import ledger_discrepancies


def move(**kw):
    return {
        "sku": "SKU-1",
        "qty": "4",
        "from_location": "A-01-01-1",
        "to_location": "B-01-01-1",
        "reason": "transfer",
        **kw,
    }


def assert_ledger_true(floor):
    with floor.factory() as s:
        assert ledger_discrepancies(s) == []


def test_moving_stock_between_locations_answers_the_ledger_line(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")

    response = erp.post("/stock-moves", move(reference="MES-7"))

    assert response.status_code == 201
    line = response.get_json()
    assert (line["qty"], line["from_location"], line["to_location"]) == (
        "4",
        "A-01-01-1",
        "B-01-01-1",
    )
    assert line["reference"] == "MES-7"
    assert floor.on_hand("SKU-1", "A-01-01-1") == 6
    assert floor.on_hand("SKU-1", "B-01-01-1") == 4
    assert_ledger_true(floor)


def test_an_adjustment_from_the_outside_world_adds_stock(erp, floor):
    floor.item("SKU-1")
    floor.location("A-01-01-1")

    response = erp.post(
        "/stock-moves",
        move(
            from_location="INVENTORY_LOSS", to_location="A-01-01-1", qty=2.5, reason="count_adjust"
        ),
    )

    assert response.status_code == 201
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal("2.5")


def test_a_quantity_in_another_unit_is_converted_exactly(erp, floor):
    floor.item("SKU-1", units={"case": Decimal("12")})
    floor.stock("SKU-1", "A-01-01-1", 30)
    floor.location("B-01-01-1")

    line = erp.post("/stock-moves", move(qty="1.5", uom="case")).get_json()

    assert (line["qty"], line["uom"], line["entered_qty"], line["entered_uom"]) == (
        "18",
        "each",
        "1.5",
        "case",
    )
    assert floor.on_hand("SKU-1", "B-01-01-1") == 18


def test_moving_more_than_available_is_a_409_with_the_available_quantity(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 3)
    floor.location("B-01-01-1")

    problem = assert_problem(erp.post("/stock-moves", move(qty=5)), 409, "insufficient_stock")

    assert problem["available"] == "3"
    assert count(floor, StockMove) == 1
    assert_ledger_true(floor)


def test_reserved_stock_is_not_available_to_an_immediate_move(erp, floor):
    from wms.services import ledger

    quant = floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    with floor.factory() as s, s.begin():
        ledger.reserve(s, quant_id=quant.id, qty=Decimal(8), owner_type="order", owner_id="SO-1")

    problem = assert_problem(erp.post("/stock-moves", move(qty=3)), 409)

    assert problem["available"] == "2"


def test_a_bulk_of_moves_posts_all_or_nothing(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")

    short = erp.post("/stock-moves", {"items": [move(qty=6), move(qty=6)]})
    fine = erp.post("/stock-moves", {"items": [move(qty=6), move(qty=4)]})

    assert_problem(short, 409)
    assert fine.status_code == 201
    assert [m["qty"] for m in fine.get_json()["items"]] == ["6", "4"]
    assert floor.on_hand("SKU-1", "B-01-01-1") == 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"qty": 0}, "qty"),
        ({"qty": "-1"}, "qty"),
        ({"qty": "ten"}, "qty"),
        ({"qty": "1.0000001"}, "qty"),
        ({"qty": True}, "qty"),
        ({"qty": None}, "qty"),
        ({"uom": "pallet"}, "uom"),
        ({"sku": "NOPE"}, "sku"),
        ({"from_location": "Z-99"}, "from_location"),
        ({"to_location": "Z-99"}, "to_location"),
        ({"reason": "reversal"}, "reason"),
        ({"reason": "because"}, "reason"),
        ({"status": "lost"}, "status"),
        ({"lot": "L1"}, "lot"),
        ({"container": "PAL-9"}, "container"),
        ({"warehouse": "WH9"}, "warehouse"),
        ({"note": "n" * 501}, "note"),
        ({"to_location": "A-01-01-1"}, "body"),
    ],
)
def test_each_bad_move_is_a_422_naming_the_field_and_nothing_moves(erp, floor, change, field):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")

    problem = assert_problem(erp.post("/stock-moves", move(**change)), 422)

    assert field in fields(problem), fields(problem)
    assert count(floor, StockMove) == 1


def test_a_conversion_finer_than_a_millionth_is_refused(erp, floor):
    floor.item("SKU-1", units={"gram": Decimal("0.001")})
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")

    problem = assert_problem(erp.post("/stock-moves", move(qty="0.0001", uom="gram")), 422)

    assert "millionths" in fields(problem)["qty"]


def test_a_lot_tracked_item_needs_its_lot_and_a_receipt_may_bring_a_new_one(erp, floor):
    floor.item("SKU-1", tracking=Tracking.lot)
    floor.location("A-01-01-1")
    receipt = move(from_location="SUPPLIER", to_location="A-01-01-1", reason="receipt")

    without = erp.post("/stock-moves", receipt)
    with_lot = erp.post("/stock-moves", {**receipt, "lot": "L-2024-07"})

    assert "lot is required" in fields(assert_problem(without, 422))["lot"]
    assert with_lot.status_code == 201
    assert erp.get("/stock", lot="L-2024-07").get_json()["items"][0]["on_hand"] == "4"


def test_several_warehouses_need_the_warehouse_named(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    floor.warehouse("WH2")

    assert "warehouse" in fields(assert_problem(erp.post("/stock-moves", move()), 422))
    assert erp.post("/stock-moves", move(warehouse="WH1")).status_code == 201


def test_the_same_location_codes_in_two_warehouses_move_stock_in_the_one_named(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    second = Floor(floor.factory, warehouse_code="WH2")
    second.stock("SKU-1", "A-01-01-1", 5)
    second.location("B-01-01-1")

    response = erp.post("/stock-moves", move(qty="2", warehouse="WH2"))

    assert response.status_code == 201
    assert response.get_json()["warehouse"] == "WH2"
    assert (second.on_hand("SKU-1", "A-01-01-1"), second.on_hand("SKU-1", "B-01-01-1")) == (3, 2)
    assert (floor.on_hand("SKU-1", "A-01-01-1"), floor.on_hand("SKU-1", "B-01-01-1")) == (10, 0)
    assert_ledger_true(floor)


def test_a_key_of_another_warehouse_cannot_move_stock_here(erp_as, floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    floor.warehouse("WH2")

    other = erp_as(warehouses=["WH2"])

    assert_problem(other.post("/stock-moves", move(warehouse="WH1")), 403)


def test_stock_shows_on_hand_reserved_and_available(erp, floor):
    from wms.services import ledger

    quant = floor.stock("SKU-1", "A-01-01-1", "10.5")
    floor.stock("SKU-2", "A-01-01-2", 1)
    with floor.factory() as s, s.begin():
        ledger.reserve(s, quant_id=quant.id, qty=Decimal(4), owner_type="order", owner_id="SO-1")

    rows = erp.get("/stock", sku="SKU-1").get_json()["items"]

    assert len(rows) == 1
    assert (rows[0]["on_hand"], rows[0]["reserved"], rows[0]["available"]) == ("10.5", "4", "6.5")
    assert rows[0]["location"] == "A-01-01-1" and rows[0]["uom"] == "each"


def test_stock_filters_by_location_and_status(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 1)
    floor.stock("SKU-1", "A-01-01-2", 2)

    rows = erp.get("/stock", location="A-01-01-2", status="available").get_json()["items"]

    assert [r["on_hand"] for r in rows] == ["2"]


def test_the_feed_gives_every_move_once_oldest_first(erp, floor):
    for i in range(5):
        floor.stock("SKU-1", "A-01-01-1", i + 1)

    # As an ERP does: keep the cursor and ask again. On PostgreSQL a page holds back lines
    # while any older transaction of the server is still open (another test's, here), so
    # a page may come back short; asking again later gives the rest, never a line twice.
    pages, cursor, deadline = [], None, time.monotonic() + 30
    while sum(len(p["items"]) for p in pages) < 5 and time.monotonic() < deadline:
        page = erp.get("/stock-moves", limit=3, **({"cursor": cursor} if cursor else {}))
        pages.append(page.get_json())
        cursor = pages[-1]["next_cursor"]
        if not pages[-1]["items"]:
            time.sleep(0.05)
    last = erp.get("/stock-moves", limit=3, cursor=cursor).get_json()

    qtys = [m["qty"] for page in pages for m in page["items"]]
    assert qtys == ["1", "2", "3", "4", "5"]
    assert all(len(p["items"]) <= 3 for p in pages)
    assert last["items"] == [] and last["next_cursor"] == cursor


def test_the_feed_cursor_picks_up_moves_made_later(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 1)
    seen = erp.get("/stock-moves").get_json()

    floor.stock("SKU-1", "A-01-01-1", 2)
    newer = erp.get("/stock-moves", cursor=seen["next_cursor"]).get_json()

    assert [m["qty"] for m in newer["items"]] == ["2"]
