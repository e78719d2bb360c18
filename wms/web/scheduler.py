"""The scheduler loop the server starts: count plans, replenishment and reorder checks.

One loop per server process: a thread in the embedded (threading) server, a
greenlet under gunicorn + gevent (``socketio.start_background_task`` picks).
Several processes tick independently; the ``scheduled_job`` row lock in
``wms.services.scheduler`` makes a period's run happen once. Each job in
each warehouse is its own short transaction, like a request.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from wms.services import scheduler
from wms.settings import SchedulerSettings
from wms.web.context import wms

log = logging.getLogger(__name__)


def intervals(settings: SchedulerSettings) -> scheduler.Intervals:
    for name in ("count_plans_minutes", "replenishment_minutes", "reorder_minutes"):
        if getattr(settings, name) <= 0:
            raise ValueError(f"scheduler interval {name} must be above zero")
    return scheduler.Intervals(
        count_plans=timedelta(minutes=settings.count_plans_minutes),
        replenishment=timedelta(minutes=settings.replenishment_minutes),
        reorder=timedelta(minutes=settings.reorder_minutes),
    )


@dataclass(frozen=True)
class Ran:
    job: str
    warehouse_id: int
    result: dict | None
    error: str | None = None


class Scheduler:
    def __init__(self, factory: sessionmaker[Session], settings: SchedulerSettings) -> None:
        self.factory = factory
        self.settings = settings
        self.intervals = intervals(settings)

    def tick(self, now: datetime | None = None) -> list[Ran]:
        """Run every due job once; what ran (a job not due has ``result`` None)."""
        with self.factory() as session, session.begin():
            warehouse_ids = scheduler.warehouses(session)
            scheduler.ensure_jobs(session, warehouse_ids)
        return [self._run(job, wh, now) for wh in warehouse_ids for job in scheduler.JOBS]

    def _run(self, job: str, warehouse_id: int, now: datetime | None) -> Ran:
        try:
            with self.factory() as session, session.begin():
                result = scheduler.run_job(
                    session, job=job, warehouse_id=warehouse_id, intervals=self.intervals, now=now
                )
            return Ran(job, warehouse_id, result)
        except Exception as exc:  # one failing job must not stop the others or the loop
            log.exception("scheduled job %s failed in warehouse %s", job, warehouse_id)
            error = f"{type(exc).__name__}: {exc}"
            try:
                with self.factory() as session, session.begin():
                    scheduler.record_failure(
                        session, job=job, warehouse_id=warehouse_id, error=error
                    )
            except Exception:
                log.exception("could not record the failure of %s", job)
            return Ran(job, warehouse_id, None, error)


class SchedulerLoop:
    """Tick every ``tick_seconds`` until stopped (the Event wait is cooperative under gevent)."""

    def __init__(self, factory: sessionmaker[Session], settings: SchedulerSettings) -> None:
        self.scheduler = Scheduler(factory, settings)
        self.pause = max(1, settings.tick_seconds)
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.pause):
            try:
                self.scheduler.tick()
            except Exception:  # a lost database: try again next tick
                log.exception("scheduler tick failed")

    def stop(self) -> None:
        self._stop.set()


def start(app: Flask) -> SchedulerLoop:
    """Start this process's scheduler loop (a thread, or a greenlet under gevent)."""
    ctx = wms(app)
    loop = SchedulerLoop(ctx.session_factory, ctx.settings.scheduler)
    ctx.socketio.start_background_task(loop.run)
    ctx.workers.append(loop)
    return loop


def init_app(app: Flask) -> None:
    settings = wms(app).settings
    intervals(settings.scheduler)  # a bad interval stops the server at start, not at a tick
    if settings.scheduler.enabled and not settings.testing:
        start(app)
