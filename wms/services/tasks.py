"""Task lifecycle use cases: create, release, assign, start, complete, cancel, split, exception.

Every status change goes through ``Task.move_to`` and so is recorded (who,
when, device, reason). Changes are announced after commit: the console's
warehouse room hears ``task.changed``; the operator concerned gets a stored
push (``task.assigned``, ``task.unassigned``, ``task.cancelled``,
``task.updated``). Claims, rule assignment and the lease sweep live in
``wms.services.claims``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, InvalidQuantity, NotFound, PermissionDenied
from wms.model import (
    OWNED,
    Task,
    TaskGroup,
    TaskStatus,
    TaskTransition,
    TaskType,
    User,
    exact,
    qty_str,
    utcnow,
)
from wms.queries.tasks import describe
from wms.services import pushes


class TaskNotYours(PermissionDenied):
    code = "task_not_yours"
    title = "This task belongs to someone else"


class TaskNotFound(NotFound):
    code = "task_not_found"
    title = "No such task"


class TaskClosed(Conflict):
    code = "task_closed"
    title = "This task is finished"


def announce(session: Session, task: Task) -> None:
    """Tell the console's warehouse room that a task changed; hint the zone of new work."""
    events.record_all(session, announcements(describe(task)))


def announcements(task: dict[str, Any]) -> list[events.Event]:
    """``announce``'s events for a task already described (``describe``)."""
    said = [
        events.Event("task.changed", task, (f"warehouse:{task['warehouse_id']}",), ("/console",))
    ]
    if task["status"] == TaskStatus.released.value and task["zone_id"] is not None:
        # A wake-up only (not stored): terminals in the zone may ask for "next task".
        said.append(
            events.Event(
                "task.released",
                {"task_id": task["id"], "zone_id": task["zone_id"], "priority": task["priority"]},
                (f"zone:{task['zone_id']}",),
                ("/terminal",),
            )
        )
    return said


def get_task(session: Session, task_id: int, *, lock: bool = True) -> Task:
    stmt = select(Task).where(Task.id == task_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    task = session.scalars(stmt).one_or_none()
    if task is None:
        raise TaskNotFound(f"no task {task_id}", task=task_id)
    return task


def owned_task(session: Session, task_id: int, *, user_id: int) -> Task:
    """The task if ``user_id`` owns it now; a forged or foreign id is refused the same way."""
    task = get_task(session, task_id)
    if task.assignee_id != user_id or not task.is_owned:
        raise TaskNotYours(f"task {task_id} is not assigned to you", task=task_id)
    return task


def create_task(
    session: Session,
    *,
    warehouse_id: int,
    type: TaskType,
    actor_id: int | None = None,
    release: bool = False,
    **fields: Any,
) -> Task:
    """A new task (status ``created``, or ``released`` with ``release=True``)."""
    if fields.get("qty") is not None:
        fields["qty"] = exact(fields["qty"])
    task = Task(warehouse_id=warehouse_id, type=type, status=TaskStatus.created, **fields)
    task.transitions.append(
        TaskTransition(
            from_status=TaskStatus.created,
            to_status=TaskStatus.created,
            actor_id=actor_id,
            reason="created",
        )
    )
    session.add(task)
    session.flush()
    if release:
        task.move_to(TaskStatus.released, actor_id=actor_id, reason="released")
    announce(session, task)
    return task


def create_group(
    session: Session,
    *,
    warehouse_id: int,
    task_ids: list[int],
    kind: str = "batch",
    reference: str | None = None,
) -> TaskGroup:
    """Bind tasks into one trip; the first by route sequence is the group's lead."""
    group = TaskGroup(warehouse_id=warehouse_id, kind=kind, reference=reference)
    session.add(group)
    session.flush()
    tasks = [get_task(session, tid) for tid in sorted(task_ids)]
    tasks.sort(key=lambda t: (t.route_seq, t.id))
    for i, task in enumerate(tasks):
        if task.status not in (TaskStatus.created, TaskStatus.released):
            raise Conflict(f"task {task.id} is already {task.status}", task=task.id)
        task.group_id, task.group_lead = group.id, i == 0
    session.flush()
    return group


def group_members(session: Session, task: Task) -> list[Task]:
    """The task itself, or every open task of its group in route order."""
    if task.group_id is None:
        return [task]
    stmt = (
        select(Task)
        .where(
            Task.group_id == task.group_id,
            Task.status.in_(
                (TaskStatus.created, TaskStatus.released, *OWNED, TaskStatus.exception)
            ),
        )
        .order_by(Task.route_seq, Task.id)
        .with_for_update()
    )
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def release(
    session: Session,
    *,
    task_id: int,
    actor_id: int | None,
    device_id: str | None = None,
    reason: str = "released",
) -> Task:
    """Put a created task, or one back from an exception, into the pool."""
    task = get_task(session, task_id)
    _to_pool(session, task, actor_id=actor_id, device_id=device_id, reason=reason)
    return task


def _to_pool(
    session: Session, task: Task, *, actor_id: int | None, device_id: str | None, reason: str
) -> None:
    previous = task.assignee_id
    task.move_to(TaskStatus.released, actor_id=actor_id, device_id=device_id, reason=reason)
    task.assignee_id = task.device_id = None
    task.assigned_at = task.lease_expires_at = None
    if previous is not None:
        _tell(session, previous, "task.unassigned", task, reason)
    announce(session, task)


def return_to_pool(session: Session, task: Task, *, actor_id: int | None, reason: str) -> None:
    """An owned task goes back to the pool (lease expired, device gone, supervisor)."""
    _to_pool(session, task, actor_id=actor_id, device_id=None, reason=reason)


def assign(
    session: Session,
    *,
    task_id: int,
    user_id: int,
    actor_id: int | None,
    lease_seconds: int,
    device_id: str | None = None,
    reason: str = "assigned",
    now: datetime | None = None,
) -> list[Task]:
    """Give a task (and the rest of its group) to ``user_id``; the operator gets a push."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"no active user {user_id}", user=user_id)
    members = group_members(session, get_task(session, task_id))
    now = now or utcnow()
    for task in members:
        previous = task.assignee_id if task.is_owned else None
        task.move_to(
            TaskStatus.assigned,
            actor_id=actor_id,
            device_id=device_id,
            reason=reason,
            to_user_id=user_id,
        )
        task.assignee_id, task.assigned_at = user_id, now
        task.device_id = device_id if actor_id == user_id else None
        task.lease_expires_at = now + timedelta(seconds=lease_seconds)
        if previous is not None and previous != user_id:
            _tell(session, previous, "task.unassigned", task, reason)
        announce(session, task)
    if actor_id != user_id:  # the operator pulling the task already knows
        pushes.push(
            session,
            user_id=user_id,
            name="task.assigned",
            data={"task_ids": [t.id for t in members], "task": describe(members[0])},
            task_id=members[0].id,
        )
    return members


def start(
    session: Session,
    *,
    task_id: int,
    user_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime | None = None,
) -> Task:
    """The operator begins the task on this device; an in-progress task just renews its lease."""
    task = owned_task(session, task_id, user_id=user_id)
    now = now or utcnow()
    if task.status is TaskStatus.assigned:
        task.move_to(
            TaskStatus.in_progress, actor_id=user_id, device_id=device_id, reason="started"
        )
        task.started_at = now
        announce(session, task)
    task.device_id = device_id
    task.lease_expires_at = now + timedelta(seconds=lease_seconds)
    return task


def touch(task: Task, *, lease_seconds: int, now: datetime | None = None) -> None:
    """Work on the task happened: its lease runs again from now."""
    task.lease_expires_at = (now or utcnow()) + timedelta(seconds=lease_seconds)


def complete(
    session: Session,
    *,
    task_id: int,
    user_id: int,
    device_id: str | None,
    done_qty: Decimal | None = None,
) -> Task:
    task = owned_task(session, task_id, user_id=user_id)
    task.move_to(TaskStatus.done, actor_id=user_id, device_id=device_id, reason="done")
    if done_qty is not None:
        task.done_qty = exact(done_qty)
    task.finished_at, task.lease_expires_at = utcnow(), None
    announce(session, task)
    return task


def cancel(
    session: Session,
    *,
    task_id: int,
    actor_id: int | None,
    reason: str = "cancelled",
    device_id: str | None = None,
) -> Task:
    task = get_task(session, task_id)
    owner = task.assignee_id if task.is_owned else None
    task.move_to(TaskStatus.cancelled, actor_id=actor_id, device_id=device_id, reason=reason)
    task.finished_at, task.lease_expires_at = utcnow(), None
    if task.group_lead:
        _pass_lead(session, task)
    if owner is not None:
        _tell(session, owner, "task.cancelled", task, reason)
    announce(session, task)
    return task


def _pass_lead(session: Session, task: Task) -> None:
    task.group_lead = False
    rest = [t for t in group_members(session, task) if t.id != task.id]
    if rest:
        rest[0].group_lead = True


def report_exception(
    session: Session, *, task_id: int, user_id: int, device_id: str | None, reason: str
) -> Task:
    """Short pick, damage, blocked location: the task leaves the floor for the supervisor."""
    task = owned_task(session, task_id, user_id=user_id)
    task.move_to(TaskStatus.exception, actor_id=user_id, device_id=device_id, reason=reason)
    task.exception_reason, task.lease_expires_at = reason[:64], None
    announce(session, task)
    return task


def reprioritise(session: Session, *, task_id: int, priority: int, actor_id: int | None) -> Task:
    if not 1 <= priority <= 9:
        raise InvalidQuantity("priority must be 1 to 9", field="priority")
    task = _open_task(session, task_id)
    task.transitions.append(
        TaskTransition(
            from_status=task.status,
            to_status=task.status,
            actor_id=actor_id,
            reason=f"priority {task.priority} → {priority}",
            from_user_id=task.assignee_id,
            to_user_id=task.assignee_id,
        )
    )
    task.priority = priority
    if task.is_owned and task.assignee_id is not None:
        pushes.push(
            session,
            user_id=task.assignee_id,
            name="task.updated",
            data={"task_id": task.id, "priority": priority},
            task_id=task.id,
        )
    announce(session, task)
    return task


def _open_task(session: Session, task_id: int) -> Task:
    task = get_task(session, task_id)
    if task.status in (TaskStatus.done, TaskStatus.cancelled):
        raise TaskClosed(f"task {task_id} is {task.status}", task=task_id)
    return task


def split(session: Session, *, task_id: int, qty: Decimal, actor_id: int | None) -> Task:
    """Cut ``qty`` off a task into a new released task, e.g. to share a big pick."""
    task = _open_task(session, task_id)
    qty = exact(qty)
    if task.qty is None or not 0 < qty < task.qty - task.done_qty:
        raise InvalidQuantity(f"can split between 0 and {task.qty}", field="qty")
    if task.status is TaskStatus.in_progress:
        raise Conflict(f"task {task_id} is in progress; split it before it starts", task=task_id)
    task.qty = task.qty - qty
    copy = {c: getattr(task, c) for c in _SPLIT_COPIES}
    part = create_task(
        session,
        warehouse_id=task.warehouse_id,
        type=task.type,
        actor_id=actor_id,
        qty=qty,
        parent_id=task.id,
        **copy,
    )
    part.transitions[0].reason = f"split from task {task.id}"
    part.move_to(TaskStatus.released, actor_id=actor_id, reason=f"split from task {task.id}")
    task.transitions.append(
        TaskTransition(
            from_status=task.status,
            to_status=task.status,
            actor_id=actor_id,
            reason=f"split {qty_str(qty)} into task {part.id}",
        )
    )
    announce(session, task)
    announce(session, part)
    return part


_SPLIT_COPIES = (
    "priority",
    "due_at",
    "zone_id",
    "required_skill",
    "route_seq",
    "item_id",
    "lot_id",
    "uom",
    "from_location_id",
    "to_location_id",
    "document_type",
    "document_ref",
)


def _tell(session: Session, user_id: int, name: str, task: Task, reason: str) -> None:
    """A stored push telling an operator that one of their tasks changed hands, and why."""
    pushes.push(
        session,
        user_id=user_id,
        name=name,
        data={"task_id": task.id, "reason": reason},
        task_id=task.id,
    )
