"""Scheduled jobs: one row per job and warehouse, the lock and the memory of the scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wms.model.base import Base, IdMixin


class ScheduledJob(IdMixin, Base):
    """When a job (count plans, replenishment, reorder) last ran in a warehouse, and next runs.

    A scheduler locks this row (``FOR UPDATE``) for the whole run and moves
    ``next_run_at`` in the same transaction as the work, so a second process
    that waited for the lock finds the job no longer due: one run per period.
    """

    __tablename__ = "scheduled_job"
    __table_args__ = (UniqueConstraint("job", "warehouse_id"),)

    job: Mapped[str] = mapped_column(String(32))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    next_run_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    #: What the last run did, for the console: e.g. {"created": 3, "tasks": [..]}.
    last_result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[datetime | None]
    runs: Mapped[int] = mapped_column(default=0)
