"""Floor work: tasks and their transitions, task groups, presence, flow sessions, stored pushes."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.errors import InvalidTransition
from wms.model.base import Base, IdMixin, TimestampMixin, utcnow
from wms.model.master import _enum


class TaskType(enum.StrEnum):
    putaway = "putaway"
    pick = "pick"
    pack_check = "pack_check"
    count = "count"
    replenish = "replenish"
    move = "move"


class TaskStatus(enum.StrEnum):
    created = "created"
    released = "released"
    assigned = "assigned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"
    exception = "exception"


_S = TaskStatus
#: The task lifecycle. ``assigned → assigned`` is a reassignment;
#: ``→ released`` gives the task back to the pool.
TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    _S.created: frozenset({_S.released, _S.assigned, _S.cancelled}),
    _S.released: frozenset({_S.assigned, _S.cancelled, _S.exception}),
    _S.assigned: frozenset({_S.assigned, _S.in_progress, _S.released, _S.cancelled, _S.exception}),
    _S.in_progress: frozenset(
        {_S.assigned, _S.done, _S.released, _S.cancelled, _S.exception}
    ),
    _S.exception: frozenset({_S.released, _S.assigned, _S.cancelled}),
    _S.done: frozenset(),
    _S.cancelled: frozenset(),
}
#: A task in one of these has an owner.
OWNED = (TaskStatus.assigned, TaskStatus.in_progress)
OPEN = (TaskStatus.created, TaskStatus.released, *OWNED, TaskStatus.exception)


class TaskGroup(IdMixin, TimestampMixin, Base):
    """A batch or wave of tasks done as one trip: claimed, assigned and released together."""

    __tablename__ = "task_group"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="batch")  # batch | wave
    reference: Mapped[str | None] = mapped_column(String(64))


class Task(IdMixin, TimestampMixin, Base):
    """One instruction for one operator; ``status`` only changes through ``move_to``."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_assignee_status", "assignee_id", "status"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    type: Mapped[TaskType] = mapped_column(_enum(TaskType))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.created)
    #: 1 (low) .. 9 (urgent); claims take the highest first.
    priority: Mapped[int] = mapped_column(default=5)
    due_at: Mapped[datetime | None]
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)
    required_skill: Mapped[str | None] = mapped_column(String(32))
    route_seq: Mapped[int] = mapped_column(default=0)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("task_group.id"), index=True)
    #: The one task of a group that claims stand on; the rest follow it.
    group_lead: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    qty: Mapped[Decimal | None]
    done_qty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    uom: Mapped[str | None] = mapped_column(String(16))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    document_type: Mapped[str | None] = mapped_column(String(32))
    document_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    exception_reason: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))

    transitions: Mapped[list[TaskTransition]] = relationship(
        back_populates="task", order_by="TaskTransition.id", cascade="all, delete-orphan"
    )

    def move_to(
        self,
        status: TaskStatus,
        *,
        actor_id: int | None,
        device_id: str | None = None,
        reason: str | None = None,
        to_user_id: int | None = None,
    ) -> TaskTransition:
        """Change status if the lifecycle allows it, and record who, when, from where, why."""
        if status not in TASK_TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"task {self.id} cannot go from {self.status} to {status}",
                task=self.id, status=self.status.value, to=status.value,
            )
        step = TaskTransition(
            from_status=self.status, to_status=status, actor_id=actor_id, device_id=device_id,
            reason=reason, from_user_id=self.assignee_id, to_user_id=to_user_id,
        )
        self.transitions.append(step)
        self.status = status
        return step

    @property
    def is_owned(self) -> bool:
        return self.status in OWNED


#: The pool in claim order (priority, then due time, then id), so a claim reads a few index rows.
Index(
    "ix_task_pool",
    Task.warehouse_id,
    Task.status,
    Task.priority.desc(),
    Task.due_at,
    Task.id,
)


class TaskTransition(IdMixin, Base):
    """One step of a task's life: who, when, from which device, why."""

    __tablename__ = "task_transition"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))
    to_status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    task: Mapped[Task] = relationship(back_populates="transitions")


class OperatorPresence(TimestampMixin, Base):
    """Who is online on which device, seen when, where they last scanned a location."""

    __tablename__ = "operator_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouse.id"))
    online: Mapped[bool] = mapped_column(default=False)
    #: Open Socket.IO connections on /terminal; the operator is online while > 0.
    connections: Mapped[int] = mapped_column(default=0)
    last_seen_at: Mapped[datetime | None]
    connected_at: Mapped[datetime | None]
    disconnected_at: Mapped[datetime | None] = mapped_column(index=True)
    last_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))


class FlowSession(IdMixin, TimestampMixin, Base):
    """A scanner flow in progress, kept on the server so a rebooted terminal resumes it."""

    __tablename__ = "flow_session"
    __table_args__ = (Index("ix_flow_session_user_active", "user_id", "active"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    flow: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The step number the client must send next.
    seq: Mapped[int] = mapped_column(default=1)
    last_screen: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_request_id: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    active: Mapped[bool] = mapped_column(default=True)
    finished_at: Mapped[datetime | None]


class OperatorEventCounter(Base):
    """The last push sequence number given to each operator."""

    __tablename__ = "operator_event_counter"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class StoredEvent(IdMixin, Base):
    """A push to one operator, kept so a terminal that was offline gets it on reconnect."""

    __tablename__ = "stored_event"
    __table_args__ = (UniqueConstraint("user_id", "seq"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    task_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acked: Mapped[bool] = mapped_column(default=False)
    acked_at: Mapped[datetime | None]

    def envelope(self) -> dict[str, Any]:
        """What the terminal receives, live or replayed: the same shape either way."""
        return {
            "seq": self.seq,
            "name": self.name,
            "data": self.payload,
            "created_at": self.created_at.isoformat(),
        }
