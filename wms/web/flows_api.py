"""The terminal's JSON API: my tasks, next task, flows step by step, missed pushes and acks.

Signed in as kind "terminal"; every POST carries the ``X-CSRF-Token``
header. Each view is one transaction (``with transaction()``); failures
come back as problem+json with the catalogued ``message`` translated to
the operator's language. Also starts the lease sweep worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, session
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotSignedIn, ValidationFailed, WmsError
from wms.flows import runner
from wms.messages import translate
from wms.model import User
from wms.queries import tasks as task_queries
from wms.services import claims, printing, pull, pushes
from wms.services import devices as device_service
from wms.services import tasks as task_service
from wms.web.auth import current_user, deny, login_required
from wms.web.context import read_session, statement, transaction, wms
from wms.web.errors import problem

log = logging.getLogger(__name__)

bp = Blueprint("flows_api", __name__, url_prefix="/t/api")
terminal_only = login_required(kind="terminal")


def _me(s: Session) -> User:
    """The signed-in user (loaded once per request by ``login_required``), in ``s``."""
    user = current_user()
    assert user is not None  # login_required ran first
    return s.merge(user, load=False)


def _locale() -> str:
    user = current_user()
    return session.get("locale") or (user.locale if user else "zh_CN")


def _where() -> dict[str, Any]:
    """The signed-in terminal's device and warehouse; a terminal must have a warehouse."""
    warehouse_id = session.get("warehouse_id")
    if warehouse_id is None:
        raise ValidationFailed([FieldError("warehouse", "sign in to a warehouse first")])
    return {"device_id": session.get("device_id"), "warehouse_id": warehouse_id}


def _lease() -> int:
    return wms().settings.tasks.lease_seconds


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValidationFailed([FieldError("body", "a JSON object is required")])
    return body


def _int(body: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed([FieldError(name, "an integer is required")])
    return value


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise ValidationFailed([FieldError(name, f"text of at most {limit} characters")])
    return value


@bp.get("/me/tasks")
@terminal_only
def my_tasks() -> Response:
    user = current_user()
    assert user is not None
    return jsonify({"tasks": task_queries.operator_tasks(read_session(), user_id=user.id)})


@bp.post("/tasks/next")
@login_required(kind="terminal", view_reads_user=True)
def next_task() -> Response:
    """The operator's own task, else a claim from the pool: on PostgreSQL usually one
    statement that is its own transaction, read of the signed-in user included."""
    where = _where()
    try:
        found = pull.next_task_request(
            statement,
            transaction,
            user=session["user_id"],
            warehouse_id=where["warehouse_id"],
            device_id=where["device_id"],
            lease_seconds=_lease(),
        )
    except NotSignedIn:
        return deny(401, "please sign in")
    if not found:
        return jsonify({"tasks": [], "message": _message("no_task", "info")})
    return jsonify({"tasks": found, "message": None})


@bp.post("/tasks/<int:task_id>/start")
@terminal_only
def start_task(task_id: int) -> Response:
    with transaction() as s:
        me = _me(s)
        task = task_service.start(
            s,
            task_id=task_id,
            user_id=me.id,
            device_id=session.get("device_id"),
            lease_seconds=_lease(),
        )
        return jsonify({"task": task_queries.enrich(s, [task])[0]})


@bp.post("/tasks/<int:task_id>/exception")
@terminal_only
def task_exception(task_id: int) -> Response:
    reason = _text(_body(), "reason", 64) or "exception"
    with transaction() as s:
        me = _me(s)
        task = task_service.report_exception(
            s, task_id=task_id, user_id=me.id, device_id=session.get("device_id"), reason=reason
        )
        return jsonify({"task": task_queries.enrich(s, [task])[0]})


@bp.post("/flows/start")
@terminal_only
def start_flow() -> Response:
    body = _body()
    flow = _text(body, "flow", 32) or ""
    task_id = _int(body, "task_id", required=False)
    where = _where()
    with transaction() as s:
        shown = runner.start_flow(
            s,
            flow=flow,
            user=_me(s),
            task_id=task_id,
            lease_seconds=_lease(),
            locale=_locale(),
            **where,
        )
    return jsonify(shown)


@bp.post("/flows/<int:flow_session_id>/step")
@login_required(kind="terminal", view_reads_user=True)
def step(flow_session_id: int) -> Response:
    """One scan: the signed-in user is read with the flow session's lock, not before."""
    body = _body()
    seq = _int(body, "seq")
    assert seq is not None
    request_id = _text(body, "request_id", 64)
    if not request_id:
        raise ValidationFailed([FieldError("request_id", "a request id is required")])
    try:
        with transaction() as s:
            shown = runner.run_step(
                s,
                flow_session_id=flow_session_id,
                seq=seq,
                request_id=request_id,
                input=_text(body, "input", 500),
                action=_text(body, "action", 32),
                user=session["user_id"],
                device_id=session.get("device_id"),
                lease_seconds=_lease(),
                locale=session.get("locale"),
                find_scale=lambda: _station_scale(s),
            )
    except NotSignedIn:
        return deny(401, "please sign in")
    return jsonify(shown)


def _station_scale(s: Session) -> Callable[[], int] | None:
    """Read the stable weight of the scale at this terminal's workstation, if it has one."""
    runtime = current_app.extensions.get("wms_devices")
    code = device_service.scale_for_terminal(s, session.get("device_id"))
    if runtime is None or code is None:
        return None
    return lambda: runtime.registry.scale(code).read_stable().grams


@bp.post("/workstation")
@terminal_only
def bind_workstation() -> Response:
    """The operator scanned a workstation label (``WS:<code>``): this terminal works there now.

    Labels print on the station's printers and the pack check weighs on its scale.
    """
    scanned = (_text(_body(), "scan", 80) or "").strip()
    device_id = session.get("device_id")
    if not scanned or not device_id:
        raise ValidationFailed(
            [
                FieldError(
                    "scan" if device_id else "device_id",
                    "scan a workstation label on a named terminal",
                )
            ]
        )
    with transaction() as s:
        station = printing.use_workstation(
            s, terminal=device_id, scanned=scanned, user_id=_me(s).id
        )
        return jsonify(
            {
                "workstation": station.code,
                "name": station.name,
                "scale": device_service.scale_for_terminal(s, device_id),
            }
        )


@bp.get("/flows/current")
@terminal_only
def current_flow() -> Response:
    user = current_user()
    assert user is not None
    shown = runner.current_flow(read_session(), user_id=user.id)
    if shown is None:
        return Response(status=204)
    return jsonify(shown)


@bp.get("/events")
@terminal_only
def missed_events() -> Response:
    """REST resync for networks that block WebSockets: what came after ``after``, in order."""
    user = current_user()
    assert user is not None
    after = request.args.get("after", type=int)
    s = read_session()
    found = pushes.missed(s, user_id=user.id, after=after)
    return jsonify(
        {"events": [e.envelope() for e in found], "last_seq": pushes.last_seq(s, user_id=user.id)}
    )


@bp.post("/events/ack")
@terminal_only
def ack_events() -> Response:
    body = _body()
    seqs = body.get("seqs")
    if seqs is not None and not (isinstance(seqs, list) and all(isinstance(x, int) for x in seqs)):
        raise ValidationFailed([FieldError("seqs", "a list of integers is required")])
    single = _int(body, "seq", required=False)
    with transaction() as s:
        me = _me(s)
        count = pushes.ack(
            s,
            user_id=me.id,
            seqs=(seqs or []) + ([single] if single else []),
            upto=_int(body, "upto", required=False),
        )
    return jsonify({"acked": count})


def _message(code: str, level: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "level": level, "text": translate(code, _locale(), **params)}


@bp.errorhandler(WmsError)
def _refused(exc: WmsError) -> Response:
    return problem(
        exc.http_status,
        exc.title,
        exc.detail,
        code=exc.code,
        message=_message(exc.code, "error", **exc.params),
    )


def _sweep_forever(app: Flask) -> None:
    ctx = wms(app)
    settings = ctx.settings.tasks
    pause = max(5, min(60, min(settings.lease_seconds, settings.disconnect_grace_seconds) // 4))
    while True:
        ctx.socketio.sleep(pause)
        try:
            with ctx.session_factory() as s, s.begin():
                claims.sweep(s, disconnect_grace_seconds=settings.disconnect_grace_seconds)
        except Exception:  # the sweep runs again next round; never let the worker die
            log.exception("task sweep failed")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    ctx = wms(app)
    if not ctx.settings.testing:
        ctx.workers.append(ctx.socketio.start_background_task(_sweep_forever, app))
