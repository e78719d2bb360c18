"""The supervisor's inventory actions as console JSON: variances, replenishment, reorder."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.console.conftest import Desk
from tests.inventory import helpers
from tests.webterm import sign_in
from wms.model import (
    PickFaceSetting,
    PurchaseRequisition,
    ReorderRule,
    Role,
    Task,
    TaskType,
    Variance,
    VarianceStatus,
    Warehouse,
)


def json_desk(desk: Desk) -> Desk:
    """The console page's scripts send the CSRF token as a header."""
    desk.client.environ_base["HTTP_X_CSRF_TOKEN"] = desk.csrf()
    return desk


@pytest.fixture
def counted(floor, people):
    """A-01-01-1 holds 10 Widgets; a counter found 7; the difference waits for a supervisor."""
    with floor.factory() as s, s.begin():
        s.get(Warehouse, floor.warehouse_id).settings = {"counting": {"recount_above_qty": "100"}}
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    counter = people.add("cal", Role.operator, password=None, pin="1234")
    count_id = helpers.request(floor, "A-01-01-1")
    helpers.start(floor, count_id, counter)
    helpers.count_line(floor, count_id, "SKU-1", 7, counter)
    assert helpers.finish(floor, count_id, counter) == ["-3"]
    (variance,) = helpers.open_variances(floor, count_id)
    return variance.id


def test_a_supervisor_sees_the_pending_variance_and_approves_it_with_a_reason(
    supervisor, floor, counted
):
    desk = json_desk(supervisor)
    (listed,) = desk.get("/console/api/variances").get_json()["items"]
    assert (listed["location"], listed["sku"], listed["expected_qty"], listed["counted_qty"]) == (
        "A-01-01-1",
        "SKU-1",
        "10",
        "7",
    )

    done = desk.client.post(f"/console/api/variances/{counted}/approve", json={"reason": "found"})

    assert done.status_code == 200
    assert done.get_json()["status"] == "approved"
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(7)
    assert desk.get("/console/api/variances").get_json()["items"] == []
    assert helpers.ledger_ok(floor)


def test_an_approval_without_a_reason_is_refused_and_changes_nothing(supervisor, floor, counted):
    desk = json_desk(supervisor)

    refused = desk.client.post(f"/console/api/variances/{counted}/approve", json={})

    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "reason"
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)
    with floor.factory() as s:
        assert s.get(Variance, counted).status is VarianceStatus.pending


def test_a_rejected_variance_moves_nothing(supervisor, floor, counted):
    desk = json_desk(supervisor)

    done = desk.client.post(f"/console/api/variances/{counted}/reject", json={"reason": "miscount"})

    assert done.get_json()["status"] == "rejected"
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


def test_an_operator_and_a_missing_csrf_token_are_refused(app, supervisor, people, floor, counted):
    clerk = app.test_client()
    token = sign_in(
        clerk, people.add("oli", Role.operator), kind="console", warehouse_id=floor.warehouse_id
    )
    by_operator = clerk.post(
        f"/console/api/variances/{counted}/approve",
        json={"reason": "x"},
        headers={"X-CSRF-Token": token},
    )
    no_token = supervisor.client.post(
        f"/console/api/variances/{counted}/approve", json={"reason": "x"}
    )

    assert (by_operator.status_code, no_token.status_code) == (403, 403)
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


def test_a_variance_of_another_warehouse_reads_as_missing(app, people, floor, counted):
    people.add("sue", Role.supervisor, warehouses=("WH2",))
    other = Desk(app, "sue")
    assert other.sign_in().status_code == 302

    answer = json_desk(other).client.post(
        f"/console/api/variances/{counted}/approve", json={"reason": "x"}
    )

    assert answer.status_code == 404
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


def test_the_replenishment_check_sends_a_task_to_the_face_below_its_minimum_once(supervisor, floor):
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "P-01-01-1", 5)
    floor.stock("SKU-1", "R-01-01-1", 100)
    face, item = floor.location("P-01-01-1"), floor.item("SKU-1")
    with floor.factory() as s, s.begin():
        s.add(
            PickFaceSetting(
                warehouse_id=floor.warehouse_id,
                location_id=face.id,
                item_id=item.id,
                min_qty=Decimal(10),
                max_qty=Decimal(50),
                unit_qty=Decimal(12),
            )
        )
    desk = json_desk(supervisor)

    first = desk.client.post("/console/api/replenishment/check").get_json()["created"]
    again = desk.client.post("/console/api/replenishment/check").get_json()["created"]

    assert [t["qty"] for t in first] == ["36"] and again == []
    with floor.factory() as s:
        (task,) = s.scalars(select(Task).where(Task.type == TaskType.replenish))
        assert task.to_location_id == face.id


def test_the_reorder_check_suggests_a_requisition_and_lists_it(supervisor, floor):
    item = floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 4)
    with floor.factory() as s, s.begin():
        s.add(
            ReorderRule(
                warehouse_id=floor.warehouse_id,
                item_id=item.id,
                safety_stock=Decimal(5),
                reorder_point=Decimal(10),
                reorder_qty=Decimal(24),
            )
        )
    desk = json_desk(supervisor)

    (made,) = desk.client.post("/console/api/reorder/check").get_json()["created"]
    listed = desk.get("/console/api/requisitions").get_json()["items"]

    assert (made["sku"], made["qty"], made["available"], made["status"]) == (
        "SKU-1",
        "24",
        "4",
        "suggested",
    )
    assert [r["id"] for r in listed] == [made["id"]]
    assert desk.client.post("/console/api/reorder/check").get_json()["created"] == []
    with floor.factory() as s:
        assert len(s.scalars(select(PurchaseRequisition)).all()) == 1


def test_an_unknown_status_is_a_clear_refusal(supervisor):
    answer = supervisor.get("/console/api/variances?status=lost")

    assert answer.status_code == 422
    assert "unknown status lost" in answer.get_json()["detail"]
