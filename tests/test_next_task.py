"""A terminal's "next task" as one transaction: the same task in the same order on every path.

On PostgreSQL the usual "next task" is one plain-SQL statement, which a
terminal's request runs as its own transaction (``pull.next_task_request``);
these tests hold it to what the portable claim (``claims.claim_next``) does:
the order of the pool, skills, groups, the operator's own task first, and one
owner per task when thirty operators press at once.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, func, select, update

from tests.factories import Floor
from tests.taskfloor import LEASE, all_at_once, fetch, history, person, task
from wms import events
from wms.db import make_session_factory, one_statement, unit_of_work
from wms.errors import NotSignedIn
from wms.model import Task, TaskStatus, TaskTransition, User, utcnow
from wms.services import claims, presence, pull
from wms.services import tasks as task_service


def next_task(floor, user, **kw):
    with floor.factory() as s, s.begin():
        return pull.next_task(s, user=s.merge(user), warehouse_id=floor.warehouse_id,
                                device_id="PDA-1", lease_seconds=LEASE, **kw)


def as_the_terminal_asks(floor, user, **kw):
    """What ``POST /t/api/tasks/next`` runs once the cookie is checked."""
    return pull.next_task_request(
        lambda: one_statement(floor.factory.kw["bind"]), lambda: unit_of_work(floor.factory),
        user=user.id, warehouse_id=floor.warehouse_id, device_id="PDA-1", lease_seconds=LEASE,
        **kw)


def claim_next(floor, user):
    with floor.factory() as s, s.begin():
        got = claims.claim_next(s, user=s.merge(user), warehouse_id=floor.warehouse_id,
                                device_id="PDA-1", lease_seconds=LEASE)
        return [t.id for t in got]


def back_to_the_pool(floor):
    with floor.factory() as s, s.begin():
        s.execute(delete(TaskTransition).where(TaskTransition.reason == "claimed"))
        s.execute(update(Task).values(status=TaskStatus.released, assignee_id=None,
                                      device_id=None, assigned_at=None, lease_expires_at=None))


def a_mixed_pool(floor, seed: int) -> list:
    """Tasks of every priority, with and without due times, spread over five aisles."""
    rng = random.Random(seed)
    aisles = [floor.location(f"A-{a:02d}-{b:02d}-1", aisle_index=a, x=Decimal(b))
              for a in range(5) for b in (1, 7)]
    now = utcnow()
    for _ in range(40):
        due = now + timedelta(minutes=rng.choice((5, 30))) if rng.random() < 0.6 else None
        task(floor, priority=rng.randint(4, 6), due_at=due,
             source=rng.choice(aisles).code if rng.random() < 0.8 else None,
             required_skill="forklift" if rng.random() < 0.1 else None)
    return aisles


def test_next_task_takes_the_pool_in_the_order_the_portable_claim_does(floor):
    fred = person(floor, "fred", skills=("forklift",))
    ann = person(floor, "ann")
    aisles = a_mixed_pool(floor, seed=7)
    with floor.factory() as s, s.begin():  # Ann last scanned in aisle 3: nearest applies to her
        presence.seen(s, user_id=ann.id, device_id="PDA-1", warehouse_id=floor.warehouse_id,
                      location_id=aisles[6].id)

    def in_turns(take) -> list[int]:
        order = []
        for _ in range(45):
            for who in (ann, fred):
                got = take(who)
                if got:
                    order.append(got[0])
                    with floor.factory() as s, s.begin():  # done: the next ask claims again
                        s.execute(update(Task).where(Task.id == got[0])
                                  .values(status=TaskStatus.done))
        return order

    in_a_transaction = in_turns(lambda who: [t["id"] for t in next_task(floor, who)])
    back_to_the_pool(floor)
    as_a_terminal = in_turns(lambda who: [t["id"] for t in as_the_terminal_asks(floor, who)])
    back_to_the_pool(floor)
    portable = in_turns(lambda who: claim_next(floor, who))

    assert len(portable) == 40
    assert in_a_transaction == portable
    assert as_a_terminal == portable


def test_next_task_shows_the_claimed_task_with_its_names_and_tells_the_console(floor):
    ann = person(floor, "ann")
    floor.item("SKU-1", name="Widget")
    t = task(floor, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=3)
    published = []
    with floor.factory() as s, s.begin():
        shown = pull.next_task(s, user=s.merge(ann), warehouse_id=floor.warehouse_id,
                                 device_id="PDA-7", lease_seconds=LEASE)
        published = [(e.name, e.payload["id"], e.payload["status"]) for e in events.pending(s)]

    (got,) = shown
    assert (got["id"], got["status"], got["assignee_id"], got["device_id"]) == (
        t.id, "assigned", ann.id, "PDA-7")
    assert (got["from_location"], got["to_location"], got["sku"], got["item_name"],
            got["zone"], got["assignee"], got["qty"]) == (
        "A-01-01-1", "B-01-01-1", "SKU-1", "Widget", "A", "Ann", "3")
    assert published == [("task.changed", t.id, "assigned")]
    assert history(floor, t.id)[-1] == ("released", "assigned", "claimed")
    with floor.factory() as s:
        mine = claims.current_task(s, user_id=ann.id)
        assert mine is not None and mine.id == t.id
    assert fetch(floor, t.id).lease_expires_at is not None


ASKS = {"in a transaction": next_task, "as a terminal asks": as_the_terminal_asks}


@pytest.mark.parametrize("ask", ASKS.values(), ids=ASKS.keys())
def test_an_operator_who_holds_a_task_gets_it_back_and_claims_nothing_new(floor, ask):
    ann = person(floor, "ann")
    first, second = task(floor, priority=9), task(floor, priority=1)

    again = [[t["id"] for t in ask(floor, ann)] for _ in range(2)]

    assert again == [[first.id], [first.id]]
    assert fetch(floor, second.id).status is TaskStatus.released


@pytest.mark.parametrize("ask", ASKS.values(), ids=ASKS.keys())
def test_a_group_lead_brings_its_whole_trip(floor, ask):
    ann = person(floor, "ann")
    a, b, c = task(floor, route_seq=2), task(floor, route_seq=1), task(floor, route_seq=3)
    with floor.factory() as s, s.begin():
        task_service.create_group(s, warehouse_id=floor.warehouse_id, task_ids=[a.id, b.id, c.id])

    got = ask(floor, ann)

    assert [t["id"] for t in got] == [b.id, a.id, c.id]
    assert {fetch(floor, x.id).assignee_id for x in (a, b, c)} == {ann.id}
    assert [history(floor, x.id)[-1][2] for x in (b, a, c)] == [  # b leads: first on the route
        "claimed", "claimed with group", "claimed with group"]


def test_a_claim_in_one_statement_is_committed_when_the_statement_returns(pg: Engine):
    floor = Floor(make_session_factory(pg))
    ann = person(floor, "ann")
    t = task(floor)

    with one_statement(pg) as one:
        assert one is not None
        (got,) = pull.claim_in_one_statement(one, user_id=ann.id, warehouse_id=floor.warehouse_id,
                                             device_id="PDA-1", lease_seconds=LEASE)
        # Still inside: another connection already sees the claim and its transition.
        assert fetch(floor, t.id).assignee_id == ann.id
        assert history(floor, t.id)[-1] == ("released", "assigned", "claimed")
        assert [(e.name, e.payload["id"], e.payload["status"]) for e in one.events] == [
            ("task.changed", t.id, "assigned")]
    assert got["id"] == t.id and got["assignee"] == "Ann"


def test_one_statement_leaves_a_holder_and_a_group_lead_to_a_transaction(pg: Engine):
    floor = Floor(make_session_factory(pg))
    ann, bob = person(floor, "ann"), person(floor, "bob")
    lead, member = task(floor, priority=9, route_seq=1), task(floor, priority=9, route_seq=2)
    with floor.factory() as s, s.begin():
        task_service.create_group(s, warehouse_id=floor.warehouse_id,
                                  task_ids=[lead.id, member.id])
    mine = task(floor, priority=1)
    with floor.factory() as s, s.begin():
        task_service.assign(s, task_id=mine.id, user_id=bob.id, actor_id=None,
                            lease_seconds=LEASE)

    def alone(user):
        with one_statement(pg) as one:
            assert one is not None
            return pull.claim_in_one_statement(one, user_id=user.id, device_id="PDA-1",
                                               warehouse_id=floor.warehouse_id,
                                               lease_seconds=LEASE), one.events

    assert alone(ann) == (None, [])  # the head leads a group: its trip is taken in a transaction
    assert alone(bob) == (None, [])  # Bob holds a task: his own comes first
    assert {fetch(floor, x.id).status for x in (lead, member)} == {TaskStatus.released}
    with floor.factory() as s:  # both were still marked present
        assert {p.user_id for p in presence.listing(s, warehouse_id=floor.warehouse_id)} == {
            ann.id, bob.id}


def by_id_in_a_transaction(floor, user):
    with floor.factory() as s, s.begin():
        return pull.next_task(s, user=user.id, warehouse_id=floor.warehouse_id,
                              device_id="PDA-1", lease_seconds=LEASE)


@pytest.mark.parametrize("ask", [by_id_in_a_transaction, as_the_terminal_asks])
def test_an_operator_no_longer_active_is_refused_and_claims_nothing(floor, ask):
    ann = person(floor, "ann")
    t = task(floor)
    with floor.factory() as s, s.begin():
        s.execute(update(User).where(User.id == ann.id).values(active=False))

    with pytest.raises(NotSignedIn):
        ask(floor, ann)

    assert fetch(floor, t.id).status is TaskStatus.released
    with floor.factory() as s:
        assert presence.listing(s, warehouse_id=floor.warehouse_id) == []


def test_a_refused_statement_gives_its_connection_back_as_it_came(pg: Engine):
    floor = Floor(make_session_factory(pg))
    ann = person(floor, "ann")
    with floor.factory() as s, s.begin():
        s.execute(update(User).where(User.id == ann.id).values(active=False))

    with pytest.raises(NotSignedIn), one_statement(pg) as one:
        assert one is not None
        pull.claim_in_one_statement(one, user_id=ann.id, warehouse_id=floor.warehouse_id,
                                    device_id="PDA-1", lease_seconds=LEASE)

    with pg.connect() as conn:  # the pool hands out its last-returned connection first
        assert conn.connection.driver_connection is one.cursor.connection
        assert conn.connection.driver_connection.autocommit is False


def test_an_empty_pool_gives_nothing_and_still_marks_the_operator_present(floor):
    ann = person(floor, "ann")

    assert next_task(floor, ann) == []
    with floor.factory() as s:
        seen = presence.listing(s, warehouse_id=floor.warehouse_id)
    assert [p.user_id for p in seen] == [ann.id]


def thirty_press_at_once(floor: Floor, *, skip_locked: bool) -> list[list[int]]:
    users = [person(floor, f"op{i:02d}") for i in range(30)]

    def press(i: int) -> list[int]:
        got = as_the_terminal_asks(floor, users[i], skip_locked=skip_locked)
        return [t["id"] for t in got]

    return all_at_once(len(users), press)


def test_thirty_operators_pressing_next_task_at_once_on_postgresql_never_share_one(pg: Engine):
    floor = Floor(make_session_factory(pg))
    for _ in range(20):
        task(floor)

    # Ours (one statement, its own transaction), and the benchmark's textbook baseline.
    for skip_locked in (True, False):
        back_to_the_pool(floor)
        results = thirty_press_at_once(floor, skip_locked=skip_locked)

        claimed = [tid for got in results for tid in got]
        assert len(claimed) == 20
        assert Counter(claimed).most_common(1)[0][1] == 1
        with floor.factory() as s:
            recorded = s.scalar(select(func.count()).select_from(TaskTransition)
                                .where(TaskTransition.reason == "claimed"))
        assert recorded == 20
