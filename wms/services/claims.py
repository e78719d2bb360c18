"""Who does which task: pull claims ("next task"), rule-based push, and the lease sweep.

A claim is a lease: ``lease_expires_at`` runs from the last touch, and a
task whose lease ran out, or whose operator's device disconnected and did
not come back within the grace period, goes back to the pool.

One owner per task (invariant 7): on PostgreSQL the chosen candidate is
locked ``FOR UPDATE SKIP LOCKED``, so concurrent claimers walk past each
other's rows instead of queueing on the same one. SQLite silently drops FOR UPDATE;
there every transaction is ``BEGIN IMMEDIATE`` (one writer at a time). On
both, the claim itself is a guarded ``UPDATE ... WHERE status = 'released'
RETURNING id``: a row somebody else took in between is simply not won.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.orm import Session

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
    NextTaskOrder,
    OperatorCandidate,
    Point,
    RuleAssignment,
    TaskCandidate,
)

#: Candidates read per round; the nearest of them wins ties of priority and due time.
CANDIDATES = 16
#: Rounds of candidates tried before a claimer concludes the pool is empty for them.
ROUNDS = 4


def _point(aisle: int | None, x: Decimal | None) -> Point | None:
    return None if aisle is None else Point(aisle, x or Decimal(0))


def operator_point(session: Session, user_id: int) -> Point | None:
    """Where the operator last scanned a location, for "nearest"."""
    row = session.execute(
        select(Location.aisle_index, Location.x)
        .join(OperatorPresence, OperatorPresence.last_location_id == Location.id)
        .where(OperatorPresence.user_id == user_id)
    ).first()
    return _point(row[0], row[1]) if row else None


def current_task(session: Session, *, user_id: int) -> Task | None:
    """The operator's own next task: one in progress first, then the most urgent assigned."""
    stmt = (
        select(Task).where(Task.assignee_id == user_id, Task.status.in_(OWNED))
        .order_by(case((Task.status == TaskStatus.in_progress, 0), else_=1),
                  Task.priority.desc(), Task.due_at.asc().nullslast(), Task.route_seq, Task.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def _pool(user: User, warehouse_id: int, zone_ids: Iterable[int] | None) -> Select:
    skills = list(user.skills or [])
    stmt = (
        select(Task.id, Task.priority, Task.due_at, Task.zone_id, Task.required_skill,
               Location.aisle_index, Location.x)
        .outerjoin(Location, Location.id == Task.from_location_id)
        .where(Task.warehouse_id == warehouse_id, Task.status == TaskStatus.released,
               or_(Task.group_id.is_(None), Task.group_lead.is_(True)),
               or_(Task.required_skill.is_(None), Task.required_skill.in_(skills)))
        .order_by(Task.priority.desc(), Task.due_at.asc().nullslast(), Task.id)
    )
    if zone_ids is not None:
        stmt = stmt.where(Task.zone_id.in_(list(zone_ids)))
    return stmt


def _guarded_claim(session: Session, task_id: int, user_id: int, device_id: str | None,
                   now: datetime, lease_seconds: int) -> bool:
    won = session.execute(
        update(Task)
        .where(Task.id == task_id, Task.status == TaskStatus.released)
        .values(status=TaskStatus.assigned, assignee_id=user_id, device_id=device_id,
                assigned_at=now, lease_expires_at=now + timedelta(seconds=lease_seconds),
                updated_at=now)
        .returning(Task.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if won is None:
        return False
    session.add(TaskTransition(task_id=task_id, at=now, from_status=TaskStatus.released,
                               to_status=TaskStatus.assigned, actor_id=user_id,
                               device_id=device_id, reason="claimed", to_user_id=user_id))
    return True


def claim_next(
    session: Session, *, user: User, warehouse_id: int, device_id: str | None,
    lease_seconds: int, zone_ids: Iterable[int] | None = None, now: datetime | None = None,
    order: NextTaskOrder = NextTaskOrder(),
) -> list[Task]:
    """The operator's next task (with its group): their own first, else one claimed from the pool.

    Candidates are read without locks and ranked by the strategy; then each
    in turn is locked alone with ``SKIP LOCKED`` and claimed by the guarded
    update. Locking only the row being claimed keeps thirty simultaneous
    claimers from hiding the whole head of the pool from one another.
    """
    mine = current_task(session, user_id=user.id)
    if mine is not None:
        return task_service.group_members(session, mine)
    now = now or utcnow()
    here = operator_point(session, user.id)
    tried: set[int] = set()
    for _ in range(ROUNDS):
        stmt = _pool(user, warehouse_id, zone_ids)
        if tried:
            stmt = stmt.where(Task.id.not_in(tried))
        rows = session.execute(stmt.limit(CANDIDATES)).all()
        if not rows:
            return []
        cands = [TaskCandidate(r[0], r[1], r[2], _point(r[5], r[6]), r[3], r[4]) for r in rows]
        for cand in order.choose(cands, here):
            tried.add(cand.task_id)
            if _lock_if_free(session, cand.task_id) and _guarded_claim(
                session, cand.task_id, user.id, device_id, now, lease_seconds
            ):
                return _take_group(session, cand.task_id, user.id, device_id, lease_seconds, now)
    return []


def _lock_if_free(session: Session, task_id: int) -> bool:
    """Lock one released task unless another claimer holds it (PostgreSQL; a no-op on SQLite)."""
    stmt = (
        select(Task.id).where(Task.id == task_id, Task.status == TaskStatus.released)
        .with_for_update(skip_locked=True)
    )
    return session.execute(stmt).scalar() is not None


def _take_group(session: Session, task_id: int, user_id: int, device_id: str | None,
                lease_seconds: int, now: datetime) -> list[Task]:
    lead = task_service.get_task(session, task_id)
    members = task_service.group_members(session, lead)
    for task in members:
        if task.id != lead.id and task.status is TaskStatus.released:
            task.move_to(TaskStatus.assigned, actor_id=user_id, device_id=device_id,
                         reason="claimed with group", to_user_id=user_id)
            task.assignee_id, task.device_id, task.assigned_at = user_id, device_id, now
            task.lease_expires_at = now + timedelta(seconds=lease_seconds)
    for task in members:
        task_service.announce(session, task)
    return [t for t in members if t.assignee_id == user_id]


def assign_by_rule(
    session: Session, *, task_id: int, lease_seconds: int, actor_id: int | None = None,
    rule: RuleAssignment = RuleAssignment(),
) -> int | None:
    """Push a task to the best online operator by the rule; returns who got it, or None."""
    task = task_service.get_task(session, task_id)
    place = session.get(Location, task.from_location_id) if task.from_location_id else None
    cand = TaskCandidate(task.id, task.priority, task.due_at,
                         _point(place.aisle_index, place.x) if place else None,
                         task.zone_id, task.required_skill)
    chosen = rule.choose(cand, _online_operators(session, task.warehouse_id))
    if chosen is None:
        return None
    task_service.assign(session, task_id=task.id, user_id=chosen.user_id, actor_id=actor_id,
                        lease_seconds=lease_seconds, reason="assigned by rule")
    return chosen.user_id


def _online_operators(session: Session, warehouse_id: int) -> list[OperatorCandidate]:
    open_tasks = (
        select(Task.assignee_id, func.count().label("n"))
        .where(Task.status.in_(OWNED)).group_by(Task.assignee_id).subquery()
    )
    rows = session.execute(
        select(User, func.coalesce(open_tasks.c.n, 0), Location.aisle_index, Location.x,
               Location.zone_id)
        .join(OperatorPresence, OperatorPresence.user_id == User.id)
        .outerjoin(open_tasks, open_tasks.c.assignee_id == User.id)
        .outerjoin(Location, Location.id == OperatorPresence.last_location_id)
        .where(OperatorPresence.online.is_(True), OperatorPresence.warehouse_id == warehouse_id,
               User.active.is_(True))
    ).all()
    return [
        OperatorCandidate(user.id, frozenset(user.skills or ()), int(n), _point(aisle, x), zone)
        for user, n, aisle, x, zone in rows
    ]


def sweep(session: Session, *, disconnect_grace_seconds: int,
          now: datetime | None = None) -> list[int]:
    """Return to the pool every task whose lease ran out or whose operator is gone."""
    now = now or utcnow()
    expired = select(Task).where(Task.status.in_(OWNED), Task.lease_expires_at < now)
    returned = _return_all(session, expired, "lease_expired")
    cutoff = now - timedelta(seconds=disconnect_grace_seconds)
    gone = select(OperatorPresence.user_id).where(
        OperatorPresence.online.is_(False), OperatorPresence.disconnected_at < cutoff,
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
