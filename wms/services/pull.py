"""A terminal's "next task": the whole of its one transaction, as the PDA shows it.

The operator's own task first, else a claim from the pool (``claims``); the
operator is marked present; the tasks come back with their codes and names.
On PostgreSQL the usual case is one plain-SQL statement (``_next_task_pg``);
the portable path in ``claims`` is held to the same order by a test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from wms.model import Task, TaskStatus, TaskType, User, utcnow
from wms.queries import tasks as task_queries
from wms.services import pgraw, presence
from wms.services import tasks as task_service
from wms.services.claims import claim_next, take_group
from wms.strategies.assignment import AISLE_PITCH


def next_task(
    session: Session,
    *,
    user: User,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime | None = None,
    skip_locked: bool = True,
) -> list[dict[str, Any]]:
    """A terminal's "next task", the whole of its one transaction, as the PDA shows it.

    The operator's own task first, else a claim from the pool (``claim_next``);
    the operator is marked present; the tasks come back with their codes and
    names. Whatever row the claim took stays locked until the caller commits,
    so this is all the work a claimed row waits for.

    On PostgreSQL the usual case (the operator holds nothing, the task is not
    part of a group) is one statement (``_next_task_pg``).
    ``skip_locked=False`` is the textbook claim, the benchmark's baseline: a
    waiting ``SELECT ... FOR UPDATE`` of the head, then the same claim.
    """
    now = now or utcnow()
    raw = pgraw.cursor(session)
    row = _PORTABLE
    if raw is not None:
        row = _next_task_pg(
            raw, user, warehouse_id, device_id, lease_seconds, now, skip_locked=skip_locked
        )
    if row is None:
        return []
    if row is _PORTABLE:
        tasks = claim_next(
            session,
            user=user,
            warehouse_id=warehouse_id,
            device_id=device_id,
            lease_seconds=lease_seconds,
            now=now,
            skip_locked=skip_locked,
        )
        if raw is None:  # PostgreSQL's statement has marked the operator present already
            presence.seen(
                session, user_id=user.id, device_id=device_id, warehouse_id=warehouse_id, now=now
            )
    elif row["group_id"] is not None:
        lead = session.get(Task, row["id"], populate_existing=True)
        assert lead is not None
        tasks = take_group(session, lead, user.id, device_id, lease_seconds, now)
    else:
        described, names = _described_pg(row)
        task_service.announce_described(session, described)
        return [{**described, **names}]
    return task_queries.enrich(session, tasks)


#: Take the portable path: on SQLite, or (``_next_task_pg``'s answer) when the operator
#: already holds a task, which comes first and was not claimed now.
_PORTABLE: Any = object()

#: The operator's place, for "nearest": their last scanned location (``_distance`` in SQL).
_PG_HERE = (
    "(SELECT h.{column} FROM location h JOIN operator_presence p ON p.last_location_id = h.id"
    " WHERE p.user_id = %(me)s)"
)
#: The pool head by ``pool_head``'s order, unless the operator holds a task (``mine``).
_PG_HEAD = f"""
SELECT t.id FROM task t LEFT JOIN location l ON l.id = t.from_location_id
 WHERE NOT EXISTS (SELECT 1 FROM mine)
   AND t.warehouse_id = %(wh)s AND t.status = 'released'
   AND (t.group_id IS NULL OR t.group_lead)
   AND (t.required_skill IS NULL OR t.required_skill = ANY(%(skills)s::varchar[]))
 ORDER BY t.priority DESC, t.due_at ASC NULLS LAST,
   abs(l.aisle_index - {_PG_HERE.format(column="aisle_index")}) * %(pitch)s
     + abs(coalesce(l.x, 0) - coalesce({_PG_HERE.format(column="x")}, 0)) ASC NULLS LAST,
   t.id
 LIMIT 1 FOR UPDATE OF t {{skip}}"""
_PG_MINE = """mine AS (SELECT 1 FROM task WHERE assignee_id = %(me)s
                        AND status IN ('assigned', 'in_progress') LIMIT 1)"""
#: Claim, transition, presence and what the PDA shows, in one statement.
_PG_NEXT = f"""
WITH {_PG_MINE},
won AS (
  UPDATE task SET status = 'assigned', assignee_id = %(me)s, device_id = %(device)s,
         assigned_at = %(now)s, lease_expires_at = %(until)s, updated_at = %(now)s
   WHERE task.id = ({{pick}}) AND task.status = 'released'
  RETURNING task.*),
step AS (
  INSERT INTO task_transition (task_id, at, from_status, to_status, actor_id, device_id,
                               reason, to_user_id)
  SELECT won.id, %(now)s, 'released', 'assigned', %(me)s, %(device)s, 'claimed', %(me)s
    FROM won),
seen AS (
  INSERT INTO operator_presence (user_id, device_id, warehouse_id, online, connections,
                                 last_seen_at, created_at, updated_at)
  VALUES (%(me)s, %(device)s, %(wh)s, false, 0, %(now)s, %(now)s, %(now)s)
  ON CONFLICT (user_id) DO UPDATE SET
    last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at,
    device_id = coalesce(excluded.device_id, operator_presence.device_id),
    warehouse_id = coalesce(excluded.warehouse_id, operator_presence.warehouse_id))
SELECT EXISTS (SELECT 1 FROM mine) AS holds, won.*,
       fl.code AS from_location, tl.code AS to_location, i.sku, i.name AS item_name,
       z.code AS zone, u.display_name AS assignee
  FROM (SELECT 1) AS one
  LEFT JOIN won ON true
  LEFT JOIN location fl ON fl.id = won.from_location_id
  LEFT JOIN location tl ON tl.id = won.to_location_id
  LEFT JOIN item i ON i.id = won.item_id
  LEFT JOIN zone z ON z.id = won.zone_id
  LEFT JOIN app_user u ON u.id = won.assignee_id"""
_PG_NEXT_SKIPPING = _PG_NEXT.format(pick=_PG_HEAD.format(skip="SKIP LOCKED"))
_PG_NEXT_OF_ONE = _PG_NEXT.format(pick="%(task_id)s")
_PG_TEXTBOOK_HEAD = f"WITH {_PG_MINE} {_PG_HEAD.format(skip='')}"


def _next_task_pg(
    raw: Any,
    user: User,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime,
    *,
    skip_locked: bool,
) -> Any:
    """PostgreSQL: claim the head of the pool for ``user`` and read what the PDA shows.

    The row (a dict), None when the pool has nothing for them, or
    ``_PORTABLE`` when they already hold a task (then nothing was claimed). The presence
    upsert is part of the statement in every case.
    """
    params: dict[str, Any] = {
        "me": user.id,
        "wh": warehouse_id,
        "skills": list(user.skills or []),
        "pitch": AISLE_PITCH,
        "device": device_id,
        "now": now,
        "until": now + timedelta(seconds=lease_seconds),
    }
    sql = _PG_NEXT_SKIPPING
    if not skip_locked:
        head = pgraw.execute(raw, _PG_TEXTBOOK_HEAD, params).fetchone()
        params["task_id"] = head[0] if head else None
        sql = _PG_NEXT_OF_ONE
    cur = pgraw.execute(raw, sql, params)
    names = [c.name for c in cur.description]
    row = dict(zip(names, cur.fetchone(), strict=True))
    if row["holds"]:
        return _PORTABLE
    return row if row["id"] is not None else None


_NAMES = ("from_location", "to_location", "sku", "item_name", "zone", "assignee")


def _described_pg(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claimed row as ``describe`` gives it, and the names ``enrich`` adds."""
    for key in ("due_at", "lease_expires_at", "created_at", "updated_at"):
        if row[key] is not None:
            row[key] = row[key].astimezone(UTC)
    described = task_queries.describe_values(
        {**row, "type": TaskType(row["type"]), "status": TaskStatus(row["status"])}
    )
    return described, {key: row[key] for key in _NAMES}
