"""The supervisor's task board: filters, history, and acting on tasks."""

import pytest

from tests.taskfloor import LEASE, fetch, person, task
from tests.webterm import sign_in
from wms.model import Role, TaskStatus
from wms.services import claims, presence
from wms.services import tasks as task_service


@pytest.fixture
def boss(floor):
    return person(floor, "boss", role=Role.supervisor)


@pytest.fixture
def ann(floor):
    return person(floor, "ann")


@pytest.fixture
def console(client, boss, floor):
    client.environ_base["HTTP_X_CSRF_TOKEN"] = sign_in(
        client, boss, kind="console", warehouse_id=floor.warehouse_id)
    return client


def test_the_board_lists_tasks_most_urgent_first_and_filters_them(console, floor, ann):
    low = task(floor, priority=2, source="A-01-01-1")
    high = task(floor, priority=8, source="B-01-01-1")
    task(floor, release=False, priority=1)
    with floor.factory() as s, s.begin():
        claims.claim_next(s, user=s.merge(ann), warehouse_id=floor.warehouse_id,
                          device_id="PDA-1", lease_seconds=LEASE)

    everything = console.get("/console/api/tasks").get_json()
    released = console.get("/console/api/tasks?status=released").get_json()
    annes = console.get(f"/console/api/tasks?operator={ann.id}").get_json()
    paged = console.get("/console/api/tasks?per_page=2&page=2").get_json()

    assert [t["id"] for t in everything["tasks"]][:2] == [high.id, low.id]
    assert everything["total"] == 3
    assert [t["id"] for t in released["tasks"]] == [low.id]
    assert [(t["id"], t["assignee"]) for t in annes["tasks"]] == [(high.id, "Ann")]
    assert (len(paged["tasks"]), paged["page"]) == (1, 2)


def test_a_supervisor_assigns_then_reassigns_and_the_history_shows_it(console, floor, ann, boss):
    bob = person(floor, "bob")
    t = task(floor)

    console.post(f"/console/api/tasks/{t.id}/assign", json={"user_id": ann.id})
    detail = console.post(f"/console/api/tasks/{t.id}/reassign", json={"user_id": bob.id})

    history = detail.get_json()["history"]
    assert detail.status_code == 200
    assert [(h["from"], h["to"], h["actor"], h["to_user"]) for h in history[-2:]] == [
        ("released", "assigned", "Boss", "Ann"), ("assigned", "assigned", "Boss", "Bob")]
    assert fetch(floor, t.id).assignee_id == bob.id


def test_reprioritise_split_release_and_cancel(console, floor, ann):
    t = task(floor, sku="SKU-1", qty=10)
    with floor.factory() as s, s.begin():
        task_service.assign(s, task_id=t.id, user_id=ann.id, actor_id=None, lease_seconds=LEASE)

    urgent = console.post(f"/console/api/tasks/{t.id}/reprioritise", json={"priority": 9})
    halved = console.post(f"/console/api/tasks/{t.id}/split", json={"qty": "5"})
    back = console.post(f"/console/api/tasks/{t.id}/release", json={})
    gone = console.post(f"/console/api/tasks/{t.id}/cancel", json={"reason": "order cancelled"})

    assert [r.status_code for r in (urgent, halved, back, gone)] == [200] * 4
    assert [h["reason"] for h in gone.get_json()["history"]][-4:] == [
        "priority 5 → 9", f"split 5 into task {t.id + 1}", "taken back", "order cancelled"]
    assert fetch(floor, t.id).status is TaskStatus.cancelled
    assert fetch(floor, t.id + 1).qty == 5


def test_a_supervisor_assigns_the_ticked_tasks_to_one_operator_at_once(console, floor, ann):
    first, second, untouched = task(floor), task(floor), task(floor)

    answer = console.post("/console/api/tasks/assign",
                          json={"task_ids": [first.id, second.id], "user_id": ann.id})

    assert answer.status_code == 200
    assert [t["id"] for t in answer.get_json()["tasks"]] == [first.id, second.id]
    assert fetch(floor, first.id).assignee_id == fetch(floor, second.id).assignee_id == ann.id
    assert fetch(floor, untouched.id).status is TaskStatus.released


def test_assigning_a_selection_with_one_bad_task_assigns_none(console, floor, ann):
    from tests.factories import Floor

    mine = task(floor)
    theirs = task(Floor(floor.factory, warehouse_code="WH2"))

    answer = console.post("/console/api/tasks/assign",
                          json={"task_ids": [mine.id, theirs.id], "user_id": ann.id})

    assert answer.status_code == 404
    assert fetch(floor, mine.id).status is TaskStatus.released
    assert fetch(floor, mine.id).assignee_id is None


@pytest.mark.parametrize("body", [
    {"task_ids": [], "user_id": 1},
    {"task_ids": "1,2", "user_id": 1},
    {"task_ids": [1, True], "user_id": 1},
    {"task_ids": list(range(1, 202)), "user_id": 1},
    {"task_ids": [1]},
])
def test_a_malformed_selection_is_refused_with_a_problem(console, floor, body):
    t = task(floor)
    body = {**body, "task_ids": [t.id] if body["task_ids"] == [1] else body["task_ids"]}

    answer = console.post("/console/api/tasks/assign", json=body)

    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert fetch(floor, t.id).status is TaskStatus.released


def test_an_invalid_action_comes_back_with_a_translated_message(console, floor):
    t = task(floor)
    console.post(f"/console/api/tasks/{t.id}/cancel", json={})

    again = console.post(f"/console/api/tasks/{t.id}/cancel", json={})

    assert again.status_code == 409
    assert again.get_json()["message"]["text"] == "This step is not allowed now"


def test_a_task_of_another_warehouse_reads_as_missing(console, floor):
    from tests.factories import Floor

    other = Floor(floor.factory, warehouse_code="WH2")
    theirs = task(other)

    seen = console.get(f"/console/api/tasks/{theirs.id}")
    poked = console.post(f"/console/api/tasks/{theirs.id}/cancel", json={})

    assert seen.status_code == poked.status_code == 404
    assert fetch(floor, theirs.id).status is TaskStatus.released


def test_presence_and_exceptions(console, floor, ann):
    t = task(floor)
    with floor.factory() as s, s.begin():
        presence.connected(s, user_id=ann.id, device_id="PDA-9", warehouse_id=floor.warehouse_id)
        claims.claim_next(s, user=s.merge(ann), warehouse_id=floor.warehouse_id,
                          device_id="PDA-9", lease_seconds=LEASE)
        task_service.report_exception(s, task_id=t.id, user_id=ann.id, device_id="PDA-9",
                                      reason="damaged")

    people = console.get("/console/api/presence").get_json()["operators"]
    problems = console.get("/console/api/exceptions").get_json()["tasks"]

    anns = next(p for p in people if p["name"] == "Ann")
    assert (anns["online"], anns["device_id"], anns["open_tasks"]) == (True, "PDA-9", 0)
    assert [(p["id"], p["exception_reason"]) for p in problems] == [(t.id, "damaged")]


def test_an_operator_cannot_use_the_board(client, floor, ann):
    client.environ_base["HTTP_X_CSRF_TOKEN"] = sign_in(
        client, ann, kind="console", warehouse_id=floor.warehouse_id)

    assert client.get("/console/api/tasks").status_code == 403


def test_board_writes_need_the_csrf_token(client, floor, boss):
    sign_in(client, boss, kind="console", warehouse_id=floor.warehouse_id)
    t = task(floor)

    assert client.post(f"/console/api/tasks/{t.id}/cancel", json={}).status_code == 403
    assert fetch(floor, t.id).status is TaskStatus.released


def test_the_board_page_speaks_the_supervisors_language(client, floor):
    li = person(floor, "li", role=Role.supervisor, locale="zh_CN")
    sign_in(client, li, kind="console", warehouse_id=floor.warehouse_id)

    page = client.get("/console/board")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "任务看板" in html and "/static/vendor/socket.io.min.js" in html
