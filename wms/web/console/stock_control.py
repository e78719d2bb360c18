"""Stock control at the console: purchase requisitions (采购需求), pick-face min/max, checks.

The replenishment and reorder checks also run on their own (``wms.web.scheduler``);
"check now" runs the same job under the same lock, and the page shows what
the last run, scheduled or not, did.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from wms.errors import FieldError
from wms.model import (
    Item,
    Location,
    PickFaceSetting,
    PurchaseRequisition,
    RequisitionStatus,
    qty_str,
)
from wms.queries import inventory as reads
from wms.services import reorder, replenishment, scheduler
from wms.web.console.common import Form, actor, attempt, console_page, me, working_warehouse
from wms.web.context import read_session, wms
from wms.web.scheduler import intervals

STATUSES = tuple(RequisitionStatus)


@console_page
def requisition_list() -> Any:
    warehouse = working_warehouse()
    wanted = request.args.get("status", RequisitionStatus.suggested.value)
    status = (
        RequisitionStatus(wanted)
        if wanted in RequisitionStatus.__members__
        else RequisitionStatus.suggested
    )
    s = read_session()
    page = reads.requisition_page(
        s,
        warehouse_id=warehouse.id,
        status=status,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template(
        "console/inventory/requisitions.html",
        warehouse=warehouse,
        page=page,
        status=status,
        statuses=STATUSES,
        shortfalls=reorder.shortfalls(s, warehouse_id=warehouse.id),
        jobs=reads.scheduled_jobs(s, warehouse_id=warehouse.id),
    )


@console_page
def requisition_action(requisition_id: int, action: str) -> Any:
    warehouse = working_warehouse()

    def work(db: Any) -> PurchaseRequisition:
        req = db.get(PurchaseRequisition, requisition_id)
        if req is None or req.warehouse_id != warehouse.id:
            abort(404)
        form, user = Form(), actor(db)
        if action == "edit":
            qty = form.decimal("qty")
            if qty is None and not form.errors:
                form.errors.append(FieldError("qty", "required"))
            form.check()
            return reorder.edit(db, requisition_id=requisition_id, qty=qty, user=user)  # type: ignore[arg-type]
        note = form.optional("note", max_len=500)
        if action == "reject" and not note:
            form.errors.append(FieldError("note", "required"))
        form.check()
        return reorder.decide(
            db, requisition_id=requisition_id, approve=action == "approve", user=user, note=note
        )

    outcome = attempt(work)
    if outcome.ok:
        messages = {
            "edit": gettext("Requisition %(id)s: quantity changed.", id=requisition_id),
            "approve": gettext(
                "Requisition %(id)s approved: it goes to the ERP.", id=requisition_id
            ),
            "reject": gettext("Requisition %(id)s rejected.", id=requisition_id),
        }
        flash(messages[action], "success")
    elif outcome.errors:
        flash(
            gettext(
                "Requisition %(id)s: %(problem)s",
                id=requisition_id,
                problem="; ".join(outcome.errors.values()),
            ),
            "error",
        )
    return redirect(url_for("console.requisition_list", warehouse=warehouse.id))


def _faces_page(
    warehouse: Any,
    *,
    errors: dict[str, str] | None = None,
    form: Any = None,
    editing: PickFaceSetting | None = None,
    status: int = 200,
) -> Any:
    s = read_session()
    page = reads.face_page(
        s,
        warehouse_id=warehouse.id,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template(
        "console/inventory/replenishment.html",
        warehouse=warehouse,
        page=page,
        errors=errors or {},
        form=form or {},
        editing=editing,
        jobs=reads.scheduled_jobs(s, warehouse_id=warehouse.id),
        shortfalls=reorder.shortfalls(s, warehouse_id=warehouse.id),
    ), status


@console_page
def face_list() -> Any:
    return _faces_page(working_warehouse())


@console_page
def face_edit(face_id: int) -> Any:
    warehouse = working_warehouse()
    s = read_session()
    face = s.get(PickFaceSetting, face_id)
    if face is None or face.warehouse_id != warehouse.id:
        abort(404)
    loc, item = s.get(Location, face.location_id), s.get(Item, face.item_id)
    values = {
        "location": loc.code if loc else "",
        "sku": item.sku if item else "",
        "min_qty": qty_str(face.min_qty),
        "max_qty": qty_str(face.max_qty),
        "unit_qty": qty_str(face.unit_qty),
        "active": "1" if face.active else "",
    }
    return _faces_page(warehouse, editing=face, form=values)


@console_page
def face_save(face_id: int | None = None) -> Any:
    warehouse = working_warehouse()

    def work(db: Any) -> PickFaceSetting:
        form = Form()
        data = replenishment.FaceForm(
            location=form.text("location", required=True, max_len=64),
            sku=form.text("sku", required=True, max_len=64),
            min_qty=form.decimal("min_qty", positive=False),
            max_qty=form.decimal("max_qty"),
            unit_qty=form.decimal("unit_qty"),
            active=form.flag("active"),
        )
        form.check()
        return replenishment.save_face(db, data, warehouse_id=warehouse.id, face_id=face_id)

    outcome = attempt(work)
    if not outcome.ok:
        editing = read_session().get(PickFaceSetting, face_id) if face_id else None
        return _faces_page(
            warehouse, errors=outcome.errors, form=request.form, editing=editing, status=422
        )
    flash(gettext("Pick-face setting saved."), "success")
    return redirect(url_for("console.face_list", warehouse=warehouse.id))


@console_page
def check_now(job: str) -> Any:
    """Run the replenishment or reorder check now, under the scheduler's lock."""
    warehouse = working_warehouse()
    every = intervals(wms().settings.scheduler)

    def work(db: Any) -> dict[str, Any] | None:
        return scheduler.run_job(
            db, job=job, warehouse_id=warehouse.id, intervals=every, force=True, actor_id=me().id
        )

    outcome = attempt(work)
    if outcome.ok and outcome.value is not None:
        flash(gettext("Check done: %(n)s created.", n=outcome.value.get("created", 0)), "success")
    target = "console.face_list" if job == scheduler.REPLENISHMENT else "console.requisition_list"
    return redirect(url_for(target, warehouse=warehouse.id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/requisitions", "requisition_list", requisition_list)
    bp.add_url_rule(
        "/requisitions/<int:requisition_id>/<any(edit, approve, reject):action>",
        "requisition_action",
        requisition_action,
        methods=["POST"],
    )
    bp.add_url_rule("/replenishment", "face_list", face_list)
    bp.add_url_rule("/replenishment/faces", "face_new", face_save, methods=["POST"])
    bp.add_url_rule("/replenishment/faces/<int:face_id>", "face_edit", face_edit)
    bp.add_url_rule("/replenishment/faces/<int:face_id>", "face_save", face_save, methods=["POST"])
    bp.add_url_rule(
        "/checks/<any(replenishment, reorder):job>", "check_now", check_now, methods=["POST"]
    )
