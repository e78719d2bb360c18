"""Cycle counting: count plans, counts (one per count task), counted lines and variances."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.errors import Conflict
from wms.model.base import Base, IdMixin, TimestampMixin, utcnow
from wms.model.master import _enum


class CountPlanBasis(enum.StrEnum):
    abc = "abc"
    zone = "zone"
    location = "location"
    item = "item"


class CountTrigger(enum.StrEnum):
    plan = "plan"
    short_pick = "short_pick"
    location_empty = "location_empty"
    discrepancy = "discrepancy"
    request = "request"
    recount = "recount"


class CountStatus(enum.StrEnum):
    open = "open"  # waiting for a counter
    counting = "counting"  # the counter scanned the location: the reference is taken
    counted = "counted"  # lines recorded, variances (if any) wait for a decision
    closed = "closed"  # every variance decided, or none
    cancelled = "cancelled"


class VarianceStatus(enum.StrEnum):
    pending = "pending"  # waits for a supervisor
    recount = "recount"  # above threshold: a recount by another operator decides
    approved = "approved"
    rejected = "rejected"
    superseded = "superseded"  # the recount's own variance replaced it


class CountPlan(IdMixin, TimestampMixin, Base):
    """Which locations to count how often: by ABC class, zone, location code prefix or item."""

    __tablename__ = "count_plan"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[CountPlanBasis] = mapped_column(_enum(CountPlanBasis))
    #: For ``abc``: days between counts per class; None takes the warehouse default.
    abc_days: Mapped[dict[str, int] | None] = mapped_column(JSON)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"))
    location_prefix: Mapped[str | None] = mapped_column(String(64))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    #: For zone/location/item plans: days between counts.
    frequency_days: Mapped[int] = mapped_column(default=90)
    #: At most this many counts per run (spreads a big plan over days); None = all due.
    max_per_run: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None]


class Count(IdMixin, TimestampMixin, Base):
    """The count of one location, done through one count task.

    ``start_mark`` is the last ledger line id when the counter scanned the
    location; each line keeps the expected quantity at the moment it was
    counted, so moves during the count never make a false variance.
    """

    __tablename__ = "stock_count"
    __table_args__ = (Index("ix_stock_count_location_status", "location_id", "status"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("count_plan.id"))
    trigger: Mapped[CountTrigger] = mapped_column(_enum(CountTrigger))
    status: Mapped[CountStatus] = mapped_column(_enum(CountStatus), default=CountStatus.open)
    blind: Mapped[bool] = mapped_column(default=True)
    recount_of_id: Mapped[int | None] = mapped_column(ForeignKey("stock_count.id"))
    #: Who may not do this count (the first counter, for a recount).
    excluded_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    start_mark: Mapped[int | None]
    #: Expected on hand per line key when the count started (for the console, never the PDA).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    finished_at: Mapped[datetime | None]
    location_empty: Mapped[bool] = mapped_column(default=False)

    lines: Mapped[list[CountLine]] = relationship(
        back_populates="count", order_by="CountLine.id", cascade="all, delete-orphan"
    )

    def begin(self, *, user_id: int, mark: int, snapshot: dict[str, Any]) -> None:
        if self.status is not CountStatus.open:
            raise Conflict(f"count {self.id} is {self.status}", count=self.id)
        self.status, self.started_at, self.start_mark = CountStatus.counting, utcnow(), mark
        self.snapshot, self.counted_by_id = snapshot, user_id


class CountLine(IdMixin, Base):
    """What the counter found of one item/lot/serial/container at the location."""

    __tablename__ = "count_line"

    count_id: Mapped[int] = mapped_column(ForeignKey("stock_count.id", ondelete="CASCADE"),
                                          index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    serial_id: Mapped[int | None] = mapped_column(ForeignKey("serial.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    counted_qty: Mapped[Decimal]
    #: On hand (all statuses) when this line was confirmed: start + moves since.
    expected_qty: Mapped[Decimal]
    expected_at_start: Mapped[Decimal]
    mark: Mapped[int]
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)

    count: Mapped[Count] = relationship(back_populates="lines")


class Variance(IdMixin, TimestampMixin, Base):
    """Counted ≠ expected for one line key: waits for a recount or a supervisor's decision."""

    __tablename__ = "count_variance"
    __table_args__ = (Index("ix_count_variance_wh_status", "warehouse_id", "status"),)

    count_id: Mapped[int] = mapped_column(ForeignKey("stock_count.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    serial_id: Mapped[int | None] = mapped_column(ForeignKey("serial.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    expected_qty: Mapped[Decimal]
    counted_qty: Mapped[Decimal]
    diff_qty: Mapped[Decimal]
    unit_cost: Mapped[Decimal | None]
    value: Mapped[Decimal | None]
    status: Mapped[VarianceStatus] = mapped_column(_enum(VarianceStatus))
    recount_id: Mapped[int | None] = mapped_column(ForeignKey("stock_count.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    adjustment_move_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    def decide(self, status: VarianceStatus, *, user_id: int, reason: str | None) -> None:
        if self.status is not VarianceStatus.pending:
            raise Conflict(f"variance {self.id} is {self.status}", variance=self.id,
                           status=self.status.value)
        self.status, self.decided_by_id, self.decided_at = status, user_id, utcnow()
        self.reason = reason
