"""The supervisor's inventory actions as console JSON: variances, replenishment, reorder.

Same rules as the task board (``wms.web.board``): a console session of a
supervisor, the session's warehouse, the CSRF header on every POST, one
transaction per request, refusals as problem+json with the catalogued
message. The console pages' scripts and the demo day call these.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotFound, ValidationFailed, WmsError
from wms.messages import translate
from wms.model import (
    Count,
    PurchaseRequisition,
    RequisitionStatus,
    Role,
    User,
    Variance,
    VarianceStatus,
    qty_str,
)
from wms.services import reorder, replenishment, variances
from wms.web.auth import current_user, login_required
from wms.web.context import read_session, transaction
from wms.web.errors import problem

bp = Blueprint("inventory_api", __name__, url_prefix="/console/api")
supervisor = login_required(kind="console", role=Role.supervisor, login_endpoint="console.login")


def _warehouse_id() -> int:
    warehouse_id = session.get("warehouse_id")
    if warehouse_id is None:
        raise ValidationFailed([FieldError("warehouse", "choose a warehouse first")])
    return int(warehouse_id)


def _me(s: Session) -> User:
    user = current_user()
    assert user is not None  # login_required ran first
    found = s.get(User, user.id)
    assert found is not None
    return found


def _reason() -> str:
    body = request.get_json(silent=True) or {}
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
        raise ValidationFailed([FieldError("reason", "a reason of 1 to 200 characters")])
    return reason.strip()


def _own_variance(s: Session, variance_id: int) -> Variance:
    variance = s.get(Variance, variance_id)
    count = s.get(Count, variance.count_id) if variance else None
    if variance is None or count is None or count.warehouse_id != _warehouse_id():
        raise NotFound(f"no variance {variance_id}")
    return variance


@bp.get("/variances")
@supervisor
def list_variances() -> Response:
    """Variances of the warehouse, by status (default ``pending``), oldest first."""
    status = request.args.get("status", VarianceStatus.pending.value)
    if status not in VarianceStatus.__members__:
        raise ValidationFailed([FieldError("status", f"unknown status {status[:32]}")])
    s = read_session()
    rows = s.scalars(
        select(Variance)
        .join(Count, Count.id == Variance.count_id)
        .where(Count.warehouse_id == _warehouse_id(), Variance.status == VarianceStatus(status))
        .order_by(Variance.id)
        .limit(200)
    )
    return jsonify({"items": [variances.describe(s, v) for v in rows]})


@bp.post("/variances/<int:variance_id>/<any(approve, reject):decision>")
@supervisor
def decide_variance(variance_id: int, decision: str) -> Response:
    reason = _reason()
    with transaction() as s:
        _own_variance(s, variance_id)
        decide = variances.approve if decision == "approve" else variances.reject
        variance = decide(s, variance_id=variance_id, user=_me(s), reason=reason)
        return jsonify(variances.describe(s, variance))


@bp.post("/replenishment/check")
@supervisor
def replenishment_check() -> Response:
    """Create the replenish tasks the pick faces need now."""
    with transaction() as s:
        tasks = replenishment.replenish(s, warehouse_id=_warehouse_id(), actor_id=_me(s).id)
        return jsonify(
            {
                "created": [
                    {"task_id": t.id, "priority": t.priority, "qty": qty_str(t.qty)} for t in tasks
                ]
            }
        )


@bp.post("/reorder/check")
@supervisor
def reorder_check() -> Response:
    """Suggest purchase requisitions for the items below their reorder point."""
    with transaction() as s:
        made = reorder.check(s, warehouse_id=_warehouse_id())
        return jsonify({"created": [reorder.describe(s, r) for r in made]})


@bp.get("/requisitions")
@supervisor
def list_requisitions() -> Response:
    status = request.args.get("status", RequisitionStatus.suggested.value)
    if status not in RequisitionStatus.__members__:
        raise ValidationFailed([FieldError("status", f"unknown status {status[:32]}")])
    s = read_session()
    rows = s.scalars(
        select(PurchaseRequisition)
        .where(
            PurchaseRequisition.warehouse_id == _warehouse_id(),
            PurchaseRequisition.status == RequisitionStatus(status),
        )
        .order_by(PurchaseRequisition.id)
        .limit(200)
    )
    return jsonify({"items": [reorder.describe(s, r) for r in rows]})


@bp.errorhandler(WmsError)
def _refused(exc: WmsError) -> Any:
    locale = session.get("locale") or "zh_CN"
    fields = (
        [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
        if isinstance(exc, ValidationFailed)
        else None
    )
    return problem(
        exc.http_status,
        exc.title,
        exc.detail,
        code=exc.code,
        errors=fields,
        message={
            "code": exc.code,
            "level": "error",
            "text": translate(exc.code, locale, **exc.params),
        },
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
