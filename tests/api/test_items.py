"""Items through the API: upsert by SKU, bulk answers per item, every bad input is a clear 4xx."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem, count, fields
from wms.model import Item, ItemBarcode

APPLE = {
    "sku": "APPLE-1",
    "name": "Apple",
    "uom": "each",
    "units": [{"uom": "case", "factor": "12"}],
    "barcodes": ["4006381333931", {"barcode": "14006381333938", "uom": "case"}],
    "tracking": "lot",
    "shelf_life_days": 30,
    "weight_kg": "0.180",
    "safety_stock": 24,
}


def test_posting_a_new_item_creates_it_and_answers_it(erp):
    response = erp.post("/items", APPLE)

    assert response.status_code == 201
    body = response.get_json()
    assert body["sku"] == "APPLE-1"
    assert body["units"] == [{"uom": "case", "factor": "12"}]
    assert {"barcode": "14006381333938", "uom": "case"} in body["barcodes"]
    assert body["weight_kg"] == "0.18"
    assert erp.get("/items/APPLE-1").get_json() == body


def test_posting_the_same_sku_again_updates_it(erp):
    erp.post("/items", APPLE)

    response = erp.post("/items", {**APPLE, "name": "Green apple", "barcodes": []})

    assert response.status_code == 200
    assert response.get_json()["name"] == "Green apple"
    assert response.get_json()["barcodes"] == []


def test_put_creates_then_replaces_one_item(erp):
    first = erp.put("/items/PEAR-1", {"name": "Pear"})
    second = erp.put("/items/PEAR-1", {"name": "Pear", "abc_class": "A"})

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json()["abc_class"] == "A"


def test_bulk_upsert_answers_per_item_in_order(erp):
    erp.post("/items", APPLE)
    erp.post("/items", {"sku": "PLUM-1", "name": "Plum"})

    response = erp.post(
        "/items",
        {
            "items": [
                APPLE,
                {"sku": "PEAR-1", "name": "Pear"},
                {"sku": "PLUM-1", "name": "Red plum"},
            ]
        },
    )

    assert response.status_code == 200
    assert response.get_json()["items"] == [
        {"index": 0, "key": "APPLE-1", "result": "unchanged"},
        {"index": 1, "key": "PEAR-1", "result": "created"},
        {"index": 2, "key": "PLUM-1", "result": "updated"},
    ]
    assert erp.get("/items/PLUM-1").get_json()["name"] == "Red plum"


def test_bulk_with_a_duplicate_sku_is_refused_whole(erp, floor):
    response = erp.post(
        "/items",
        {"items": [{"sku": "PEAR-1", "name": "Pear"}, {"sku": "PEAR-1", "name": "Other pear"}]},
    )

    problem = assert_problem(response, 422, "validation_failed")
    assert "items[1].sku" in fields(problem)
    assert count(floor, Item) == 0


def test_bulk_names_every_bad_item_and_writes_none(erp, floor):
    response = erp.post(
        "/items",
        {
            "items": [
                {"sku": "OK-1", "name": "Fine"},
                {"sku": "BAD-1", "name": ""},
                {"sku": "BAD-2", "name": "x", "weight_kg": "-1"},
            ]
        },
    )

    problem = assert_problem(response, 422)
    assert set(fields(problem)) == {"items[1].name", "items[2].weight_kg"}
    assert count(floor, Item) == 0


def test_a_gtin_with_a_wrong_check_digit_is_refused(erp, floor):
    response = erp.post("/items", {**APPLE, "barcodes": ["4006381333932"]})

    problem = assert_problem(response, 422)
    assert "check digit" in fields(problem)["barcodes[0]"]
    assert count(floor, Item) == 0


def test_an_internal_barcode_needs_no_check_digit(erp):
    response = erp.post("/items", {**APPLE, "barcodes": ["INT-0001", "12345"]})

    assert response.status_code == 201


def test_a_barcode_of_another_item_is_refused(erp, floor):
    erp.post("/items", APPLE)

    response = erp.post("/items", {"sku": "PEAR-1", "name": "Pear", "barcodes": ["4006381333931"]})

    assert "belongs to item APPLE-1" in fields(assert_problem(response, 422))["barcodes[0]"]
    assert count(floor, ItemBarcode) == 2


def test_a_barcode_may_move_between_items_of_one_request(erp):
    erp.post("/items", APPLE)

    response = erp.post(
        "/items",
        {
            "items": [
                {**APPLE, "barcodes": []},
                {"sku": "PEAR-1", "name": "Pear", "barcodes": ["4006381333931"]},
            ]
        },
    )

    assert response.status_code == 200
    assert erp.get("/items/PEAR-1").get_json()["barcodes"][0]["barcode"] == "4006381333931"


def test_a_barcode_for_a_unit_the_item_lacks_is_refused(erp):
    response = erp.post("/items", {**APPLE, "barcodes": [{"barcode": "X1", "uom": "pallet"}]})

    assert "no unit pallet" in fields(assert_problem(response, 422))["barcodes[0].uom"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x" * 201}, "name"),
        ({"sku": "S" * 65}, "sku"),
        ({"sku": " padded "}, "sku"),
        ({"shelf_life_days": "30"}, "shelf_life_days"),
        ({"active": "yes"}, "active"),
        ({"tracking": "batch"}, "tracking"),
        ({"weight_kg": "heavy"}, "weight_kg"),
        ({"weight_kg": "0.1234567"}, "weight_kg"),
        ({"units": [{"uom": "case", "factor": 0}]}, "units[0].factor"),
        ({"units": [{"uom": "case", "factor": "1e400"}]}, "units[0].factor"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_written(erp, floor, change, field):
    response = erp.post("/items", {**APPLE, **change})

    assert field in fields(assert_problem(response, 422))
    assert count(floor, Item) == 0


def test_a_missing_required_field_is_named(erp):
    response = erp.post("/items", {"sku": "X-1"})

    assert fields(assert_problem(response, 422)) == {"name": "Field required"}


@pytest.mark.parametrize("raw", ['{"sku": "X-1",', "[1, 2", "NaN", '{"qty": Infinity}', "\xff"])
def test_malformed_json_is_a_400(erp, floor, raw):
    response = erp.post("/items", raw=raw.encode("latin-1"))

    assert_problem(response, 400, "malformed_request")
    assert count(floor, Item) == 0


@pytest.mark.parametrize("body", [[], "text", 12, None])
def test_a_body_that_is_not_an_object_is_a_422(erp, body):
    response = erp.post("/items", raw="null" if body is None else __import__("json").dumps(body))

    assert_problem(response, 422)


def test_an_empty_body_is_a_422(erp):
    response = erp.post("/items", raw="")

    assert fields(assert_problem(response, 422)) == {"body": "a JSON body is required"}


def test_the_base_unit_of_an_item_with_stock_cannot_change(erp, floor):
    floor.stock("APPLE-1", "A-01-01-1", 5)

    response = erp.put("/items/APPLE-1", {"name": "Apple", "uom": "kg"})

    assert "stock history" in fields(assert_problem(response, 422))["uom"]


def test_an_unknown_sku_is_a_404(erp):
    assert_problem(erp.get("/items/NOPE"), 404, "unknown_item")


def test_items_come_page_by_page(erp):
    erp.post("/items", {"items": [{"sku": f"SKU-{i:02}", "name": f"Item {i}"} for i in range(5)]})

    first = erp.get("/items", limit=2).get_json()
    second = erp.get("/items", limit=2, cursor=first["next_cursor"]).get_json()
    third = erp.get("/items", limit=2, cursor=second["next_cursor"]).get_json()

    seen = [i["sku"] for page in (first, second, third) for i in page["items"]]
    assert seen == [f"SKU-{i:02}" for i in range(5)]
    assert third["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["garbage!", "bm9wZQ", "LTE"])
def test_a_cursor_the_api_did_not_make_is_a_422(erp, cursor):
    assert "cursor" in fields(assert_problem(erp.get("/items", cursor=cursor), 422))


@pytest.mark.parametrize("limit", [0, 1001, "ten"])
def test_a_limit_out_of_range_is_a_422(erp, limit):
    assert "limit" in fields(assert_problem(erp.get("/items", limit=limit), 422))


def test_more_than_a_thousand_items_in_one_request_is_refused(erp):
    items = [{"sku": f"S{i}", "name": "n"} for i in range(1001)]

    assert "items" in fields(assert_problem(erp.post("/items", {"items": items}), 422))
