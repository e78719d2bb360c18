"""The flow runner: one transaction per scan, exactly once, only declared transitions.

A flow is a ``Flow`` subclass: a ``StrEnum`` of states, ``TRANSITIONS``,
one ``on_<state>(scan)`` handler per state and ``act_<action>()`` for
buttons, each returning a frozen ``Screen``. Its state lives in a
``FlowSession`` row, so a rebooted terminal resumes where it was.

``run_step`` (called inside the entrypoint's transaction)::

    lock flow session ──► same request id, or a step number that is not the
           │              current one? ──► return the stored screen, change nothing
           ▼
    handler ──► next state declared in TRANSITIONS? ──► save state, data, seq+1, screen
       │
       └─ WmsError ──► roll the whole transaction back (ledger lines, events and all);
                       answer the same screen with the catalogued message

A step is the only work of its transaction: a refused step rolls the
caller's transaction back (it needs no SAVEPOINT, two round trips fewer).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from wms.errors import NotFound, NotSignedIn, WmsError
from wms.flows import scans
from wms.flows.base import Flow, Message, Screen, StepContext, render
from wms.flows.scans import Scan
from wms.model import FlowSession, Role, Task, User, utcnow
from wms.services import pgraw, presence
from wms.services import tasks as task_service


class UnknownFlow(NotFound):
    code = "unknown_flow"
    title = "Unknown flow"


class FlowNotFound(NotFound):
    code = "flow_not_found"
    title = "No such flow session"


class TaskWrongFlow(WmsError):
    code = "task_wrong_flow"
    http_status = 422
    title = "The task does not belong to this flow"


def _flows() -> Mapping[str, type[Flow]]:
    from wms.flows.registry import FLOWS  # the registry imports the flows, which import us

    return FLOWS


def start_flow(
    session: Session,
    *,
    flow: str,
    user: User,
    device_id: str | None,
    warehouse_id: int,
    task_id: int | None = None,
    lease_seconds: int = 900,
    locale: str | None = None,
) -> dict[str, Any]:
    """Open a flow session (closing any other of this operator) and return its first screen."""
    cls = _flows().get(flow)
    if cls is None:
        raise UnknownFlow(f"no flow {flow!r}", flow=flow)
    task = None
    if task_id is not None:
        task = task_service.owned_task(session, task_id, user_id=user.id)
        if task.type.value not in cls.task_types:
            raise TaskWrongFlow(f"task {task_id} is a {task.type} task", task=task_id, flow=flow)
        task_service.start(
            session,
            task_id=task.id,
            user_id=user.id,
            device_id=device_id,
            lease_seconds=lease_seconds,
        )
    ctx = StepContext(
        user, device_id, warehouse_id, locale or user.locale, None, {}, task, lease_seconds
    )
    raw = pgraw.cursor(session)
    if raw is not None:
        return _start_pg(session, raw, flow, cls, ctx)
    session.execute(
        update(FlowSession)
        .where(FlowSession.user_id == user.id, FlowSession.active.is_(True))
        .values(active=False, finished_at=utcnow())
    )
    instance = cls(session, ctx)
    instance.prepare()
    fs = FlowSession(
        user_id=user.id,
        device_id=device_id,
        warehouse_id=warehouse_id,
        flow=flow,
        state=cls.initial.value,
        data=ctx.data,
        seq=1,
        task_id=task.id if task else None,
    )
    session.add(fs)
    session.flush()
    fs.last_screen = render(
        instance.screen(cls.initial.value),
        flow=cls,
        flow_session_id=fs.id,
        seq=1,
        locale=ctx.locale,
    )
    return fs.last_screen


#: PostgreSQL: close the operator's other flow sessions and open this one with its first
#: screen, in one statement; the screen gets the new id as the row does.
_PG_START = """
WITH closed AS (
  UPDATE flow_session SET active = false, finished_at = %(now)s, updated_at = %(now)s
   WHERE user_id = %(user)s AND active),
new AS (SELECT nextval(pg_get_serial_sequence('flow_session', 'id')) AS id)
INSERT INTO flow_session (id, user_id, device_id, warehouse_id, flow, state, data, seq,
                          last_screen, last_request_id, task_id, active, finished_at,
                          created_at, updated_at)
SELECT new.id, %(user)s, %(device)s, %(wh)s, %(flow)s, %(state)s, %(data)s, 1,
       jsonb_set(%(screen)s::jsonb, '{flow_session_id}', to_jsonb(new.id))::json,
       NULL, %(task)s, true, NULL, %(now)s, %(now)s
  FROM new
RETURNING id"""


def _start_pg(
    session: Session, raw: Any, flow: str, cls: type[Flow], ctx: StepContext
) -> dict[str, Any]:
    """``start_flow``'s writes as one plain-SQL statement (two ORM statements and a flush)."""
    instance = cls(session, ctx)
    instance.prepare()
    session.flush()  # the task's start, before the plain SQL (as the step's save does)
    shown = render(
        instance.screen(cls.initial.value), flow=cls, flow_session_id=0, seq=1, locale=ctx.locale
    )
    now = utcnow()
    params = {
        "now": now,
        "user": ctx.user.id,
        "device": ctx.device_id,
        "wh": ctx.warehouse_id,
        "flow": flow,
        "state": cls.initial.value,
        "data": pgraw.Json(ctx.data),
        "screen": pgraw.Json(shown),
        "task": ctx.task.id if ctx.task is not None else None,
    }
    (shown["flow_session_id"],) = pgraw.execute(raw, _PG_START, params).fetchone()
    return shown


def current_flow(session: Session, *, user_id: int) -> dict[str, Any] | None:
    """The operator's flow in progress, exactly as last shown (resume after a reboot)."""
    fs = session.scalars(
        select(FlowSession)
        .where(FlowSession.user_id == user_id, FlowSession.active.is_(True))
        .order_by(FlowSession.id.desc())
        .limit(1)
    ).first()
    return fs.last_screen if fs else None


#: The step's one read of its flow session, locked: plain columns, no entity to build.
_FS = FlowSession.__table__
_LOCK_STEP = (
    select(
        _FS.c.id,
        _FS.c.user_id,
        _FS.c.device_id,
        _FS.c.warehouse_id,
        _FS.c.flow,
        _FS.c.state,
        _FS.c.data,
        _FS.c.seq,
        _FS.c.last_screen,
        _FS.c.last_request_id,
        _FS.c.active,
        _FS.c.task_id,
    )
    .where(_FS.c.id == bindparam("flow_session_id"))
    .with_for_update()
)
#: The step's write of its flow session; the columns come with the parameters.
_SAVE_STEP = update(_FS).where(_FS.c.id == bindparam("fs_id"))


class _Locked(NamedTuple):
    """The flow session row as the step locked it (the columns of ``_LOCK_STEP``)."""

    id: int
    user_id: int
    device_id: str | None
    warehouse_id: int
    flow: str
    state: str
    #: The JSON as text on the plain-SQL path: each reader parses its own copy (``_copy``).
    data: dict[str, Any] | str
    seq: int
    #: The JSON as text on the plain-SQL path: parsed only for a repeated step (``_stored``).
    last_screen: dict[str, Any] | str
    last_request_id: str | None
    active: bool
    task_id: int | None


def _copy(data: dict[str, Any] | str) -> dict[str, Any]:
    """A private copy of the flow's data, for the handler to change."""
    return json.loads(data) if isinstance(data, str) else copy.deepcopy(data)


def _stored(screen: dict[str, Any] | str) -> dict[str, Any]:
    return json.loads(screen) if isinstance(screen, str) else screen


def _plain_user(user_id: int, role: Role, locale: str) -> User:
    """The signed-in user as the step needs it (id, role, locale): a transient object with
    those values set as loaded, never added to a session (no constructor events)."""
    user = User.__mapper__.class_manager.new_instance()
    user.__dict__.update(id=user_id, role=role, locale=locale, active=True)
    return user


#: PostgreSQL's hot path (see ``wms.services.pgraw``): the same lock as plain SQL and, when
#: the step is asked for a signed-in user by id, that user's row in the same statement.
_FS_COLUMNS = ", ".join(
    f"{name}::text AS {name}" if name in ("data", "last_screen") else name
    for name in _Locked._fields
)
_PG_LOCK_STEP = f"SELECT {_FS_COLUMNS} FROM flow_session WHERE id = %(fs)s FOR UPDATE"
_PG_LOCK_STEP_AND_USER = (
    "SELECT u.active, u.role, u.locale, fs.* FROM app_user AS u LEFT JOIN"
    f" (SELECT {_FS_COLUMNS} FROM flow_session WHERE id = %(fs)s FOR UPDATE) AS fs ON true"
    " WHERE u.id = %(user)s"
)
#: The same with the scan resolved too (``scans.interpret``, in the flow session's
#: warehouse), for a flow that interprets scans the shared way; one row per resolve row.
_PG_LOCK_STEP_USER_AND_SCAN = (
    f"SELECT u.active, u.role, u.locale, fs.*, {scans.PG_RESOLVE_COLUMNS} FROM app_user AS u"
    f" LEFT JOIN (SELECT {_FS_COLUMNS} FROM flow_session WHERE id = %(fs)s FOR UPDATE) AS fs"
    " ON true"
    + scans.pg_resolve_joins("fs.warehouse_id", guard="fs.flow IN ({shared})")
    + " WHERE u.id = %(user)s"
)
#: Where the resolve's columns start in a row of ``_PG_LOCK_STEP_USER_AND_SCAN``.
_SCAN_AT = 3 + len(_Locked._fields)
#: PostgreSQL: the save and the presence upsert (``presence.seen_statement``) as one
#: statement; ``{done}`` closes a finished flow session.
_PG_SAVE_STEP = (
    "WITH seen AS (INSERT INTO operator_presence (user_id, device_id, warehouse_id, online,"
    " connections, last_seen_at, last_location_id, created_at, updated_at)"
    " VALUES (%(seen_user_id)s, %(seen_device_id)s, %(seen_warehouse_id)s, false, 0,"
    " %(seen_at)s, %(seen_location_id)s, %(seen_at)s, %(seen_at)s)"
    " ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at,"
    " updated_at = excluded.updated_at,"
    " device_id = coalesce(excluded.device_id, operator_presence.device_id),"
    " warehouse_id = coalesce(excluded.warehouse_id, operator_presence.warehouse_id),"
    " last_location_id = coalesce(excluded.last_location_id, operator_presence.last_location_id))"
    " UPDATE flow_session SET state = %(state)s, data = %(data)s, seq = %(seq)s,"
    " last_screen = %(last_screen)s, last_request_id = %(last_request_id)s,"
    " device_id = %(device_id)s, updated_at = %(updated_at)s{done} WHERE id = %(fs_id)s"
)
_PG_SAVE = _PG_SAVE_STEP.format(done="")
_PG_SAVE_DONE = _PG_SAVE_STEP.format(done=", active = false, finished_at = %(finished_at)s")


def _lock(
    session: Session, flow_session_id: int, user: User | int, input: str | None
) -> tuple[_Locked | None, User, Scan | None]:
    """Lock the flow session; with a user id, read that user too (one statement on PG).

    A user read by id is a plain copy (``id``, ``role``, ``locale``), not a session entity.
    On PostgreSQL the same statement resolves ``input`` for a flow that interprets scans
    the shared way (``Flow.interpret``); the scan comes back, else None.
    """
    raw = pgraw.cursor(session)
    if raw is not None and isinstance(user, int):
        params: dict[str, Any] = {"fs": flow_session_id, "user": user}
        if input is None:
            rows = pgraw.begin_with(raw, _PG_LOCK_STEP_AND_USER, params).fetchall()
        else:
            params.update(scans.scan_params(input))
            rows = pgraw.begin_with(raw, _lock_and_scan_sql(), params).fetchall()
        if not rows or not rows[0][0]:
            raise NotSignedIn(f"user {user} is not signed in")
        found = rows[0]
        me = _plain_user(user, Role(found[1]), found[2])
        if found[3] is None:
            return None, me, None
        fs = _Locked._make(found[3:_SCAN_AT])
        scan = None
        if input is not None and fs.flow in _shared_interpret():
            resolved = scans.pg_resolved(session, raw, rows, _SCAN_AT)
            scan = scans.scan_of(input.strip(), resolved)
        return fs, me, scan
    if isinstance(user, int):
        row = session.execute(_USER, {"user_id": user}).one_or_none()
        if row is None or not row.active:
            raise NotSignedIn(f"user {user} is not signed in")
        user = _plain_user(user, row.role, row.locale)
    if raw is not None:
        fs = pgraw.begin_with(raw, _PG_LOCK_STEP, {"fs": flow_session_id}).fetchone()
    else:
        fs = session.execute(_LOCK_STEP, {"flow_session_id": flow_session_id}).one_or_none()
    return (_Locked._make(fs) if fs is not None else None), user, None


@functools.cache
def _shared_interpret() -> frozenset[str]:
    """The flows that interpret scans the shared way (their scan can come with the lock)."""
    return frozenset(name for name, cls in _flows().items() if cls.interpret is Flow.interpret)


@functools.cache
def _lock_and_scan_sql() -> str:
    """``_PG_LOCK_STEP_USER_AND_SCAN`` naming those flows (plain names: literals are safe)."""
    names = sorted(_shared_interpret())
    assert all(re.fullmatch(r"[a-z_]+", name) for name in names)
    return _PG_LOCK_STEP_USER_AND_SCAN.format(shared=", ".join(f"'{name}'" for name in names))


_USER_TABLE = User.__table__
_USER = select(_USER_TABLE.c.active, _USER_TABLE.c.role, _USER_TABLE.c.locale).where(
    _USER_TABLE.c.id == bindparam("user_id")
)


def run_step(
    session: Session,
    *,
    flow_session_id: int,
    seq: int,
    request_id: str | None,
    input: str | None = None,
    action: str | None = None,
    user: User | int,
    device_id: str | None,
    lease_seconds: int = 900,
    locale: str | None = None,
    weigh: Callable[[], int] | None = None,
    find_scale: Callable[[], Callable[[], int] | None] | None = None,
) -> dict[str, Any]:
    """Apply one scan or action exactly once and return the screen to show.

    ``find_scale`` looks up the station scale's reader, asked only by a flow
    that weighs (``Flow.weighs``) when no ``weigh`` is given. ``user`` may be the
    signed-in user's id: the step then reads the user with its lock (one statement on
    PostgreSQL) and raises ``NotSignedIn`` if that user is gone or inactive.
    """
    fs, user, scan = _lock(session, flow_session_id, user, None if action else input)
    if fs is None or fs.user_id != user.id:  # someone else's session reads as missing
        raise FlowNotFound(f"no flow session {flow_session_id}")
    if (request_id and request_id == fs.last_request_id) or seq != fs.seq or not fs.active:
        return _stored(fs.last_screen)
    cls = _flows()[fs.flow]
    if weigh is None and find_scale is not None and cls.weighs:
        weigh = find_scale()
    ctx = StepContext(
        user,
        device_id,
        fs.warehouse_id,
        locale or user.locale,
        request_id,
        _copy(fs.data),
        session.get(Task, fs.task_id) if fs.task_id else None,
        lease_seconds,
        weigh=weigh,
        scan=scan,
    )
    flow = cls(session, ctx)
    try:
        screen = flow.dispatch(fs.state, input, action)
        flow.check_transition(fs.state, screen.state)
    except WmsError as exc:
        return _refuse(session, cls, fs, ctx, exc)
    return _save(session, fs, ctx, screen, cls)


def _refuse(
    session: Session, cls: type[Flow], fs: _Locked, ctx: StepContext, exc: WmsError
) -> dict[str, Any]:
    """A business error: roll the whole transaction back, answer the unchanged screen.

    Nothing of the step stays (ledger lines, events, task changes, the lock);
    the flow session keeps its state, step number and stored screen. No
    SAVEPOINT is needed for that: the step is its transaction's only work.
    The unchanged screen is drawn after the rollback, in a session of its own
    (the caller's transaction is over; most screens read nothing, and then it
    never touches the database).
    """
    user = _plain_user(ctx.user.id, ctx.user.role, ctx.user.locale)  # the rollback expires
    session.rollback()
    with Session(bind=session.get_bind()) as redraw:
        task = redraw.get(Task, fs.task_id) if fs.task_id else None
        unchanged = cls(redraw, replace(ctx, user=user, data=_copy(fs.data), task=task))
        screen = replace(unchanged.screen(fs.state), message=Message(exc.code, "error", exc.params))
        return render(screen, flow=cls, flow_session_id=fs.id, seq=fs.seq, locale=ctx.locale)


def _save(
    session: Session, fs: _Locked, ctx: StepContext, screen: Screen, cls: type[Flow]
) -> dict[str, Any]:
    """Store the new state and screen; stamp the operator's presence (one statement on PG)."""
    seq = fs.seq + 1
    shown = render(screen, flow=cls, flow_session_id=fs.id, seq=seq, locale=ctx.locale)
    now = utcnow()
    values: dict[str, Any] = {
        "fs_id": fs.id,
        "state": str(screen.state),
        "data": ctx.data,
        "seq": seq,
        "last_screen": shown,
        "last_request_id": ctx.request_id,
        "device_id": ctx.device_id or fs.device_id,
        "updated_at": now,
    }
    if screen.done:
        values.update(active=False, finished_at=now)
    if ctx.task is not None and ctx.task.is_owned:
        task_service.touch(ctx.task, lease_seconds=ctx.lease_seconds)
    seen = presence.seen_params(
        user_id=ctx.user.id,
        device_id=ctx.device_id,
        warehouse_id=fs.warehouse_id,
        location_id=ctx.here_location_id,
        now=now,
    )
    raw = pgraw.cursor(session)
    if raw is not None:
        session.flush()  # the step's entity changes first, as the Core statement's autoflush did
        values.update(data=pgraw.Json(ctx.data), last_screen=pgraw.Json(shown))
        pgraw.commit_with(raw, _PG_SAVE_DONE if screen.done else _PG_SAVE, values | seen)
    else:
        session.execute(_SAVE_STEP, values)
        session.execute(presence.seen_statement("sqlite"), seen)
    return shown
