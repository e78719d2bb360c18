"""Tasks: the lifecycle, every transition recorded, pushes, leases and the order of "next task"."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.taskfloor import LEASE, fetch, history, person, task
from wms import events
from wms.errors import InvalidTransition
from wms.model import OperatorPresence, Role, StoredEvent, TaskStatus, utcnow
from wms.services import claims, presence, pushes
from wms.services import tasks as task_service
from wms.services.tasks import TaskNotYours
from wms.strategies.assignment import NextTaskOrder, Point, RuleAssignment, TaskCandidate


def claim(floor, user, **kw):
    with floor.factory() as s, s.begin():
        got = claims.claim_next(s, user=s.merge(user), warehouse_id=floor.warehouse_id,
                                device_id=kw.pop("device_id", "PDA-1"), lease_seconds=LEASE, **kw)
        return [t.id for t in got]


def act(floor, fn, **kw):
    with floor.factory() as s, s.begin():
        return fn(s, **kw)


def stored_pushes(floor, user):
    with floor.factory() as s:
        rows = s.scalars(select(StoredEvent).where(StoredEvent.user_id == user.id)
                         .order_by(StoredEvent.seq))
        return [(e.seq, e.name, e.task_id) for e in rows]


def test_a_task_done_start_to_finish_records_every_step_with_who_and_device(floor):
    ann = person(floor, "ann")
    t = task(floor, release=False, source="A-01-01-1")

    act(floor, task_service.release, task_id=t.id, actor_id=None)
    assert claim(floor, ann, device_id="PDA-7") == [t.id]
    act(floor, task_service.start, task_id=t.id, user_id=ann.id, device_id="PDA-7",
        lease_seconds=LEASE)
    act(floor, task_service.complete, task_id=t.id, user_id=ann.id, device_id="PDA-7")

    assert history(floor, t.id) == [
        ("created", "created", "created"),
        ("created", "released", "released"),
        ("released", "assigned", "claimed"),
        ("assigned", "in_progress", "started"),
        ("in_progress", "done", "done"),
    ]
    steps = fetch(floor, t.id).transitions
    assert {s.actor_id for s in steps[2:]} == {ann.id}
    assert {s.device_id for s in steps[2:]} == {"PDA-7"}
    assert fetch(floor, t.id).status is TaskStatus.done


def test_a_finished_task_cannot_be_started_again(floor):
    ann = person(floor, "ann")
    t = task(floor)
    claim(floor, ann)
    act(floor, task_service.start, task_id=t.id, user_id=ann.id, device_id="P", lease_seconds=9)
    act(floor, task_service.complete, task_id=t.id, user_id=ann.id, device_id="P")

    with pytest.raises(InvalidTransition):
        act(floor, task_service.release, task_id=t.id, actor_id=None)


def test_an_operator_cannot_start_someone_elses_task(floor):
    ann, bob = person(floor, "ann"), person(floor, "bob")
    t = task(floor)
    claim(floor, ann)

    with pytest.raises(TaskNotYours):
        act(floor, task_service.start, task_id=t.id, user_id=bob.id, device_id="P",
            lease_seconds=LEASE)


def test_supervisor_assignment_pushes_the_task_to_the_operator(floor):
    boss, ann = person(floor, "boss", role=Role.supervisor), person(floor, "ann")
    t = task(floor)

    act(floor, task_service.assign, task_id=t.id, user_id=ann.id, actor_id=boss.id,
        lease_seconds=LEASE)

    assert stored_pushes(floor, ann) == [(1, "task.assigned", t.id)]
    assert history(floor, t.id)[-1] == ("released", "assigned", "assigned")


def test_reassigning_tells_both_operators(floor):
    boss = person(floor, "boss", role=Role.supervisor)
    ann, bob = person(floor, "ann"), person(floor, "bob")
    t = task(floor)
    act(floor, task_service.assign, task_id=t.id, user_id=ann.id, actor_id=boss.id,
        lease_seconds=LEASE)

    act(floor, task_service.assign, task_id=t.id, user_id=bob.id, actor_id=boss.id,
        lease_seconds=LEASE, reason="reassigned")

    assert stored_pushes(floor, ann) == [(1, "task.assigned", t.id), (2, "task.unassigned", t.id)]
    assert stored_pushes(floor, bob) == [(1, "task.assigned", t.id)]
    last = fetch(floor, t.id).transitions[-1]
    assert (last.from_user_id, last.to_user_id, last.reason) == (ann.id, bob.id, "reassigned")


def test_cancel_split_reprioritise_and_exception_are_recorded(floor):
    boss, ann = person(floor, "boss", role=Role.supervisor), person(floor, "ann")
    big = task(floor, sku="SKU-1", qty=10)
    small = task(floor)

    part = act(floor, task_service.split, task_id=big.id, qty=Decimal(4), actor_id=boss.id)
    act(floor, task_service.reprioritise, task_id=big.id, priority=9, actor_id=boss.id)
    act(floor, task_service.cancel, task_id=small.id, actor_id=boss.id, reason="order cancelled")
    claim(floor, ann)
    act(floor, task_service.report_exception, task_id=big.id, user_id=ann.id, device_id="P",
        reason="damaged")

    assert fetch(floor, big.id).qty == 6
    assert (fetch(floor, part.id).qty, fetch(floor, part.id).parent_id) == (4, big.id)
    assert [h[2] for h in history(floor, big.id)][2:] == [
        f"split 4 into task {part.id}", "priority 5 → 9", "claimed", "damaged"]
    assert history(floor, small.id)[-1] == ("released", "cancelled", "order cancelled")
    assert fetch(floor, big.id).status is TaskStatus.exception


def test_next_task_is_the_most_urgent_then_the_earliest_due_then_the_nearest(floor):
    ann = person(floor, "ann")
    floor.location("A-01-01-1", aisle_index=1, x=Decimal(2))
    floor.location("A-09-01-1", aisle_index=9, x=Decimal(2))
    floor.location("A-02-01-1", aisle_index=2, x=Decimal(2))
    soon = utcnow() + timedelta(hours=1)
    far_urgent = task(floor, source="A-09-01-1", priority=7)
    far_soon = task(floor, source="A-09-01-1", due_at=soon)
    near_soon = task(floor, source="A-02-01-1", due_at=soon)
    no_due = task(floor, source="A-02-01-1")
    with floor.factory() as s, s.begin():
        presence.seen(s, user_id=ann.id, device_id="P", warehouse_id=floor.warehouse_id,
                      location_id=floor.location("A-01-01-1").id)

    order = []
    for _ in range(4):
        (got,) = claim(floor, ann)
        order.append(got)
        act(floor, task_service.start, task_id=got, user_id=ann.id, device_id="P",
            lease_seconds=LEASE)
        act(floor, task_service.complete, task_id=got, user_id=ann.id, device_id="P")

    assert order == [far_urgent.id, near_soon.id, far_soon.id, no_due.id]


def test_the_pool_is_claimed_in_exactly_the_order_the_pure_strategy_ranks_it(floor):
    """The ranking runs in SQL now; it must agree with ``NextTaskOrder`` (ties included)."""
    ann = person(floor, "ann")
    rng = random.Random(7)
    places = [floor.location(f"A-{a:02d}-{b:02d}-1", aisle_index=a, x=Decimal(b))
              for a in (1, 4, 7) for b in (1, 5, 9)]
    soon = utcnow() + timedelta(hours=1)
    pool = [task(floor, source=rng.choice([*(p.code for p in places), None]),
                 priority=rng.choice((5, 7)), due_at=rng.choice((soon, None)))
            for _ in range(24)]
    here = places[4]
    with floor.factory() as s, s.begin():
        presence.seen(s, user_id=ann.id, device_id="P", warehouse_id=floor.warehouse_id,
                      location_id=here.id)
    by_id = {p.id: p for p in places}
    ranked = NextTaskOrder().choose(
        [TaskCandidate(t.id, t.priority, t.due_at,
                       Point(by_id[t.from_location_id].aisle_index or 0,
                             by_id[t.from_location_id].x or Decimal(0))
                       if t.from_location_id else None)
         for t in pool],
        Point(here.aisle_index or 0, here.x or Decimal(0)),
    )

    claimed = []
    for _ in pool:
        with floor.factory() as s, s.begin():
            (got,) = claims.claim_from_pool(s, user=s.merge(ann), warehouse_id=floor.warehouse_id,
                                            device_id="P", lease_seconds=LEASE)
            claimed.append(got.id)

    assert claimed == [c.task_id for c in ranked]


def test_next_task_gives_back_your_own_task_before_claiming_another(floor):
    ann = person(floor, "ann")
    first, second = task(floor), task(floor)

    assert claim(floor, ann) == [first.id]
    assert claim(floor, ann) == [first.id]
    assert fetch(floor, second.id).status is TaskStatus.released


def test_a_task_needing_a_skill_goes_only_to_someone_who_has_it(floor):
    ann, fred = person(floor, "ann"), person(floor, "fred", skills=("forklift",))
    pallet = task(floor, required_skill="forklift")

    assert claim(floor, ann) == []
    assert claim(floor, fred) == [pallet.id]


def test_a_group_is_claimed_as_one_trip(floor):
    ann, bob = person(floor, "ann"), person(floor, "bob")
    a, b, c = task(floor, route_seq=2), task(floor, route_seq=1), task(floor, route_seq=3)
    act(floor, task_service.create_group, warehouse_id=floor.warehouse_id,
        task_ids=[a.id, b.id, c.id])

    assert claim(floor, ann) == [b.id, a.id, c.id]
    assert claim(floor, bob) == []


def test_a_lease_untouched_too_long_returns_the_task_to_the_pool(floor):
    ann = person(floor, "ann")
    t = task(floor)
    claim(floor, ann)

    early = act(floor, claims.sweep, disconnect_grace_seconds=120,
                now=utcnow() + timedelta(seconds=LEASE - 5))
    late = act(floor, claims.sweep, disconnect_grace_seconds=120,
               now=utcnow() + timedelta(seconds=LEASE + 5))

    assert (early, late) == ([], [t.id])
    assert fetch(floor, t.id).status is TaskStatus.released
    assert fetch(floor, t.id).assignee_id is None
    assert history(floor, t.id)[-1] == ("assigned", "released", "lease_expired")
    assert stored_pushes(floor, ann) == [(1, "task.unassigned", t.id)]


def test_a_device_gone_past_the_grace_period_gives_its_tasks_back(floor):
    ann = person(floor, "ann")
    t = task(floor)
    claim(floor, ann)
    now = utcnow()
    act(floor, presence.connected, user_id=ann.id, device_id="PDA-1",
        warehouse_id=floor.warehouse_id, now=now)
    act(floor, presence.disconnected, user_id=ann.id, now=now)

    within = act(floor, claims.sweep, disconnect_grace_seconds=120,
                 now=now + timedelta(seconds=60))
    after = act(floor, claims.sweep, disconnect_grace_seconds=120,
                now=now + timedelta(seconds=180))

    assert (within, after) == ([], [t.id])
    assert history(floor, t.id)[-1] == ("assigned", "released", "device_disconnected")


def test_rule_assignment_prefers_the_skilled_idle_operator_nearby(floor):
    ann, bob = person(floor, "ann", skills=("picking",)), person(floor, "bob", skills=("picking",))
    carl = person(floor, "carl")
    floor.location("A-01-01-1", aisle_index=1)
    floor.location("A-08-01-1", aisle_index=8)
    busy = task(floor)
    act(floor, task_service.assign, task_id=busy.id, user_id=ann.id, actor_id=None,
        lease_seconds=LEASE)
    for who, where in ((ann, "A-01-01-1"), (bob, "A-08-01-1"), (carl, "A-01-01-1")):
        act(floor, presence.connected, user_id=who.id, device_id=f"P-{who.id}",
            warehouse_id=floor.warehouse_id)
        act(floor, presence.seen, user_id=who.id, device_id=None, warehouse_id=None,
            location_id=floor.location(where).id)
    t = task(floor, source="A-01-01-1", required_skill="picking")

    chosen = act(floor, claims.assign_by_rule, task_id=t.id, lease_seconds=LEASE,
                 rule=RuleAssignment(metres_per_open_task=Decimal(100)))

    assert chosen == bob.id
    assert fetch(floor, t.id).assignee_id == bob.id


def test_push_sequence_numbers_count_up_per_operator_and_acks_stick(floor):
    ann, bob = person(floor, "ann"), person(floor, "bob")
    for who in (ann, ann, bob, ann):
        act(floor, pushes.push, user_id=who.id, name="task.assigned", data={})

    assert [e[0] for e in stored_pushes(floor, ann)] == [1, 2, 3]
    assert [e[0] for e in stored_pushes(floor, bob)] == [1]
    assert act(floor, pushes.ack, user_id=ann.id, upto=2) == 2
    with floor.factory() as s:
        assert [e.seq for e in pushes.missed(s, user_id=ann.id, after=None)] == [3]
        assert [e.seq for e in pushes.missed(s, user_id=ann.id, after=1)] == [2, 3]


def test_events_of_a_rolled_back_transaction_are_never_published(session_factory, floor):
    ann = person(floor, "ann")
    published: list = []
    events.install(session_factory, [published.extend])

    with pytest.raises(RuntimeError), session_factory() as s, s.begin():
        pushes.push(s, user_id=ann.id, name="task.assigned", data={"n": 1})
        raise RuntimeError("power cut")
    with session_factory() as s, s.begin():
        pushes.push(s, user_id=ann.id, name="task.assigned", data={"n": 2})

    assert [e.payload["data"] for e in published] == [{"n": 2}]
    assert [e.payload["seq"] for e in published] == [1]


def test_presence_goes_offline_only_when_the_last_socket_closes(floor):
    ann = person(floor, "ann")
    for _ in range(2):
        act(floor, presence.connected, user_id=ann.id, device_id="P", warehouse_id=None)
    act(floor, presence.disconnected, user_id=ann.id)

    with floor.factory() as s:
        assert s.get(OperatorPresence, ann.id).online is True  # type: ignore[union-attr]
    act(floor, presence.disconnected, user_id=ann.id)
    with floor.factory() as s:
        assert s.get(OperatorPresence, ann.id).online is False  # type: ignore[union-attr]
