"""A terminal's "next task": the whole of its one transaction, as the PDA shows it.

The operator's own task first, else a claim from the pool (``claims``); the
operator is marked present; the tasks come back with their codes and names.
On PostgreSQL the usual case is one plain-SQL statement (``_next_task_pg``),
which a terminal's request runs as its own transaction
(``next_task_request``); the portable path in ``claims`` is held to the same
order by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from wms import events
from wms.db import OneStatement
from wms.errors import NotSignedIn
from wms.model import Task, TaskStatus, TaskType, User, utcnow
from wms.queries import tasks as task_queries
from wms.services import pgraw, presence
from wms.services import tasks as task_service
from wms.services.claims import claim_next, take_group
from wms.strategies.assignment import AISLE_PITCH


def next_task_request(
    one_statement: Callable[[], AbstractContextManager[OneStatement | None]],
    transaction: Callable[[], AbstractContextManager[Session]],
    *,
    user: int,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    skip_locked: bool = True,
) -> list[dict[str, Any]]:
    """A terminal's "next task" as its request runs it, for the signed-in user's id.

    On PostgreSQL the usual case is one statement that is its own transaction
    (the entrypoint's ``one_statement()``, see ``claim_in_one_statement``);
    when the operator's case needs more, or on SQLite, or for the textbook
    claim (``skip_locked=False``), ``next_task`` in the entrypoint's
    ``transaction()``. ``NotSignedIn`` when that user is gone or inactive.
    """
    ask = {"warehouse_id": warehouse_id, "device_id": device_id, "lease_seconds": lease_seconds}
    if skip_locked:
        with one_statement() as one:
            found = None if one is None else claim_in_one_statement(one, user_id=user, **ask)
        if found is not None:
            return found
    with transaction() as s:
        return next_task(s, user=user, skip_locked=skip_locked, **ask)


def claim_in_one_statement(
    one: OneStatement,
    *,
    user_id: int,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime | None = None,
) -> list[dict[str, Any]] | None:
    """``next_task``'s usual case on PostgreSQL as one statement that commits as it ends.

    The claim, its transition, the operator's presence and what the PDA shows
    (``_next_task_pg``); the console's event goes to ``one.events``. None,
    having claimed nothing, when the case takes more than the one statement:
    the operator holds a task already, or the head of the pool leads a group
    (its members are taken with it, in a transaction). Presence is stamped in
    every case.
    """
    now = now or utcnow()
    row = _next_task_pg(
        one.cursor,
        user_id,
        warehouse_id,
        device_id,
        lease_seconds,
        now,
        skip_locked=True,
        alone=True,
    )
    if row is _PORTABLE:
        return None
    if row is None:
        return []
    described, names = _described_pg(row)
    one.events.extend(task_service.announcements(described))
    return [{**described, **names}]


def next_task(
    session: Session,
    *,
    user: User | int,
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
    so this is all the work a claimed row waits for. ``user`` may be the
    signed-in user's id: that user is read in the same work, and ``NotSignedIn``
    raised if they are gone or inactive.

    On PostgreSQL the usual case (the operator holds nothing, the task is not
    part of a group) is one statement (``_next_task_pg``).
    ``skip_locked=False`` is the textbook claim, the benchmark's baseline: a
    waiting ``SELECT ... FOR UPDATE`` of the head, then the same claim.
    """
    now = now or utcnow()
    user_id = user if isinstance(user, int) else user.id
    raw = pgraw.cursor(session)
    row = _PORTABLE
    if raw is not None:
        row = _next_task_pg(
            raw, user_id, warehouse_id, device_id, lease_seconds, now, skip_locked=skip_locked
        )
    if row is None:
        return []
    if row is _PORTABLE:
        me = user if isinstance(user, User) else _signed_in(session, user)
        tasks = claim_next(
            session,
            user=me,
            warehouse_id=warehouse_id,
            device_id=device_id,
            lease_seconds=lease_seconds,
            now=now,
            skip_locked=skip_locked,
        )
        if raw is None:  # PostgreSQL's statement has marked the operator present already
            presence.seen(
                session, user_id=me.id, device_id=device_id, warehouse_id=warehouse_id, now=now
            )
    elif row["group_id"] is not None:
        lead = session.get(Task, row["id"], populate_existing=True)
        assert lead is not None
        tasks = take_group(session, lead, user_id, device_id, lease_seconds, now)
    else:
        described, names = _described_pg(row)
        events.record_all(session, task_service.announcements(described))
        return [{**described, **names}]
    return task_queries.enrich(session, tasks)


def _signed_in(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotSignedIn(f"user {user_id} is not signed in")
    return user


#: Take the portable path: on SQLite, or (``_next_task_pg``'s answer) when the operator
#: already holds a task, which comes first and was not claimed now, or (in one statement
#: alone) the head of the pool leads a group.
_PORTABLE: Any = object()

#: Who asks: the signed-in operator, active, with their skills (everything is gated on them),
#: a task they hold already (it comes first, by the portable path), and their place for
#: "nearest": the location they last scanned (``claims._distance`` in SQL).
_PG_WHO = """me AS (SELECT skills FROM app_user WHERE id = %(me)s AND active),
mine AS (SELECT 1 FROM task WHERE assignee_id = %(me)s
          AND status IN ('assigned', 'in_progress') LIMIT 1),
here AS (SELECT h.aisle_index, h.x FROM location h
           JOIN operator_presence p ON p.last_location_id = h.id WHERE p.user_id = %(me)s)"""
_PG_POOL = """
  FROM task t {join}
 WHERE EXISTS (SELECT 1 FROM me) AND NOT EXISTS (SELECT 1 FROM mine)
   AND t.warehouse_id = %(wh)s AND t.status = 'released'
   AND (t.group_id IS NULL OR t.group_lead)
   AND (t.required_skill IS NULL OR t.required_skill IN (
        SELECT json_array_elements_text(CASE WHEN json_typeof(skills) = 'array'
                                             THEN skills ELSE '[]' END) FROM me))
   AND {where}"""
#: The pool head by ``pool_head``'s order. Where the operator has no place the distance is
#: NULL for every task, so the order is the pool index's own (priority, due time, id) and the
#: first branch reads the head straight off it; only the second sorts a (priority, due
#: time) group by distance. One branch runs: the other's condition is false from the start.
_PG_HEAD = f"""
SELECT * FROM (SELECT t.id, t.group_id {
    _PG_POOL.format(join="", where="(SELECT aisle_index FROM here) IS NULL")
}
 ORDER BY t.priority DESC, t.due_at ASC NULLS LAST, t.id
 LIMIT 1 FOR UPDATE OF t {{skip}}) AS unplaced
UNION ALL
SELECT * FROM (SELECT t.id, t.group_id {
    _PG_POOL.format(
        join="LEFT JOIN location l ON l.id = t.from_location_id",
        where="(SELECT aisle_index FROM here) IS NOT NULL",
    )
}
 ORDER BY t.priority DESC, t.due_at ASC NULLS LAST,
   abs(l.aisle_index - (SELECT aisle_index FROM here)) * %(pitch)s
     + abs(coalesce(l.x, 0) - coalesce((SELECT x FROM here), 0)) ASC NULLS LAST,
   t.id
 LIMIT 1 FOR UPDATE OF t {{skip}}) AS placed"""
#: What the claim returns of the task: what ``describe`` shows.
_RETURNED = ", ".join(f"task.{name}" for name in task_queries.DESCRIBED)
#: Claim, transition, presence and what the PDA shows, in one statement (the names by
#: key lookups: a hash join would read a small table whole on every claim). ``{alone}``: as
#: its own transaction (``claim_in_one_statement``) it leaves a group's lead to a transaction.
_PG_NEXT = f"""
WITH {_PG_WHO},
head AS ({{pick}}),
won AS (
  UPDATE task SET status = 'assigned', assignee_id = %(me)s, device_id = %(device)s,
         assigned_at = %(now)s, lease_expires_at = %(until)s, updated_at = %(now)s
    FROM head
   WHERE task.id = head.id AND task.status = 'released'{{alone}}
  RETURNING {_RETURNED}),
step AS (
  INSERT INTO task_transition (task_id, at, from_status, to_status, actor_id, device_id,
                               reason, to_user_id)
  SELECT won.id, %(now)s, 'released', 'assigned', %(me)s, %(device)s, 'claimed', %(me)s
    FROM won),
seen AS (
  INSERT INTO operator_presence (user_id, device_id, warehouse_id, online, connections,
                                 last_seen_at, created_at, updated_at)
  SELECT %(me)s, %(device)s, %(wh)s, false, 0, %(now)s, %(now)s, %(now)s FROM me
  ON CONFLICT (user_id) DO UPDATE SET
    last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at,
    device_id = coalesce(excluded.device_id, operator_presence.device_id),
    warehouse_id = coalesce(excluded.warehouse_id, operator_presence.warehouse_id))
SELECT EXISTS (SELECT 1 FROM me) AS signed_in, EXISTS (SELECT 1 FROM mine) AS holds,
       (SELECT group_id FROM head) AS head_group, won.*,
       (SELECT code FROM location WHERE id = won.from_location_id) AS from_location,
       (SELECT code FROM location WHERE id = won.to_location_id) AS to_location,
       i.sku, i.item_name,
       (SELECT code FROM zone WHERE id = won.zone_id) AS zone,
       (SELECT display_name FROM app_user WHERE id = won.assignee_id) AS assignee
  FROM (SELECT 1) AS one
  LEFT JOIN won ON true
  LEFT JOIN LATERAL (SELECT sku, name AS item_name FROM item WHERE id = won.item_id) AS i ON true"""
_PG_SKIPPING = _PG_HEAD.format(skip="SKIP LOCKED")
_PG_NEXT_SKIPPING = _PG_NEXT.format(pick=_PG_SKIPPING, alone="")
_PG_NEXT_ALONE = _PG_NEXT.format(pick=_PG_SKIPPING, alone=" AND head.group_id IS NULL")
_PG_NEXT_OF_ONE = _PG_NEXT.format(
    pick="SELECT id, group_id FROM task WHERE id = %(task_id)s", alone=""
)
_PG_TEXTBOOK_HEAD = f"WITH {_PG_WHO} {_PG_HEAD.format(skip='')}"
#: The result columns of each statement above, by its text, read once.
_COLUMNS: dict[str, list[str]] = {}


def _next_task_pg(
    raw: Any,
    user_id: int,
    warehouse_id: int,
    device_id: str | None,
    lease_seconds: int,
    now: datetime,
    *,
    skip_locked: bool,
    alone: bool = False,
) -> Any:
    """PostgreSQL: claim the head of the pool for the operator and read what the PDA shows.

    The row (a dict), None when the pool has nothing for them, or ``_PORTABLE``
    when they already hold a task and, ``alone`` (the statement is its own
    transaction), when the head of the pool leads a group (then nothing was
    claimed). The presence upsert is part of the statement in every case; an
    operator gone or inactive raises ``NotSignedIn``.
    """
    params: dict[str, Any] = {
        "me": user_id,
        "wh": warehouse_id,
        "pitch": AISLE_PITCH,
        "device": device_id,
        "now": now,
        "until": now + timedelta(seconds=lease_seconds),
    }
    sql = _PG_NEXT_ALONE if alone else _PG_NEXT_SKIPPING
    if not skip_locked:
        head = pgraw.execute(raw, _PG_TEXTBOOK_HEAD, params).fetchone()
        params["task_id"] = head[0] if head else None
        sql = _PG_NEXT_OF_ONE
    cur = pgraw.execute(raw, sql, params)
    names = _COLUMNS.get(sql)
    if names is None:  # psycopg builds a Column object per column on every ``description``
        names = _COLUMNS[sql] = [c.name for c in cur.description]
    row = dict(zip(names, cur.fetchone(), strict=True))
    if not row["signed_in"]:
        raise NotSignedIn(f"user {user_id} is not signed in")
    if row["holds"]:
        return _PORTABLE
    if row["id"] is None:
        return _PORTABLE if alone and row["head_group"] is not None else None
    return row


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
