"""The terminal's JSON API: tasks, flows step by step, resync of missed pushes."""

import pytest
from sqlalchemy import func, select

from tests.taskfloor import LEASE, fetch, person, task
from tests.webterm import sign_in
from wms.model import FlowSession, Role, StockMove, TaskStatus, User
from wms.services import pushes
from wms.services import tasks as task_service
from wms.web.context import wms


@pytest.fixture
def shelf(floor):
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    return floor


@pytest.fixture
def ann(shelf):
    return person(shelf, "ann")


@pytest.fixture
def pda(client, ann, shelf):
    token = sign_in(client, ann, warehouse_id=shelf.warehouse_id)
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    return client


def test_an_operator_moves_stock_over_http_and_a_repeated_post_applies_once(pda, shelf):
    first = pda.post("/t/api/flows/start", json={"flow": "move"}).get_json()
    fs, seq = first["flow_session_id"], first["seq"]
    for raw in ("A-01-01-1", "SKU-1", "4"):
        shown = pda.post(f"/t/api/flows/{fs}/step",
                         json={"seq": seq, "request_id": f"r{seq}", "input": raw}).get_json()
        seq = shown["seq"]

    once = pda.post(f"/t/api/flows/{fs}/step",
                    json={"seq": seq, "request_id": "r-final", "input": "B-01-01-1"})
    twice = pda.post(f"/t/api/flows/{fs}/step",
                     json={"seq": seq, "request_id": "r-final", "input": "B-01-01-1"})

    assert once.status_code == twice.status_code == 200
    assert once.get_json() == twice.get_json()
    assert once.get_json()["message"]["text"] == "Moved 4 each SKU-1 to B-01-01-1"
    with shelf.factory() as s:
        assert s.scalar(select(func.count()).select_from(StockMove)
                        .where(StockMove.reason == "transfer")) == 1


def test_a_rebooted_terminal_gets_its_screen_back(pda):
    assert pda.get("/t/api/flows/current").status_code == 204
    started = pda.post("/t/api/flows/start", json={"flow": "move"}).get_json()

    resumed = pda.get("/t/api/flows/current").get_json()

    assert resumed == started


def test_next_task_claims_one_and_says_so_when_there_is_none(pda, shelf):
    t = task(shelf, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=2)

    got = pda.post("/t/api/tasks/next").get_json()
    mine = pda.get("/t/api/me/tasks").get_json()
    started = pda.post(f"/t/api/tasks/{t.id}/start")

    assert [x["id"] for x in got["tasks"]] == [t.id]
    shown = got["tasks"][0]
    assert (shown["from_location"], shown["to_location"], shown["sku"], shown["item_name"],
            shown["zone"], shown["assignee"]) == (
        "A-01-01-1", "B-01-01-1", "SKU-1", "Widget", "A", "Ann")
    assert [x["id"] for x in mine["tasks"]] == [t.id]
    assert started.status_code == 200
    assert fetch(shelf, t.id).status is TaskStatus.in_progress
    with shelf.factory() as s, s.begin():
        task_service.complete(s, task_id=t.id, user_id=mine["tasks"][0]["assignee_id"],
                              device_id=None)
    nothing = pda.post("/t/api/tasks/next").get_json()
    assert nothing == {"tasks": [], "message": {"code": "no_task", "level": "info",
                                                "text": "No task for you right now"}}


def test_a_forged_task_id_is_refused_with_a_message(pda):
    refused = pda.post("/t/api/flows/start", json={"flow": "move", "task_id": 999999})

    assert refused.status_code == 404
    assert refused.get_json()["message"]["text"] == "There is no task 999999"


def test_someone_elses_task_is_refused_with_a_message(pda, shelf):
    bob = person(shelf, "bob")
    t = task(shelf)
    with shelf.factory() as s, s.begin():
        task_service.assign(s, task_id=t.id, user_id=bob.id, actor_id=None, lease_seconds=LEASE)

    started = pda.post(f"/t/api/tasks/{t.id}/start")
    flow = pda.post("/t/api/flows/start", json={"flow": "move", "task_id": t.id})

    assert started.status_code == flow.status_code == 403
    assert flow.get_json()["code"] == "task_not_yours"
    assert flow.get_json()["message"]["text"] == f"Task {t.id} is not assigned to you"
    assert fetch(shelf, t.id).status is TaskStatus.assigned


def test_someone_elses_flow_session_is_not_found(pda, shelf, app):
    bob = person(shelf, "bob")
    other = app.test_client()
    other.environ_base["HTTP_X_CSRF_TOKEN"] = sign_in(other, bob, warehouse_id=shelf.warehouse_id)
    theirs = other.post("/t/api/flows/start", json={"flow": "move"}).get_json()

    poked = pda.post(f"/t/api/flows/{theirs['flow_session_id']}/step",
                     json={"seq": 1, "request_id": "x", "input": "A-01-01-1"})

    assert poked.status_code == 404


def test_a_post_without_the_csrf_header_is_refused(client, ann, shelf):
    sign_in(client, ann, warehouse_id=shelf.warehouse_id)

    refused = client.post("/t/api/flows/start", json={"flow": "move"})

    assert refused.status_code == 403


def test_strangers_and_console_sessions_cannot_use_the_terminal_api(client, shelf):
    boss = person(shelf, "boss", role=Role.supervisor)
    assert client.get("/t/api/me/tasks").status_code == 401

    sign_in(client, boss, kind="console", warehouse_id=shelf.warehouse_id)

    assert client.get("/t/api/me/tasks").status_code == 401


def test_missed_pushes_can_be_fetched_over_rest_and_acked(pda, ann, shelf):
    with shelf.factory() as s, s.begin():
        for n in range(3):
            pushes.push(s, user_id=ann.id, name="task.assigned", data={"n": n})

    after_one = pda.get("/t/api/events?after=1").get_json()
    acked = pda.post("/t/api/events/ack", json={"upto": 3}).get_json()
    unacked = pda.get("/t/api/events").get_json()

    assert [(e["seq"], e["data"]) for e in after_one["events"]] == [(2, {"n": 1}), (3, {"n": 2})]
    assert after_one["last_seq"] == 3
    assert acked == {"acked": 3}
    assert unacked["events"] == []


def test_a_bad_step_body_is_a_422_not_a_crash(pda):
    started = pda.post("/t/api/flows/start", json={"flow": "move"}).get_json()

    bad = pda.post(f"/t/api/flows/{started['flow_session_id']}/step", json={"seq": "one"})

    assert bad.status_code == 422


def test_a_step_refuses_a_user_deactivated_after_sign_in_and_a_stale_csrf(pda, ann, shelf):
    started = pda.post("/t/api/flows/start", json={"flow": "move"}).get_json()
    path = f"/t/api/flows/{started['flow_session_id']}/step"
    body = {"seq": started["seq"], "request_id": "r1", "input": "A-01-01-1"}

    forged = pda.post(path, json=body, headers={"X-CSRF-Token": "wrong"})
    assert forged.status_code == 403
    with shelf.factory() as s, s.begin():
        s.get(User, ann.id).active = False  # type: ignore[union-attr]

    refused = pda.post(path, json=body)

    assert refused.status_code == 401
    assert refused.get_json()["code"] == "authentication_failed"
    with shelf.factory() as s:
        fs = s.get(FlowSession, started["flow_session_id"])
        assert fs is not None and (fs.seq, fs.last_request_id) == (started["seq"], None)


def test_next_task_tells_the_console_and_refuses_an_operator_deactivated_after_sign_in(
        pda, ann, shelf, app):
    heard: list = []
    wms(app).publishers.append(lambda events: heard.extend((e.name, e.payload) for e in events))
    t = task(shelf)

    got = pda.post("/t/api/tasks/next").get_json()

    assert [x["id"] for x in got["tasks"]] == [t.id]
    assert [(p["id"], p["status"]) for name, p in heard if name == "task.changed"] == [
        (t.id, "assigned")]
    with shelf.factory() as s, s.begin():
        task_service.cancel(s, task_id=t.id, actor_id=None)
        s.get(User, ann.id).active = False  # type: ignore[union-attr]
    waiting = task(shelf)

    refused = pda.post("/t/api/tasks/next")

    assert refused.status_code == 401
    assert refused.get_json()["code"] == "authentication_failed"
    assert fetch(shelf, waiting.id).status is TaskStatus.released
