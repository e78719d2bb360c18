"""The supervisor's live task board: the page, its JSON, and the actions on tasks.

Everything is scoped to the console session's warehouse; a task of
another warehouse reads as missing. Writes are POSTs with the CSRF header,
each one transaction; the page refreshes itself from ``task.changed`` and
``presence.changed`` pushed on /console.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, ValidationFailed, WmsError
from wms.messages import CATALOG, translate
from wms.model import OWNED, OperatorPresence, Role, Task, TaskStatus, User, Warehouse
from wms.queries import tasks as task_queries
from wms.services import claims
from wms.services import tasks as task_service
from wms.services.tasks import TaskNotFound
from wms.web.auth import current_user, login_required
from wms.web.context import read_session, transaction, wms
from wms.web.errors import problem

bp = Blueprint("board", __name__)
supervisor = login_required(kind="console", role=Role.supervisor, login_endpoint="console.login")


def _warehouse_id() -> int:
    warehouse_id = session.get("warehouse_id")
    if warehouse_id is None:
        raise ValidationFailed([FieldError("warehouse", "choose a warehouse first")])
    return int(warehouse_id)


def _actor_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _locale() -> str:
    return session.get("locale") or "zh_CN"


def _own_task(s: Session, task_id: int) -> Task:
    task = s.get(Task, task_id)
    if task is None or task.warehouse_id != _warehouse_id():
        raise TaskNotFound(f"no task {task_id}", task=task_id)
    return task


def _arg_int(name: str) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise ValidationFailed([FieldError(name, "a whole number is required")])
    return int(raw)


def _filter() -> task_queries.BoardFilter:
    statuses = tuple(x for x in request.args.get("status", "").split(",") if x)
    unknown = [x for x in statuses if x not in TaskStatus.__members__]
    if unknown:
        raise ValidationFailed([FieldError("status", f"unknown status {', '.join(unknown)}")])
    return task_queries.BoardFilter(
        warehouse_id=_warehouse_id(), statuses=statuses, zone_id=_arg_int("zone"),
        assignee_id=_arg_int("operator"), min_priority=_arg_int("priority"),
        older_than_minutes=_arg_int("age"), page=max(1, _arg_int("page") or 1),
        per_page=min(200, max(1, _arg_int("per_page") or 50)),
    )


def _body_int(name: str) -> int:
    value = (request.get_json(silent=True) or {}).get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed([FieldError(name, "a whole number is required")])
    return value


@bp.get("/console/board")
@supervisor
def page() -> str:
    locale = _locale()
    texts = {code: translate(code, locale) for code in CATALOG if code.startswith("board.")}
    return render_template("console/board.html", texts=texts, locale=locale,
                           statuses=[s.value for s in TaskStatus])


@bp.get("/console/api/tasks")
@supervisor
def list_tasks() -> Response:
    return jsonify(task_queries.board(read_session(), _filter()))


@bp.get("/console/api/tasks/<int:task_id>")
@supervisor
def task_detail(task_id: int) -> Response:
    s = read_session()
    return jsonify(task_queries.detail(s, _own_task(s, task_id)))


@bp.get("/console/api/exceptions")
@supervisor
def exceptions() -> Response:
    f = task_queries.BoardFilter(warehouse_id=_warehouse_id(), statuses=("exception",),
                                 per_page=200)
    return jsonify(task_queries.board(read_session(), f))


@bp.get("/console/api/presence")
@supervisor
def presence_list() -> Response:
    s, warehouse_id = read_session(), _warehouse_id()
    warehouse = s.get(Warehouse, warehouse_id)
    people = list(s.scalars(select(User).where(User.active.is_(True),
                                               User.warehouses.contains(warehouse))
                            .order_by(User.display_name)))
    seen = {p.user_id: p for p in s.scalars(select(OperatorPresence))}
    return jsonify({"operators": [_person(s, u, seen.get(u.id)) for u in people]})


def _person(s: Session, user: User, p: OperatorPresence | None) -> dict[str, Any]:
    current = claims.current_task(s, user_id=user.id)
    open_count = len(list(s.scalars(select(Task.id).where(Task.assignee_id == user.id,
                                                          Task.status.in_(OWNED)))))
    return {
        "user_id": user.id, "name": user.display_name, "role": user.role.value,
        "skills": list(user.skills or []), "online": bool(p and p.online),
        "device_id": p.device_id if p else None,
        "last_seen_at": p.last_seen_at.isoformat() if p and p.last_seen_at else None,
        "current_task_id": current.id if current else None, "open_tasks": open_count,
    }


def _act(task_id: int, apply: Any) -> Response:
    with transaction() as s:
        _own_task(s, task_id)
        apply(s)
        task = task_service.get_task(s, task_id, lock=False)
        return jsonify(task_queries.detail(s, task))


@bp.post("/console/api/tasks/<int:task_id>/assign")
@bp.post("/console/api/tasks/<int:task_id>/reassign")
@supervisor
def assign(task_id: int) -> Response:
    user_id = _body_int("user_id")
    reason = "reassigned" if request.path.endswith("/reassign") else "assigned by supervisor"
    return _act(task_id, lambda s: task_service.assign(
        s, task_id=task_id, user_id=user_id, actor_id=_actor_id(),
        lease_seconds=wms().settings.tasks.lease_seconds, reason=reason))


MAX_SELECTED = 200


@bp.post("/console/api/tasks/assign")
@supervisor
def assign_selected() -> Response:
    """Assign the tasks ticked on the board to one operator: all of them, or none."""
    raw = (request.get_json(silent=True) or {}).get("task_ids")
    if (not isinstance(raw, list) or not raw or len(raw) > MAX_SELECTED
            or any(isinstance(x, bool) or not isinstance(x, int) for x in raw)):
        raise ValidationFailed([FieldError(
            "task_ids", f"a list of 1 to {MAX_SELECTED} task numbers is required")])
    user_id = _body_int("user_id")
    task_ids = list(dict.fromkeys(raw))
    with transaction() as s:
        for task_id in task_ids:
            task = _own_task(s, task_id)
            if task.status == TaskStatus.assigned and task.assignee_id == user_id:
                continue  # ticked twice, or a group member already given along with another
            task_service.assign(
                s, task_id=task_id, user_id=user_id, actor_id=_actor_id(),
                lease_seconds=wms().settings.tasks.lease_seconds,
                reason="reassigned" if task.is_owned else "assigned by supervisor")
        details = [task_queries.detail(s, task_service.get_task(s, t, lock=False))
                   for t in task_ids]
    return jsonify({"tasks": details})


@bp.post("/console/api/tasks/<int:task_id>/reprioritise")
@supervisor
def reprioritise(task_id: int) -> Response:
    priority = _body_int("priority")
    return _act(task_id, lambda s: task_service.reprioritise(
        s, task_id=task_id, priority=priority, actor_id=_actor_id()))


@bp.post("/console/api/tasks/<int:task_id>/split")
@supervisor
def split(task_id: int) -> Response:
    raw = (request.get_json(silent=True) or {}).get("qty")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise ValidationFailed([FieldError("qty", "a quantity is required")])
    return _act(task_id, lambda s: task_service.split(
        s, task_id=task_id, qty=Decimal(str(raw)), actor_id=_actor_id()))


@bp.post("/console/api/tasks/<int:task_id>/cancel")
@supervisor
def cancel(task_id: int) -> Response:
    reason = str((request.get_json(silent=True) or {}).get("reason") or "cancelled")[:200]
    return _act(task_id, lambda s: task_service.cancel(
        s, task_id=task_id, actor_id=_actor_id(), reason=reason))


@bp.post("/console/api/tasks/<int:task_id>/release")
@supervisor
def release(task_id: int) -> Response:
    """Into the pool: a created task, one back from an exception, or an owned one taken back."""

    def apply(s: Session) -> None:
        task = task_service.get_task(s, task_id)
        if task.is_owned:
            task_service.return_to_pool(s, task, actor_id=_actor_id(), reason="taken back")
        else:
            task_service.release(s, task_id=task_id, actor_id=_actor_id())
        settings = wms().settings.tasks
        if settings.assignment == "push":
            claims.assign_by_rule(s, task_id=task_id, lease_seconds=settings.lease_seconds,
                                  actor_id=_actor_id())

    return _act(task_id, apply)


@bp.errorhandler(WmsError)
def _refused(exc: WmsError) -> Response:
    return problem(exc.http_status, exc.title, exc.detail, code=exc.code,
                   message={"code": exc.code, "level": "error",
                            "text": translate(exc.code, _locale(), **exc.params)})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
