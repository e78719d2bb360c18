"""Idempotency-Key: a retried request gets the stored answer and never writes twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select, update

from tests.api.conftest import assert_problem, count, fields
from wms.model import AuditLog, IdempotencyRecord, Item, utcnow

PEAR = {"sku": "PEAR-1", "name": "Pear"}


def test_the_same_key_and_body_replays_the_stored_answer(erp, floor):
    first = erp.post("/items", PEAR, key="k-1")

    again = erp.post("/items", PEAR, key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(floor, Item) == 1


def test_a_replay_does_not_run_the_work_again(erp, floor):
    erp.post("/items", PEAR, key="k-1")
    erp.post("/items", {**PEAR, "name": "Changed elsewhere"})

    again = erp.post("/items", PEAR, key="k-1")

    assert again.get_json()["name"] == "Pear"
    assert erp.get("/items/PEAR-1").get_json()["name"] == "Changed elsewhere"


def test_the_same_key_with_another_body_is_a_422(erp, floor):
    erp.post("/items", PEAR, key="k-1")

    response = erp.post("/items", {**PEAR, "name": "Other"}, key="k-1")

    assert_problem(response, 422, "idempotency_key_reused")
    assert erp.get("/items/PEAR-1").get_json()["name"] == "Pear"


def test_the_same_key_on_another_path_is_a_422(erp, floor):
    erp.post("/items", PEAR, key="k-1")

    response = erp.put("/items/PEAR-1", {"name": "Pear"}, key="k-1")

    assert_problem(response, 422, "idempotency_key_reused")


def test_key_order_and_spacing_of_the_json_do_not_make_another_body(erp):
    erp.post("/items", PEAR, key="k-1")

    again = erp.post("/items", raw='{ "name": "Pear",  "sku": "PEAR-1" }', key="k-1")

    assert again.status_code == 201


def test_a_key_still_in_flight_is_a_409(erp, floor):
    first = erp.post("/items", PEAR, key="k-1")
    with floor.factory() as s, s.begin():
        s.execute(update(IdempotencyRecord).values(state="in_flight"))

    response = erp.post("/items", PEAR, key="k-1")

    assert first.status_code == 201
    assert_problem(response, 409, "idempotency_key_in_flight")


def test_a_claim_abandoned_past_its_lease_is_taken_over(erp, floor):
    erp.post("/items", PEAR, key="k-1")
    with floor.factory() as s, s.begin():
        s.execute(
            update(IdempotencyRecord).values(
                state="in_flight", created_at=utcnow() - timedelta(minutes=10)
            )
        )

    response = erp.post("/items", PEAR, key="k-1")

    assert response.status_code == 200  # the work ran again: the item was there already


def test_keys_are_per_api_client(erp, erp_as, floor):
    other = erp_as()
    erp.post("/items", PEAR, key="k-1")

    response = other.post("/items", {**PEAR, "name": "Other"}, key="k-1")

    assert response.status_code == 200


def test_a_failed_request_leaves_the_key_free_for_a_corrected_retry(erp, floor):
    bad = erp.post("/items", {**PEAR, "barcodes": ["4006381333932"]}, key="k-1")

    good = erp.post("/items", PEAR, key="k-1")

    assert bad.status_code == 422
    assert good.status_code == 201
    with floor.factory() as s:
        assert s.scalars(select(IdempotencyRecord.state)).all() == ["done"]


def test_an_invalid_key_is_a_422(erp):
    response = erp.post("/items", PEAR, key="k" * 201)

    assert "Idempotency-Key" in fields(assert_problem(response, 422))


def test_writes_without_a_key_are_still_one_transaction_each(erp, floor):
    erp.post("/items", PEAR)
    erp.post("/items", PEAR)

    assert count(floor, Item) == 1
    assert count(floor, IdempotencyRecord) == 0
    with floor.factory() as s:
        assert len(s.scalars(select(AuditLog).where(AuditLog.success.is_(True))).all()) == 3


def test_a_keyed_move_is_one_transaction_with_its_claim_audit_and_answer(erp, floor, app):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    commits: list[object] = []
    engine = app.extensions["wms"].engine
    body = {
        "sku": "SKU-1",
        "qty": "1",
        "from_location": "A-01-01-1",
        "to_location": "B-01-01-1",
        "reason": "transfer",
    }

    def committed(conn: object) -> None:
        commits.append(conn)

    event.listen(engine, "commit", committed)
    try:
        response = erp.post("/stock-moves", body, key="move-1")
    finally:
        event.remove(engine, "commit", committed)

    assert response.status_code == 201
    assert len(commits) == 1
    with floor.factory() as s:
        record = s.scalars(select(IdempotencyRecord)).one()
        assert (record.state, record.response_status) == ("done", 201)
        assert record.response_body == response.get_data(as_text=True)
        audited = s.scalars(select(AuditLog).where(AuditLog.action == "api.post_stock_moves"))
        assert [a.target for a in audited] == [f"stock move {response.get_json()['id']}"]


def test_a_move_refused_for_short_stock_leaves_its_key_free(erp, floor):
    floor.stock("SKU-1", "A-01-01-1", 1)
    floor.location("B-01-01-1")
    body = {
        "sku": "SKU-1",
        "qty": "2",
        "from_location": "A-01-01-1",
        "to_location": "B-01-01-1",
        "reason": "transfer",
    }

    refused = erp.post("/stock-moves", body, key="move-1")
    floor.stock("SKU-1", "A-01-01-1", 1)
    accepted = erp.post("/stock-moves", body, key="move-1")

    assert_problem(refused, 409, "insufficient_stock")
    assert accepted.status_code == 201
    assert floor.on_hand("SKU-1", "B-01-01-1") == 2
