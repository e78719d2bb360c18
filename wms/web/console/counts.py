"""Counting at the console: variances to approve or reject, count plans, requested counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from wms.errors import Conflict
from wms.model import (
    CountPlan,
    CountPlanBasis,
    CountTrigger,
    Item,
    Variance,
    VarianceStatus,
    Zone,
)
from wms.queries import inventory as reads
from wms.services import count_plans, counting, masterdata, variances
from wms.web.console.common import Form, actor, attempt, console_page, me, working_warehouse
from wms.web.context import read_session

BASES = tuple(CountPlanBasis)


@console_page
def variance_list() -> Any:
    warehouse = working_warehouse()
    waiting = request.args.get("view", "waiting") != "decided"
    page = reads.variance_page(
        read_session(),
        warehouse_id=warehouse.id,
        waiting=waiting,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template(
        "console/inventory/variances.html", warehouse=warehouse, page=page, waiting=waiting
    )


@console_page
def variance_decide(variance_id: int, action: str) -> Any:
    def work(db: Any) -> Variance:
        found = db.get(Variance, variance_id)
        if found is None or not me().can_access(found.warehouse_id):
            abort(404)
        if found.status is VarianceStatus.recount:
            raise Conflict("This variance waits for its recount; it cannot be decided yet.")
        if found.status is not VarianceStatus.pending:
            raise Conflict("This variance was decided already.")
        form = Form()
        reason = form.text("reason", required=True, max_len=200)
        form.check()
        decide = variances.approve if action == "approve" else variances.reject
        return decide(db, variance_id=variance_id, user=actor(db), reason=reason)

    outcome = attempt(work)
    if outcome.ok and outcome.value is not None:
        v = outcome.value
        text = (
            gettext("Variance %(id)s approved: the stock was adjusted.", id=v.id)
            if action == "approve"
            else gettext("Variance %(id)s rejected.", id=v.id)
        )
        flash(text, "success")
    elif outcome.errors:
        flash(gettext("Give a reason for the decision."), "error")
    return redirect(url_for("console.variance_list", warehouse=request.args.get("warehouse")))


def _plan_form(form: Form) -> count_plans.PlanForm:
    return count_plans.PlanForm(
        name=form.text("name", required=True, max_len=200),
        basis=form.text("basis", required=True, max_len=16),
        zone=form.optional("zone", max_len=32),
        location_prefix=form.optional("location_prefix", max_len=64),
        sku=form.optional("sku", max_len=64),
        frequency_days=form.integer("frequency_days"),
        abc_days={k: form.integer(f"abc_{k}") for k in count_plans.ABC_CLASSES},
        max_per_run=form.integer("max_per_run"),
        active=form.flag("active"),
    )


def _plans_page(
    warehouse: Any,
    *,
    errors: dict[str, str] | None = None,
    form: Any = None,
    editing: CountPlan | None = None,
    status: int = 200,
) -> Any:
    s = read_session()
    return render_template(
        "console/inventory/plans.html",
        warehouse=warehouse,
        errors=errors or {},
        form=form or {},
        editing=editing,
        bases=BASES,
        plans=reads.plans(s, warehouse_id=warehouse.id),
        counts=reads.open_counts(s, warehouse_id=warehouse.id),
        jobs=reads.scheduled_jobs(s, warehouse_id=warehouse.id),
    ), status


@console_page
def plan_list() -> Any:
    return _plans_page(working_warehouse())


@console_page
def plan_edit(plan_id: int) -> Any:
    warehouse = working_warehouse()
    plan = read_session().get(CountPlan, plan_id)
    if plan is None or plan.warehouse_id != warehouse.id:
        abort(404)
    return _plans_page(warehouse, editing=plan, form=_plan_values(plan))


def _plan_values(plan: CountPlan) -> dict[str, Any]:
    s = read_session()
    zone = s.get(Zone, plan.zone_id) if plan.zone_id else None
    item = s.get(Item, plan.item_id) if plan.item_id else None
    values: dict[str, Any] = {
        "name": plan.name,
        "basis": plan.basis.value,
        "zone": zone.code if zone else "",
        "location_prefix": plan.location_prefix or "",
        "sku": item.sku if item else "",
        "frequency_days": plan.frequency_days,
        "max_per_run": plan.max_per_run or "",
        "active": "1" if plan.active else "",
    }
    for k in count_plans.ABC_CLASSES:
        values[f"abc_{k}"] = (plan.abc_days or {}).get(k, "")
    return values


@console_page
def plan_save(plan_id: int | None = None) -> Any:
    warehouse = working_warehouse()

    def work(db: Any) -> CountPlan:
        form = Form()
        data = _plan_form(form)
        form.check()
        return count_plans.save_plan(db, data, warehouse_id=warehouse.id, plan_id=plan_id)

    outcome = attempt(work)
    if not outcome.ok:
        editing = read_session().get(CountPlan, plan_id) if plan_id else None
        return _plans_page(
            warehouse, errors=outcome.errors, form=request.form, editing=editing, status=422
        )
    flash(gettext("Count plan %(name)s saved.", name=outcome.value.name), "success")  # type: ignore[union-attr]
    return redirect(url_for("console.plan_list", warehouse=warehouse.id))


@console_page
def plan_run(plan_id: int) -> Any:
    warehouse = working_warehouse()

    def work(db: Any) -> int:
        plan = db.get(CountPlan, plan_id)
        if plan is None or plan.warehouse_id != warehouse.id:
            abort(404)
        made = count_plans.run_plan(db, plan_id=plan_id, actor_id=me().id) or []
        return len(made)

    outcome = attempt(work)
    if outcome.ok:
        flash(gettext("%(n)s count tasks created.", n=outcome.value), "success")
    return redirect(url_for("console.plan_list", warehouse=warehouse.id))


@console_page
def count_request() -> Any:
    warehouse = working_warehouse()

    def work(db: Any) -> str:
        form = Form()
        code = form.text("location", required=True, max_len=64)
        reason = form.optional("reason", max_len=200)
        form.check()
        loc = masterdata.location_by_code(db, warehouse_id=warehouse.id, code=code)
        counting.request_count(
            db,
            location_id=loc.id,
            trigger=CountTrigger.request,
            requested_by=me().id,
            reason=reason,
        )
        return loc.code

    outcome = attempt(work)
    if outcome.ok:
        flash(gettext("A count of %(location)s was requested.", location=outcome.value), "success")
    elif outcome.errors:
        flash(gettext("Key the location to count."), "error")
    return redirect(url_for("console.plan_list", warehouse=warehouse.id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/variances", "variance_list", variance_list)
    bp.add_url_rule(
        "/variances/<int:variance_id>/<any(approve, reject):action>",
        "variance_decide",
        variance_decide,
        methods=["POST"],
    )
    bp.add_url_rule("/count-plans", "plan_list", plan_list)
    bp.add_url_rule("/count-plans", "plan_new", plan_save, methods=["POST"])
    bp.add_url_rule("/count-plans/<int:plan_id>", "plan_edit", plan_edit)
    bp.add_url_rule("/count-plans/<int:plan_id>", "plan_save", plan_save, methods=["POST"])
    bp.add_url_rule("/count-plans/<int:plan_id>/run", "plan_run", plan_run, methods=["POST"])
    bp.add_url_rule("/counts/request", "count_request", count_request, methods=["POST"])
