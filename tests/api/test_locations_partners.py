"""Locations by (warehouse, code) and partners by code, through the API."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem, count, fields
from wms.model import Location, Partner
from wms.scanning.checkdigits import location_check_digits

BIN = {
    "warehouse": "WH1",
    "code": "A-01-02-3",
    "zone": "A",
    "aisle": "01",
    "bay": "02",
    "level": "3",
    "x": "12.5",
    "y": 3,
    "max_weight_kg": "250",
    "pickable": True,
}


def test_a_new_location_gets_its_check_digits_and_zone(erp, floor):
    floor.warehouse()

    response = erp.post("/locations", BIN)

    assert response.status_code == 201
    body = response.get_json()
    assert body["check_digits"] == location_check_digits("A-01-02-3")
    assert body["zone"] == "A"
    assert body["x"] == "12.5"
    assert floor.location("A-01-02-3").zone_id == floor.zone("A").id


def test_posting_a_location_again_updates_it_by_warehouse_and_code(erp, floor):
    floor.warehouse()
    erp.post("/locations", BIN)

    response = erp.post("/locations", {**BIN, "blocked": True, "blocked_reason": "damaged rack"})

    assert response.status_code == 200
    assert response.get_json()["blocked"] is True
    assert floor.location("A-01-02-3").blocked


def test_bulk_locations_answer_per_item(erp, floor):
    floor.warehouse()

    response = erp.post("/locations", {"items": [BIN, {**BIN, "code": "A-01-02-4"}]})

    assert [r["result"] for r in response.get_json()["items"]] == ["created", "created"]


def test_a_duplicate_location_in_one_request_is_refused_whole(erp, floor):
    floor.warehouse()

    response = erp.post("/locations", {"items": [BIN, {**BIN, "x": 1}]})

    assert "items[1].code" in fields(assert_problem(response, 422))
    assert count(floor, Location) == 5  # only the warehouse's virtual locations


def test_an_unknown_warehouse_is_named(erp):
    response = erp.post("/locations", {**BIN, "warehouse": "NOPE"})

    assert fields(assert_problem(response, 422)) == {"warehouse": "unknown warehouse NOPE"}


def test_virtual_location_codes_are_reserved(erp, floor):
    floor.warehouse()

    response = erp.post("/locations", {**BIN, "code": "SUPPLIER"})

    assert "virtual" in fields(assert_problem(response, 422))["code"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "virtual"}, "type"),
        ({"side": 2}, "side"),
        ({"x": "1.0000001"}, "x"),
        ({"aisle": "A" * 17}, "aisle"),
        ({"max_skus": -1}, "max_skus"),
    ],
)
def test_bad_location_fields_are_named(erp, floor, change, field):
    floor.warehouse()

    assert field in fields(assert_problem(erp.post("/locations", {**BIN, **change}), 422))


def test_a_key_limited_to_one_warehouse_cannot_change_another(erp_as, floor):
    floor.warehouse()
    floor.warehouse("WH2")
    erp = erp_as(warehouses=["WH2"])

    assert_problem(erp.post("/locations", BIN), 403, "permission_denied")
    assert count(floor, Location) == 10


def test_listing_locations_shows_only_the_keys_warehouses(erp_as, floor):
    floor.location("A-01-01-1")
    floor.warehouse("WH2")
    erp = erp_as(warehouses=["WH2"])

    rows = erp.get("/locations", virtual="false").get_json()["items"]

    assert rows == []
    assert len(erp.get("/locations").get_json()["items"]) == 5


def test_locations_can_be_filtered_by_zone(erp, floor):
    floor.location("A-01-01-1")
    floor.location("B-01-01-1")

    rows = erp.get("/locations", zone="B").get_json()["items"]

    assert [r["code"] for r in rows] == ["B-01-01-1"]


def test_partners_are_upserted_by_code(erp, floor):
    created = erp.post("/partners", {"code": "SUP-1", "name": "Acme", "kind": "supplier"})
    updated = erp.post("/partners", {"code": "SUP-1", "name": "Acme Ltd", "kind": "both"})

    assert (created.status_code, updated.status_code) == (201, 200)
    assert erp.get("/partners").get_json()["items"] == [
        {"code": "SUP-1", "name": "Acme Ltd", "kind": "both", "active": True}
    ]


def test_partners_in_bulk_and_by_kind(erp):
    erp.post(
        "/partners",
        {
            "items": [
                {"code": "C-1", "name": "Shop", "kind": "customer"},
                {"code": "S-1", "name": "Mill", "kind": "supplier"},
            ]
        },
    )

    rows = erp.get("/partners", kind="customer").get_json()["items"]

    assert [r["code"] for r in rows] == ["C-1"]


def test_a_duplicate_partner_code_in_bulk_is_refused(erp, floor):
    response = erp.post(
        "/partners",
        {
            "items": [
                {"code": "C-1", "name": "a", "kind": "customer"},
                {"code": "C-1", "name": "b", "kind": "customer"},
            ]
        },
    )

    assert "items[1].code" in fields(assert_problem(response, 422))
    assert count(floor, Partner) == 0


def test_a_partner_of_an_unknown_kind_is_refused(erp):
    response = erp.post("/partners", {"code": "X", "name": "x", "kind": "friend"})

    assert "kind" in fields(assert_problem(response, 422))
