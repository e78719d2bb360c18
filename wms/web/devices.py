"""Supervisor pages and JSON for devices: printers, jobs, previews, test print, reprint, scales.

Register with ``init_devices(app, runtime)``. Device errors answer as
problem JSON with their stable code (503 for a device, 4xx for bad
requests), never as a 500, and never roll back business work: every
write here is its own short transaction around one service call.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.devices.preview import preview_available, render_png
from wms.errors import FieldError, ValidationFailed, WmsError
from wms.labels.templates import RenderOptions
from wms.model import Printer, PrintJob, ScaleDevice
from wms.services import printing
from wms.web.devices_i18n import strings
from wms.web.devices_runtime import DeviceRuntime

bp = Blueprint("devices", __name__, url_prefix="/devices", template_folder="templates")

SAMPLE_DATA: dict[str, dict[str, Any]] = {
    "location": {"code": "A-03-12-2", "check_digits": "47", "zone_name": "存储区 A"},
    "container": {
        "sscc": "009501101530000014",
        "item_name": "螺丝 M6x20",
        "sku": "SKU-1",
        "qty": "100",
        "uom": "each",
        "lot": "L42",
        "expiry": "2026-12-31",
    },
    "item": {
        "sku": "SKU-1",
        "name": "螺丝 M6",
        "gtin": "09501101530003",
        "lot": "LOT-42",
        "expiry": "261231",
    },
    "shipping": {
        "ship_from": {"name": "WH1 上海仓", "address": "浦东新区 1 号"},
        "ship_to": {"name": "收货部", "address": "北京市朝阳区 88 号", "phone": "13800000000"},
        "carrier": "SF",
        "order_ref": "SO-1001",
        "tracking_no": "SF1234567890",
        "weight": "1.25 kg",
    },
    "workstation": {"code": "PACK-01", "name": "Pack station 1"},
    "test": {"printer": "DEMO", "at": "2026-01-01 10:00"},
}


def init_devices(app: Flask, runtime: DeviceRuntime) -> None:
    app.extensions["wms_devices"] = runtime
    app.register_blueprint(bp)


def _runtime() -> DeviceRuntime:
    return current_app.extensions["wms_devices"]


def _read() -> Session:
    return _runtime().factory()


@bp.errorhandler(WmsError)
def _wms_error(exc: WmsError) -> tuple[Response, int]:
    body = {
        "type": exc.code,
        "code": exc.code,
        "title": exc.title,
        "detail": exc.detail,
        "params": {k: str(v) for k, v in exc.params.items()},
    }
    return jsonify(body), exc.http_status


# ------------------------------------------------------------ printers ---


def _printer_json(printer: Printer) -> dict[str, Any]:
    live = _runtime().board.get(printer.code)
    return {
        "code": printer.code,
        "name": printer.name,
        "driver": printer.driver.value,
        "dpi": printer.dpi,
        "label_kinds": printer.label_kinds,
        "enabled": printer.enabled,
        "state": live.state.value if live else printer.state,
        "detail": live.detail if live else printer.state_detail,
        "state_at": (live.at if live else printer.state_at or datetime.now(UTC)).isoformat(),
    }


@bp.get("/api/printers")
def printers_json() -> Response:
    with _read() as session:
        rows = session.scalars(select(Printer).order_by(Printer.code)).all()
        return jsonify([_printer_json(p) for p in rows])


@bp.get("/api/printers/<code>/status")
def printer_status(code: str) -> Response:
    status = _runtime().registry.printer(code).status()
    _runtime().board.update(code, status)
    return jsonify(status.as_dict())


@bp.post("/api/printers/<code>/test-print")
def test_print(code: str) -> tuple[Response, int]:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    with _runtime().factory.begin() as session:
        job = printing.queue_print_job(
            session,
            kind="test",
            data={"printer": code, "at": now},
            printer_code=code,
            requested_by_id=_runtime().current_user_id(),
            business_key=f"test:{code}",
        )
        body = _job_json(job)
    return jsonify(body), 202


# ---------------------------------------------------------------- jobs ---


def _job_json(job: PrintJob, *, events: bool = False) -> dict[str, Any]:
    body = {
        "id": job.id,
        "ref": job.ref,
        "printer": job.printer.code,
        "kind": job.label_kind,
        "state": job.state.value,
        "serialized": job.serialized,
        "copies": job.copies,
        "business_key": job.business_key,
        "attempts": job.attempts,
        "reprint_of_id": job.reprint_of_id,
        "requested_by_id": job.requested_by_id,
        "last_error": job.last_error,
        "created_at": job.created_at.isoformat(),
        "sent_at": job.sent_at.isoformat() if job.sent_at else None,
    }
    if events:
        body["events"] = [
            {"at": e.at.isoformat(), "event": e.event, "actor_id": e.actor_id, "detail": e.detail}
            for e in job.events
        ]
    return body


def _jobs(session: Session) -> list[PrintJob]:
    query = select(PrintJob).join(Printer).order_by(PrintJob.id.desc())
    if code := request.args.get("printer"):
        query = query.where(Printer.code == code)
    if state := request.args.get("state"):
        query = query.where(PrintJob.state == state)
    limit = min(int(request.args.get("limit", 100)), 500)
    return list(session.scalars(query.limit(limit)))


@bp.get("/api/jobs")
def jobs_json() -> Response:
    with _read() as session:
        return jsonify([_job_json(j) for j in _jobs(session)])


@bp.get("/api/jobs/<int:job_id>")
def job_json(job_id: int) -> Response:
    with _read() as session:
        return jsonify(_job_json(printing.get_job(session, job_id), events=True))


@bp.get("/api/jobs/<int:job_id>/preview.png")
def job_preview(job_id: int) -> Response:
    with _read() as session:
        job = printing.get_job(session, job_id)
        zpl, dpi = job.zpl, job.printer.dpi
        kind, data = job.label_kind, job.data
    try:
        png = render_png(zpl, dpi=dpi)
    except WmsError:
        # Printer-font labels cannot be previewed as sent: show them with bitmap text.
        options = RenderOptions(dpi=dpi, cjk="bitmap")
        png = render_png(printing.default_renderer().render(kind, data, options=options), dpi=dpi)
    return Response(png, mimetype="image/png")


def _user_action(job_id: int, action: str) -> tuple[Response, int]:
    payload = request.get_json(silent=True) or {}
    user_id = _runtime().current_user_id()
    with _runtime().factory.begin() as session:
        if action == "reprint":
            result = printing.reprint(
                session,
                job_id,
                user_id=user_id,
                printer_code=payload.get("printer"),
                reason=str(payload.get("reason", "")),
            )
        elif action == "resolve":
            result = printing.resolve_uncertain(
                session, job_id, user_id=user_id, printed=bool(payload.get("printed"))
            )
        else:
            result = printing.cancel(session, job_id, user_id=user_id)
        body = _job_json(result) if result is not None else {"id": job_id, "state": "sent"}
    return jsonify(body), 202 if action != "cancel" else 200


@bp.post("/api/jobs/<int:job_id>/reprint")
def reprint(job_id: int) -> tuple[Response, int]:
    return _user_action(job_id, "reprint")


@bp.post("/api/jobs/<int:job_id>/resolve")
def resolve(job_id: int) -> tuple[Response, int]:
    return _user_action(job_id, "resolve")


@bp.post("/api/jobs/<int:job_id>/cancel")
def cancel(job_id: int) -> tuple[Response, int]:
    return _user_action(job_id, "cancel")


@bp.get("/api/labels/<kind>/preview.png")
def label_preview(kind: str) -> Response:
    data = json.loads(request.args["data"]) if "data" in request.args else SAMPLE_DATA.get(kind)
    options = RenderOptions(dpi=int(request.args.get("dpi", 203)))
    zpl = printing.default_renderer().render(kind, data or {}, options=options)
    return Response(render_png(zpl, dpi=options.dpi), mimetype="image/png")


# -------------------------------------------------------------- scales ---


@bp.get("/api/scales")
def scales_json() -> Response:
    with _read() as session:
        rows = session.scalars(select(ScaleDevice).order_by(ScaleDevice.code)).all()
        return jsonify([_scale_json(s) for s in rows])


def _scale_json(scale: ScaleDevice) -> dict[str, Any]:
    live = _runtime().board.scale(scale.code)
    return {
        "code": scale.code,
        "name": scale.name,
        "driver": scale.driver.value,
        "enabled": scale.enabled,
        "state": live.state.value if live else "unknown",
        "grams": live.grams if live else None,
        "detail": live.detail if live else "",
    }


@bp.get("/api/scales/<code>/weight")
def scale_weight(code: str) -> Response:
    scale = _runtime().registry.scale(code)
    weight = scale.read() if request.args.get("stable") == "0" else scale.read_stable()
    return jsonify(
        {
            "grams": weight.grams,
            "stable": weight.stable,
            "net": weight.net,
            "tare_grams": weight.tare_grams,
        }
    )


@bp.post("/api/scales/<code>/zero")
def scale_zero(code: str) -> Response:
    _runtime().registry.scale(code).zero()
    return jsonify({"zeroed": True})


@bp.post("/api/scales/<code>/tare")
def scale_tare(code: str) -> Response:
    weight = _runtime().registry.scale(code).tare()
    return jsonify({"tare_grams": weight.tare_grams})


@bp.post("/api/scales/<code>/load")
def scale_load(code: str) -> Response:
    """Put goods of ``grams`` on a fake scale's platform (0 empties it); real scales refuse."""
    body = request.get_json(silent=True)
    grams = body.get("grams") if isinstance(body, dict) else None
    if isinstance(grams, bool) or not isinstance(grams, int) or not 0 <= grams <= 10_000_000:
        raise ValidationFailed([FieldError("grams", "whole grams from 0 to 10000000")])
    platform = _runtime().registry.fake_platform(code)
    with platform.lock:
        platform.gross_kg = Decimal(grams) / 1000
    return jsonify({"code": code, "gross_grams": grams})


# ---------------------------------------------------------------- pages ---


def _page(template: str, **context: Any) -> str:
    lang = request.args.get("lang") or request.accept_languages.best_match(["zh", "en"]) or "zh"
    return render_template(
        f"devices/{template}", t=strings(lang), lang=lang, previews=preview_available(), **context
    )


@bp.get("/")
def printers_page() -> str:
    with _read() as session:
        rows = [_printer_json(p) for p in session.scalars(select(Printer).order_by(Printer.code))]
    return _page("printers.html", printers=rows)


@bp.get("/jobs")
def jobs_page() -> str:
    with _read() as session:
        rows = [_job_json(j, events=True) for j in _jobs(session)]
    return _page("jobs.html", jobs=rows)


@bp.get("/scales")
def scales_page() -> str:
    with _read() as session:
        rows = session.scalars(select(ScaleDevice).order_by(ScaleDevice.code)).all()
        scales = [{"code": s.code, "name": s.name, "driver": s.driver.value} for s in rows]
    return _page("scales.html", scales=scales)


def init_app(app: Flask) -> None:
    """Wire devices into the app: sync config, start the spooler, push health live.

    The device pages are the supervisor's: a console sign-in with the
    supervisor role is required, and writes carry the CSRF token.
    """
    import atexit
    import logging

    from sqlalchemy.exc import DBAPIError

    from wms.model import Role
    from wms.web.auth import current_user, login_required
    from wms.web.context import wms
    from wms.web.devices_runtime import start_devices

    ctx = wms(app)
    try:
        runtime = start_devices(ctx.settings, ctx.session_factory)
    except DBAPIError:
        logging.getLogger(__name__).warning(
            "device tables missing: run `wms db upgrade`; devices start without config sync"
        )
        runtime = start_devices(ctx.settings, ctx.session_factory, sync_config=False)
    runtime.current_user_id = lambda: u.id if (u := current_user()) else None
    socketio = ctx.socketio

    def _status(code: str, status: Any) -> None:
        socketio.emit(
            "printer.status_changed", {"printer": code, **status.as_dict()}, namespace="/console"
        )

    def _attention(code: str, job_id: int, ref: str, why: str) -> None:
        socketio.emit(
            "print_job.needs_attention",
            {"printer": code, "job_id": job_id, "ref": ref, "reason": why},
            namespace="/console",
        )

    def _scale(code: str, status: Any) -> None:
        socketio.emit(
            "scale.status_changed", {"scale": code, **status.as_dict()}, namespace="/console"
        )

    runtime.board.on_status_change.append(_status)
    runtime.board.on_job_attention.append(_attention)
    runtime.board.on_scale_change.append(_scale)
    ctx.devices = runtime
    ctx.workers.append(runtime)
    atexit.register(runtime.stop)
    guard = login_required(kind="console", role=Role.supervisor, login_endpoint="console.login")

    @app.before_request
    def _devices_need_a_supervisor() -> Any:
        if request.blueprint == "devices":
            return guard(lambda: None)()
        return None

    init_devices(app, runtime)
