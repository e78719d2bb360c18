"""Pushes to scanners over a live Socket.IO server: rooms, refusals, replay after a drop-out."""

from __future__ import annotations

import time

import pytest
import socketio

from tests.liveserver import Listener, live_server, wait_until
from tests.taskfloor import LEASE, person, task
from tests.webterm import session_cookie, sign_in
from wms.model import Role
from wms.services import pushes
from wms.services import tasks as task_service
from wms.web.context import wms

#: Long enough for an emit that should not happen to have arrived.
QUIET = 0.4


@pytest.fixture
def staff(floor):
    return {
        "ann": person(floor, "ann"),
        "bob": person(floor, "bob"),
        "boss": person(floor, "boss", role=Role.supervisor),
    }


@pytest.fixture
def server(app):
    with live_server(app) as url:
        yield url


def cookie_for(app, user, floor, kind="terminal"):
    client = app.test_client()
    sign_in(client, user, kind=kind, warehouse_id=floor.warehouse_id)
    return session_cookie(client)


def push(app, user, n):
    """A push committed through the app's own session factory (so it is published)."""
    with wms(app).session_factory() as s, s.begin():
        pushes.push(s, user_id=user.id, name="task.assigned", data={"n": n})


def test_a_terminal_that_missed_three_pushes_gets_exactly_those_in_order(app, server, floor,
                                                                         staff):
    ann = staff["ann"]
    cookie = cookie_for(app, ann, floor)
    pda = Listener()
    pda.connect(server, cookie, auth={"last_seq": 0})
    push(app, ann, 1)
    assert wait_until(lambda: pda.seqs() == [1])
    pda.disconnect()

    for n in (2, 3, 4):
        push(app, ann, n)
    back = Listener()
    back.connect(server, cookie, auth={"last_seq": 1})

    assert wait_until(lambda: len(back.seqs()) >= 3)
    time.sleep(QUIET)
    assert back.seqs() == [2, 3, 4]
    assert [d["data"] for _, d in back.pushes()] == [{"n": 2}, {"n": 3}, {"n": 4}]
    back.disconnect()


def test_resume_replays_after_a_given_sequence_and_acks_stick(app, server, floor, staff):
    ann = staff["ann"]
    for n in (1, 2, 3):
        push(app, ann, n)
    pda = Listener()
    pda.connect(server, cookie_for(app, ann, floor), auth={"last_seq": 3})
    time.sleep(QUIET)
    assert pda.seqs() == []

    answer = pda.client.call("resume", {"last_seq": 1}, namespace="/terminal", timeout=5)
    acked = pda.client.call("ack", {"upto": 3}, namespace="/terminal", timeout=5)

    assert answer == {"replayed": 2}
    assert wait_until(lambda: pda.seqs() == [2, 3])
    assert acked == {"acked": 3}
    with wms(app).session_factory() as s:
        assert pushes.missed(s, user_id=ann.id, after=None) == []
    pda.disconnect()


def test_a_push_reaches_only_its_operator(app, server, floor, staff):
    ann_pda, bob_pda = Listener(), Listener()
    ann_pda.connect(server, cookie_for(app, staff["ann"], floor), auth={"last_seq": 0})
    bob_pda.connect(server, cookie_for(app, staff["bob"], floor), auth={"last_seq": 0})

    push(app, staff["ann"], 1)

    assert wait_until(lambda: ann_pda.seqs() == [1])
    time.sleep(QUIET)
    assert bob_pda.pushes() == []
    ann_pda.disconnect()
    bob_pda.disconnect()


def test_a_rolled_back_transaction_emits_nothing(app, server, floor, staff):
    ann = staff["ann"]
    pda = Listener()
    pda.connect(server, cookie_for(app, ann, floor), auth={"last_seq": 0})

    with pytest.raises(RuntimeError), wms(app).session_factory() as s, s.begin():
        pushes.push(s, user_id=ann.id, name="task.assigned", data={"n": "rolled back"})
        raise RuntimeError("the business transaction failed")
    time.sleep(QUIET)
    assert pda.pushes() == []

    push(app, ann, "committed")
    assert wait_until(lambda: len(pda.pushes()) == 1)
    assert pda.pushes()[0][1]["data"] == {"n": "committed"}
    pda.disconnect()


def test_an_operator_cannot_join_the_console(app, server, floor, staff):
    as_terminal = Listener("/console")
    as_console_operator = Listener("/console")

    with pytest.raises(socketio.exceptions.ConnectionError):
        as_terminal.connect(server, cookie_for(app, staff["ann"], floor))
    with pytest.raises(socketio.exceptions.ConnectionError):
        as_console_operator.connect(server, cookie_for(app, staff["ann"], floor, kind="console"))


def test_a_socket_without_a_session_is_refused(server):
    stranger = Listener()

    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(server, None)


def test_the_console_sees_assignments_and_who_comes_online(app, server, floor, staff):
    board = Listener("/console")
    board.connect(server, cookie_for(app, staff["boss"], floor, kind="console"))
    t = task(floor)
    pda = Listener()
    pda.connect(server, cookie_for(app, staff["ann"], floor), auth={"last_seq": 0})

    with wms(app).session_factory() as s, s.begin():
        task_service.assign(s, task_id=t.id, user_id=staff["ann"].id, actor_id=staff["boss"].id,
                            lease_seconds=LEASE)

    assert wait_until(lambda: "task.changed" in board.names())
    assert wait_until(lambda: pda.seqs("task.assigned") == [1])
    online = [d for e, d in board.received if e == "presence.changed"]
    assert online and online[0]["user_id"] == staff["ann"].id and online[0]["online"] is True
    changed = [d for e, d in board.received if e == "task.changed"][-1]
    assert (changed["id"], changed["status"], changed["assignee_id"]) == (
        t.id, "assigned", staff["ann"].id)
    pda.disconnect()
    assert wait_until(lambda: any(e == "presence.changed" and d["online"] is False
                                  for e, d in board.received))
    board.disconnect()
