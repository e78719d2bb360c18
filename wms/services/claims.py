"""Who does which task: pull claims ("next task"), rule-based push, and the lease sweep.

A claim is a lease: ``lease_expires_at`` runs from the last touch, and a
task whose lease ran out, or whose operator's device disconnected and did
not come back within the grace period, goes back to the pool.

One owner per task (invariant 7): on PostgreSQL the row being claimed is
picked ``FOR UPDATE SKIP LOCKED`` inside the claiming UPDATE, so
concurrent claimers walk past each other's rows instead of queueing on the
same one. SQLite silently drops FOR UPDATE;
there every transaction is ``BEGIN IMMEDIATE`` (one writer at a time). On
both, the claim itself is a guarded ``UPDATE ... WHERE status = 'released'
RETURNING id``: a row somebody else took in between is simply not won.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from wms.db import is_postgres
from wms.model import (
    OWNED,
    Location,
    OperatorPresence,
    Task,
    TaskStatus,
    TaskTransition,
    User,
    utcnow,
)
from wms.services import tasks as task_service
from wms.strategies.assignment import (
    AISLE_PITCH,
    OperatorCandidate,
    Point,
    RuleAssignment,
    TaskCandidate,
)


def _point(aisle: int | None, x: Decimal | None) -> Point | None:
    return None if aisle is None else Point(aisle, x or Decimal(0))


def current_task(session: Session, *, user_id: int) -> Task | None:
    """The operator's own next task: one in progress first, then the most urgent assigned."""
    stmt = (
        select(Task)
        .where(Task.assignee_id == user_id, Task.status.in_(OWNED))
        .order_by(
            case((Task.status == TaskStatus.in_progress, 0), else_=1),
            Task.priority.desc(),
            Task.due_at.asc().nullslast(),
            Task.route_seq,
            Task.id,
        )
        .limit(1)
    )
    return session.scalars(stmt).first()


def _distance(user_id: Any) -> Any:
    """``assignment.distance`` in SQL: from where the operator last scanned to the task's source.

    NULL when either place is unknown (sorted last among equals, as the
    strategy does). The operator's place is read by uncorrelated sub-selects,
    evaluated once per statement. The aisle pitch is bound with the type of
    ``x``, so on SQLite (where ``x`` is stored in millionths) both terms
    carry the same scale.
    """
    here = (
        select(Location.aisle_index)
        .join(OperatorPresence, OperatorPresence.last_location_id == Location.id)
        .where(OperatorPresence.user_id == user_id)
    )
    here_aisle = here.scalar_subquery()
    here_x = here.with_only_columns(Location.x).scalar_subquery()
    pitch = literal(AISLE_PITCH, Location.x.type)
    zero = literal(0, Location.x.type)
    return func.abs(Location.aisle_index - here_aisle) * pitch + func.abs(
        func.coalesce(Location.x, zero) - func.coalesce(here_x, zero)
    )


@functools.cache
def _pool_head(zoned: bool, skip_locked: bool) -> Select:
    """Built once per shape; every value is a parameter (see ``pool_head``)."""
    stmt = (
        select(Task.id)
        .outerjoin(Location, Location.id == Task.from_location_id)
        .where(
            Task.warehouse_id == bindparam("pool_warehouse_id"),
            Task.status == TaskStatus.released,
            or_(Task.group_id.is_(None), Task.group_lead.is_(True)),
            or_(
                Task.required_skill.is_(None),
                Task.required_skill.in_(bindparam("pool_skills", expanding=True)),
            ),
        )
    )
    if zoned:
        stmt = stmt.where(Task.zone_id.in_(bindparam("pool_zone_ids", expanding=True)))
    return (
        stmt.order_by(
            Task.priority.desc(),
            Task.due_at.asc().nullslast(),
            _distance(bindparam("pool_user_id")).asc().nullslast(),
            Task.id,
        )
        .limit(1)
        .with_for_update(of=Task, skip_locked=skip_locked)
    )


@dataclass(frozen=True)
class Pick:
    """Which task a claim takes: a ``SELECT task.id`` (locking as it says) and its parameters."""

    statement: Select
    params: dict[str, Any]


def pool_head(
    user: User,
    warehouse_id: int,
    zone_ids: Iterable[int] | None = None,
    *,
    skip_locked: bool = True,
) -> Pick:
    """The best released task for ``user`` by ``NextTaskOrder``, locked: ``SELECT id ... LIMIT 1``.

    Priority, due time and id come from the pool index; the distance from the
    operator's last scan only breaks ties of priority and due time, so the
    database sorts just the head group (an incremental sort) and no
    candidate list goes to Python. ``skip_locked=False`` is the textbook
    ``FOR UPDATE`` that waits for whoever holds the head (the benchmark's
    baseline).
    """
    params: dict[str, Any] = {
        "pool_warehouse_id": warehouse_id,
        "pool_skills": list(user.skills or []),
        "pool_user_id": user.id,
    }
    if zone_ids is not None:
        params["pool_zone_ids"] = list(zone_ids)
    return Pick(_pool_head(zone_ids is not None, skip_locked), params)


#: A pick of one known task (already locked by the caller, or locked by the claim).
_BY_ID = select(Task.id).where(Task.id == bindparam("pick_task_id"))


def by_id(task_id: int) -> Pick:
    return Pick(_BY_ID, {"pick_task_id": task_id})


#: What a claim writes, bound per call: the task's new owner and lease, and its transition.
_T = Task.__table__
_TT = TaskTransition.__table__
_CLAIMED = {
    "status": TaskStatus.assigned,
    "assignee_id": bindparam("claim_user_id", type_=_T.c.assignee_id.type),
    "device_id": bindparam("claim_device_id", type_=_T.c.device_id.type),
    "assigned_at": bindparam("claim_now", type_=_T.c.assigned_at.type),
    "lease_expires_at": bindparam("claim_lease_until", type_=_T.c.lease_expires_at.type),
    "updated_at": bindparam("claim_now", type_=_T.c.updated_at.type),
}
_TRANSITION_COLUMNS = (
    "task_id",
    "at",
    "from_status",
    "to_status",
    "actor_id",
    "device_id",
    "reason",
    "to_user_id",
)


def _transition_of(task_id: Any) -> Any:
    """INSERT the "claimed" transition of the task(s) ``task_id`` names (a column or a value)."""
    rows = select(
        task_id,
        bindparam("claim_now", type_=_TT.c.at.type),
        literal(TaskStatus.released, _TT.c.from_status.type),
        literal(TaskStatus.assigned, _TT.c.to_status.type),
        bindparam("claim_user_id", type_=_TT.c.actor_id.type),
        bindparam("claim_device_id", type_=_TT.c.device_id.type),
        literal("claimed", _TT.c.reason.type),
        bindparam("claim_user_id", type_=_TT.c.to_user_id.type),
    )
    return insert(_TT).from_select(_TRANSITION_COLUMNS, rows)


_TRANSITION_OF_ONE = _transition_of(bindparam("claimed_id", type_=_TT.c.task_id.type))


def claim(
    session: Session,
    pick: Pick,
    *,
    user_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime | None = None,
) -> Task | None:
    """Claim the task ``pick`` selects (one ``Task.id``, locked as ``pick`` says), or None.

    PostgreSQL, one statement and one round trip: ``pick`` locks the row, the
    UPDATE takes it if it is still released, the transition is written from
    what the UPDATE returned::

        WITH won AS (UPDATE task SET status='assigned', assignee_id=:me, ...
                     WHERE task.id = (SELECT task.id ... LIMIT 1 FOR UPDATE OF task SKIP LOCKED)
                       AND task.status = 'released' RETURNING task.*),
             step AS (INSERT INTO task_transition (...) SELECT won.id, ... FROM won)
        SELECT * FROM won

    SQLite has neither a data-modifying WITH nor FOR UPDATE, but every
    transaction there is BEGIN IMMEDIATE: the same guarded UPDATE ...
    RETURNING, then the transition's INSERT.
    """
    now = now or utcnow()
    params = {
        **pick.params,
        "claim_user_id": user_id,
        "claim_device_id": device_id,
        "claim_now": now,
        "claim_lease_until": now + timedelta(seconds=lease_seconds),
    }
    if is_postgres(session):
        return session.scalars(_claim_in_one(pick.statement), params).first()
    claimed_id = session.execute(_claim_guarded(pick.statement), params).scalar()
    if claimed_id is None:
        return None
    session.execute(_TRANSITION_OF_ONE, {**params, "claimed_id": claimed_id})
    return session.get(Task, claimed_id, populate_existing=True)


def _guarded(pick: Select) -> Any:
    return (
        update(_T)
        .where(_T.c.id == pick.scalar_subquery(), _T.c.status == TaskStatus.released)
        .values(_CLAIMED)
    )


@functools.cache
def _claim_in_one(pick: Select) -> Any:
    """PostgreSQL: the claim and its transition as one statement, built once per pick shape."""
    won = _guarded(pick).returning(*_T.c).cte("won")
    stmt = select(won).add_cte(_transition_of(won.c.id).cte("step"))
    return select(Task).from_statement(stmt).execution_options(populate_existing=True)


@functools.cache
def _claim_guarded(pick: Select) -> Any:
    """SQLite: the guarded claim alone, returning the id it took."""
    return _guarded(pick).returning(_T.c.id)


def claim_next(
    session: Session,
    *,
    user: User,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    zone_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    skip_locked: bool = True,
) -> list[Task]:
    """The operator's next task (and its group): their own first, else one from the pool."""
    mine = current_task(session, user_id=user.id)
    if mine is not None:
        return task_service.group_members(session, mine)
    return claim_from_pool(
        session,
        user=user,
        warehouse_id=warehouse_id,
        device_id=device_id,
        lease_seconds=lease_seconds,
        zone_ids=zone_ids,
        now=now,
        skip_locked=skip_locked,
    )


def claim_from_pool(
    session: Session,
    *,
    user: User,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    zone_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    skip_locked: bool = True,
) -> list[Task]:
    """Claim the best released task (and its group) for ``user``; [] when none is left.

    One statement on PostgreSQL, nearest-first included (``pool_head`` and
    ``claim``): rows other claimers hold are skipped, not waited for.
    ``skip_locked=False`` is the textbook claim (the benchmark's baseline): a
    waiting ``SELECT ... FOR UPDATE`` of the head as its own statement, then
    the same claim of that row.
    """
    now = now or utcnow()
    head = pool_head(user, warehouse_id, zone_ids, skip_locked=skip_locked)
    if not skip_locked:
        # Whoever waited for a row taken meanwhile reads on to the next (PostgreSQL
        # re-checks a row it waited for), so None means the pool is empty.
        task_id = session.scalar(head.statement, head.params)
        if task_id is None:
            return []
        head = by_id(task_id)
    won = claim(
        session, head, user_id=user.id, device_id=device_id, lease_seconds=lease_seconds, now=now
    )
    if won is None:
        return []
    return take_group(session, won, user.id, device_id, lease_seconds, now)


def take_group(
    session: Session,
    lead: Task,
    user_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime,
) -> list[Task]:
    """The claimed ``lead`` and the rest of its group, now the operator's; every one announced."""
    members = task_service.group_members(session, lead)
    for task in members:
        if task.id != lead.id and task.status is TaskStatus.released:
            task.move_to(
                TaskStatus.assigned,
                actor_id=user_id,
                device_id=device_id,
                reason="claimed with group",
                to_user_id=user_id,
            )
            task.assignee_id, task.device_id, task.assigned_at = user_id, device_id, now
            task.lease_expires_at = now + timedelta(seconds=lease_seconds)
    for task in members:
        task_service.announce(session, task)
    return [t for t in members if t.assignee_id == user_id]


def assign_by_rule(
    session: Session,
    *,
    task_id: int,
    lease_seconds: int,
    actor_id: int | None = None,
    rule: RuleAssignment = RuleAssignment(),
) -> int | None:
    """Push a task to the best online operator by the rule; returns who got it, or None."""
    task = task_service.get_task(session, task_id)
    place = session.get(Location, task.from_location_id) if task.from_location_id else None
    cand = TaskCandidate(
        task.id,
        task.priority,
        task.due_at,
        _point(place.aisle_index, place.x) if place else None,
        task.zone_id,
        task.required_skill,
    )
    chosen = rule.choose(cand, _online_operators(session, task.warehouse_id))
    if chosen is None:
        return None
    task_service.assign(
        session,
        task_id=task.id,
        user_id=chosen.user_id,
        actor_id=actor_id,
        lease_seconds=lease_seconds,
        reason="assigned by rule",
    )
    return chosen.user_id


def _online_operators(session: Session, warehouse_id: int) -> list[OperatorCandidate]:
    open_tasks = (
        select(Task.assignee_id, func.count().label("n"))
        .where(Task.status.in_(OWNED))
        .group_by(Task.assignee_id)
        .subquery()
    )
    rows = session.execute(
        select(
            User,
            func.coalesce(open_tasks.c.n, 0),
            Location.aisle_index,
            Location.x,
            Location.zone_id,
        )
        .join(OperatorPresence, OperatorPresence.user_id == User.id)
        .outerjoin(open_tasks, open_tasks.c.assignee_id == User.id)
        .outerjoin(Location, Location.id == OperatorPresence.last_location_id)
        .where(
            OperatorPresence.online.is_(True),
            OperatorPresence.warehouse_id == warehouse_id,
            User.active.is_(True),
        )
    ).all()
    return [
        OperatorCandidate(user.id, frozenset(user.skills or ()), int(n), _point(aisle, x), zone)
        for user, n, aisle, x, zone in rows
    ]


def sweep(
    session: Session, *, disconnect_grace_seconds: int, now: datetime | None = None
) -> list[int]:
    """Return to the pool every task whose lease ran out or whose operator is gone."""
    now = now or utcnow()
    expired = select(Task).where(Task.status.in_(OWNED), Task.lease_expires_at < now)
    returned = _return_all(session, expired, "lease_expired")
    cutoff = now - timedelta(seconds=disconnect_grace_seconds)
    gone = select(OperatorPresence.user_id).where(
        OperatorPresence.online.is_(False),
        OperatorPresence.disconnected_at < cutoff,
        or_(OperatorPresence.last_seen_at.is_(None), OperatorPresence.last_seen_at < cutoff),
    )
    orphans = select(Task).where(Task.status.in_(OWNED), Task.assignee_id.in_(gone))
    return returned + _return_all(session, orphans, "device_disconnected")


def _return_all(session: Session, stmt: Select, reason: str) -> list[int]:
    stmt = stmt.order_by(Task.id).with_for_update(skip_locked=True)
    found = list(session.scalars(stmt.execution_options(populate_existing=True)))
    for task in found:
        task_service.return_to_pool(session, task, actor_id=None, reason=reason)
    return [t.id for t in found]
