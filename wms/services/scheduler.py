"""Scheduled inventory jobs: count plans, the replenishment check, the reorder check.

Each job runs per warehouse. ``run_job`` locks the job's ``ScheduledJob``
row (``FOR UPDATE``; SQLite serialises writers anyway), returns ``None`` if
the job is not due, else does the work and moves ``next_run_at`` in the
same transaction. Several server processes may tick at once: the second
waits for the lock, then sees the job is no longer due, so one period never
makes tasks or requisitions twice. A failed run rolls back with its work;
``record_failure`` then notes the error for the console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wms.model import CountPlan, Item, Location, ScheduledJob, Warehouse, utcnow
from wms.services import count_plans, reorder, replenishment

COUNT_PLANS, REPLENISHMENT, REORDER = "count_plans", "replenishment", "reorder"
JOBS = (COUNT_PLANS, REPLENISHMENT, REORDER)
#: At most this many references kept in a job's last result (the console shows them).
SHOWN = 20


@dataclass(frozen=True)
class Intervals:
    count_plans: timedelta = timedelta(days=1)
    replenishment: timedelta = timedelta(minutes=15)
    reorder: timedelta = timedelta(hours=1)

    def of(self, job: str) -> timedelta:
        return getattr(self, job)


def ensure_jobs(session: Session, warehouse_ids: Iterable[int]) -> None:
    """A row per job and warehouse; one made concurrently by another process is fine."""
    wanted = {(job, wh) for wh in warehouse_ids for job in JOBS}
    have = {
        (r[0], r[1]) for r in session.execute(select(ScheduledJob.job, ScheduledJob.warehouse_id))
    }
    for job, warehouse_id in sorted(wanted - have):
        try:
            with session.begin_nested():
                session.add(ScheduledJob(job=job, warehouse_id=warehouse_id, last_result={}))
        except IntegrityError:
            pass  # another process inserted it first: that row is the one to lock


def warehouses(session: Session) -> list[int]:
    return list(session.scalars(select(Warehouse.id).order_by(Warehouse.id)))


def locked(session: Session, job: str, warehouse_id: int) -> ScheduledJob | None:
    return session.scalars(
        select(ScheduledJob)
        .where(ScheduledJob.job == job, ScheduledJob.warehouse_id == warehouse_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def run_job(
    session: Session,
    *,
    job: str,
    warehouse_id: int,
    intervals: Intervals,
    now: datetime | None = None,
    force: bool = False,
    actor_id: int | None = None,
) -> dict[str, Any] | None:
    """Run ``job`` for the warehouse if it is due (or ``force``); its result, else None."""
    now = now or utcnow()
    row = locked(session, job, warehouse_id)
    if row is None:
        ensure_jobs(session, [warehouse_id])
        row = locked(session, job, warehouse_id)
        assert row is not None
    if not force and row.next_run_at is not None and row.next_run_at > now:
        return None
    result = RUNNERS[job](session, warehouse_id, now, intervals, actor_id)
    row.last_run_at, row.next_run_at = now, now + intervals.of(job)
    row.last_result, row.runs = result, row.runs + 1
    row.last_error = row.last_error_at = None
    session.flush()
    return result


def record_failure(
    session: Session, *, job: str, warehouse_id: int, error: str, now: datetime | None = None
) -> None:
    row = locked(session, job, warehouse_id)
    if row is not None:
        row.last_error, row.last_error_at = error[:500], now or utcnow()


def _count_plans(
    session: Session, warehouse_id: int, now: datetime, intervals: Intervals, actor_id: int | None
) -> dict[str, Any]:
    """Every active plan not run within the interval (a "run now" counts as a run)."""
    since = now - intervals.count_plans
    plans = list(
        session.scalars(
            select(CountPlan.id)
            .where(CountPlan.warehouse_id == warehouse_id, CountPlan.active.is_(True))
            .order_by(CountPlan.id)
        )
    )
    created, ran = [], 0
    for plan_id in plans:
        made = count_plans.run_plan(
            session, plan_id=plan_id, now=now, actor_id=actor_id, not_run_since=since
        )
        if made is None:
            continue
        ran += 1
        created.extend(c.location_id for c in made)
    codes = _names(session, Location.id, Location.code, created)
    return {
        "plans": ran,
        "created": len(created),
        "locations": [codes[i] for i in created[:SHOWN] if i in codes],
    }


def _replenishment(
    session: Session, warehouse_id: int, now: datetime, intervals: Intervals, actor_id: int | None
) -> dict[str, Any]:
    tasks = replenishment.replenish(session, warehouse_id=warehouse_id, actor_id=actor_id)
    faces = sorted({(t.to_location_id or 0, t.item_id or 0) for t in tasks})
    locs = _names(session, Location.id, Location.code, [f[0] for f in faces])
    skus = _names(session, Item.id, Item.sku, [f[1] for f in faces])
    return {
        "created": len(tasks),
        "faces": [f"{locs.get(loc)} {skus.get(item)}" for loc, item in faces][:SHOWN],
    }


def _reorder(
    session: Session, warehouse_id: int, now: datetime, intervals: Intervals, actor_id: int | None
) -> dict[str, Any]:
    made = reorder.check(session, warehouse_id=warehouse_id)
    ids = [r.item_id for r in made]
    skus = _names(session, Item.id, Item.sku, ids)
    return {"created": len(made), "skus": [skus[i] for i in ids[:SHOWN] if i in skus]}


def _names(session: Session, key: Any, name: Any, ids: list[int]) -> dict[int, str]:
    return {r[0]: r[1] for r in session.execute(select(key, name).where(key.in_(ids)))}


Runner = Callable[[Session, int, datetime, Intervals, int | None], dict[str, Any]]
RUNNERS: dict[str, Runner] = {
    COUNT_PLANS: _count_plans,
    REPLENISHMENT: _replenishment,
    REORDER: _reorder,
}
