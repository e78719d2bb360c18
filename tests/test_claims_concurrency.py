"""One owner per task: thirty operators pressing "next task" at the same moment."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import Engine, func, select

from tests.factories import Floor
from tests.taskfloor import LEASE, all_at_once, person, task
from wms.db import make_session_factory
from wms.model import Task, TaskStatus, TaskTransition
from wms.services import claims, presence

OPERATORS = 30


def everyone_pulls_at_once(floor: Floor, tasks: int, *, located: bool = False) -> list[list[int]]:
    """Everyone presses "next task" together; ``located``: each last scanned a place in an aisle."""
    users = [person(floor, f"op{i:02d}") for i in range(OPERATORS)]
    aisles = [floor.location(f"A-{a:02d}-01-1", aisle_index=a, x=Decimal(a)) for a in range(5)]
    for n in range(tasks):
        task(floor, source=aisles[n % 5].code if located else None)
    if located:
        with floor.factory() as s, s.begin():
            for i, user in enumerate(users):
                presence.seen(s, user_id=user.id, device_id=f"PDA-{i}",
                              warehouse_id=floor.warehouse_id, location_id=aisles[i % 5].id)

    def pull(i: int) -> list[int]:
        with floor.factory() as s, s.begin():
            got = claims.claim_next(s, user=s.merge(users[i]), warehouse_id=floor.warehouse_id,
                                    device_id=f"PDA-{i}", lease_seconds=LEASE)
            return [t.id for t in got]

    return all_at_once(OPERATORS, pull)


def assert_one_owner_each(floor: Floor, results: list[list[int]], expected_claims: int) -> None:
    claimed = [tid for got in results for tid in got]
    assert len(claimed) == expected_claims
    assert Counter(claimed).most_common(1)[0][1] == 1
    with floor.factory() as s:
        assigned = s.scalar(select(func.count()).select_from(Task)
                            .where(Task.status == TaskStatus.assigned))
        claims_recorded = s.scalar(select(func.count()).select_from(TaskTransition)
                                   .where(TaskTransition.reason == "claimed"))
    assert assigned == claims_recorded == expected_claims


def test_thirty_operators_pulling_at_once_on_postgresql_never_share_a_task(pg: Engine):
    floor = Floor(make_session_factory(pg))

    results = everyone_pulls_at_once(floor, tasks=45)

    assert_one_owner_each(floor, results, expected_claims=OPERATORS)


def test_when_there_is_less_work_than_people_the_rest_get_nothing_on_postgresql(pg: Engine):
    floor = Floor(make_session_factory(pg))

    results = everyone_pulls_at_once(floor, tasks=10)

    assert_one_owner_each(floor, results, expected_claims=10)


def test_thirty_located_operators_pulling_nearest_first_on_postgresql_never_share_a_task(
    pg: Engine,
):
    floor = Floor(make_session_factory(pg))

    results = everyone_pulls_at_once(floor, tasks=45, located=True)

    assert_one_owner_each(floor, results, expected_claims=OPERATORS)


def test_thirty_located_operators_pulling_nearest_first_on_sqlite_never_share_a_task(
    sqlite_engine: Engine,
):
    floor = Floor(make_session_factory(sqlite_engine))

    results = everyone_pulls_at_once(floor, tasks=20, located=True)

    assert_one_owner_each(floor, results, expected_claims=20)


def test_thirty_operators_pulling_at_once_on_sqlite_never_share_a_task(sqlite_engine: Engine):
    floor = Floor(make_session_factory(sqlite_engine))

    results = everyone_pulls_at_once(floor, tasks=20)

    assert_one_owner_each(floor, results, expected_claims=20)
