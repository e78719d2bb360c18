"""The scheduler: count plans, replenishment and reorder checks run unattended, once a period."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import Floor
from tests.inventory import helpers
from tests.liveserver import wait_until
from tests.taskfloor import person
from wms.db import make_session_factory
from wms.model import (
    Count,
    CountPlan,
    CountPlanBasis,
    PickFaceSetting,
    PurchaseRequisition,
    ReorderRule,
    ScheduledJob,
    Task,
    TaskType,
    utcnow,
)
from wms.services import scheduler
from wms.settings import SchedulerSettings
from wms.web.scheduler import Scheduler, start


def aisle(floor: Floor) -> Floor:
    """Three never-counted locations, a daily plan over the A aisle."""
    for code in ("A-01-01-1", "A-01-01-2", "A-01-01-3"):
        floor.location(code)
    floor.location("B-01-01-1")
    with floor.factory() as s, s.begin():
        s.add(
            CountPlan(
                warehouse_id=floor.warehouse_id,
                name="aisle A",
                basis=CountPlanBasis.location,
                location_prefix="A-",
                frequency_days=30,
            )
        )
    return floor


def count_tasks(floor: Floor) -> list[int]:
    with floor.factory() as s:
        return sorted(s.scalars(select(Task.from_location_id).where(Task.type == TaskType.count)))


def job(floor: Floor, name: str) -> ScheduledJob:
    with floor.factory() as s:
        found = s.scalar(select(ScheduledJob).where(ScheduledJob.job == name))
        assert found is not None
        return found


def test_a_due_plan_makes_its_count_tasks_once_when_two_schedulers_tick_together(pg):
    floor = aisle(Floor(make_session_factory(pg)))
    now = utcnow()
    gate = threading.Barrier(2)
    outcomes: list = []

    def server_process() -> None:
        ticker = Scheduler(make_session_factory(pg), SchedulerSettings())
        gate.wait()
        outcomes.append(ticker.tick(now))

    threads = [threading.Thread(target=server_process) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    expected = sorted(floor.location(c).id for c in ("A-01-01-1", "A-01-01-2", "A-01-01-3"))
    assert count_tasks(floor) == expected
    ran = [r for ticks in outcomes for r in ticks if r.job == scheduler.COUNT_PLANS]
    assert [r.error for r in ran] == [None, None]
    assert sorted(r.result["created"] for r in ran if r.result is not None) == [3]
    assert job(floor, scheduler.COUNT_PLANS).runs == 1


def test_a_plan_is_not_run_again_within_its_period_and_then_only_for_due_locations(floor):
    aisle(floor)
    ann = person(floor, "ann")
    ticker = Scheduler(floor.factory, SchedulerSettings(count_plans_minutes=1440))
    now = utcnow()
    ticker.tick(now)
    for count_id in _count_ids(floor):
        helpers.start(floor, count_id, ann)
        helpers.finish(floor, count_id, ann, empty=True)

    later_that_day = ticker.tick(now + timedelta(hours=3))
    next_day = ticker.tick(now + timedelta(days=1, minutes=1))

    assert len(count_tasks(floor)) == 3
    assert _result(later_that_day, scheduler.COUNT_PLANS) is None
    assert _result(next_day, scheduler.COUNT_PLANS) == {"plans": 1, "created": 0, "locations": []}


def _count_ids(floor: Floor) -> list[int]:
    with floor.factory() as s:
        return list(s.scalars(select(Count.id)))


def _result(ran, name):
    (found,) = [r for r in ran if r.job == name]
    return found.result


def test_replenishment_and_reorder_checks_run_unattended_and_show_what_they_made(floor):
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "P-01-01-1", 2)
    floor.stock("SKU-1", "R-01-01-1", 20)
    with floor.factory() as s, s.begin():
        s.add(
            PickFaceSetting(
                warehouse_id=floor.warehouse_id,
                location_id=floor.location("P-01-01-1").id,
                item_id=floor.item("SKU-1").id,
                min_qty=Decimal(5),
                max_qty=Decimal(10),
            )
        )
        s.add(
            ReorderRule(
                item_id=floor.item("SKU-1").id,
                warehouse_id=floor.warehouse_id,
                safety_stock=Decimal(30),
                reorder_point=Decimal(40),
                reorder_qty=Decimal(100),
            )
        )
    ticker = Scheduler(floor.factory, SchedulerSettings(replenishment_minutes=15))
    now = utcnow()

    first = ticker.tick(now)
    too_soon = ticker.tick(now + timedelta(minutes=5))

    assert _result(first, scheduler.REPLENISHMENT) == {"created": 1, "faces": ["P-01-01-1 SKU-1"]}
    assert _result(first, scheduler.REORDER) == {"created": 1, "skus": ["SKU-1"]}
    assert _result(too_soon, scheduler.REPLENISHMENT) is None
    with floor.factory() as s:
        assert s.scalar(select(func.count()).select_from(PurchaseRequisition)) == 1
        assert s.scalar(select(func.count()).where(Task.type == TaskType.replenish)) == 1
    stored = job(floor, scheduler.REPLENISHMENT)
    assert stored.last_result["created"] == 1
    assert stored.next_run_at == now + timedelta(minutes=15)


def test_a_failing_job_is_recorded_and_the_others_still_run(floor, monkeypatch):
    floor.location("A-01-01-1")

    def broken(*args):
        raise RuntimeError("reserve index unavailable")

    monkeypatch.setitem(scheduler.RUNNERS, scheduler.REPLENISHMENT, broken)

    ran = Scheduler(floor.factory, SchedulerSettings()).tick()

    assert {r.job: r.error for r in ran} == {
        scheduler.COUNT_PLANS: None,
        scheduler.REORDER: None,
        scheduler.REPLENISHMENT: "RuntimeError: reserve index unavailable",
    }
    failed = job(floor, scheduler.REPLENISHMENT)
    assert (failed.last_error, failed.runs, failed.next_run_at) == (
        "RuntimeError: reserve index unavailable",
        0,
        None,
    )


@pytest.mark.parametrize("minutes", [0, -5])
def test_an_interval_must_be_positive(minutes):
    with pytest.raises(ValueError, match="scheduler interval"):
        Scheduler(None, SchedulerSettings(reorder_minutes=minutes))  # type: ignore[arg-type]


def test_the_server_started_loop_runs_a_due_plan_without_anyone(settings, engine, floor):
    from wms.app import create_app

    aisle(floor)
    app = create_app(settings.with_overrides(scheduler={"tick_seconds": 1}), engine=engine)

    loop = start(app)
    try:
        made = wait_until(lambda: len(count_tasks(floor)) == 3, timeout=15)
    finally:
        loop.stop()

    assert made
    assert job(floor, scheduler.COUNT_PLANS).runs == 1
