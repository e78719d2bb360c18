"""Outbound at the console: order review (approve, hold, priority) and waves (release, trips)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from wms.errors import FieldError
from wms.model import OrderStatus, SalesOrder, Wave
from wms.services import allocation, review, waves
from wms.web.console.common import Form, attempt, console_page, me, working_warehouse
from wms.web.context import read_session

REVIEWABLE = (OrderStatus.received, OrderStatus.on_hold, OrderStatus.reviewed)
MODES = ("cluster", "discrete", "zone")


@console_page
def orders() -> Any:
    warehouse = working_warehouse()
    rows = read_session().scalars(
        select(SalesOrder).where(SalesOrder.warehouse_id == warehouse.id,
                                 SalesOrder.status.in_(REVIEWABLE))
        .order_by(SalesOrder.status, SalesOrder.priority, SalesOrder.id).limit(500))
    return render_template("console/outbound/orders.html", warehouse=warehouse,
                           orders=list(rows))


def _order(db: Any, order_id: int) -> SalesOrder:
    order = db.get(SalesOrder, order_id)
    if order is None or not me().can_access(order.warehouse_id):
        abort(404)
    if order.status not in REVIEWABLE:
        abort(409, gettext("This order is past review."))
    return order


@console_page
def order_action(order_id: int, action: str) -> Any:
    def work(db: Any) -> str:
        order, form = _order(db, order_id), Form()
        if action == "approve":
            review.approve(db, order, actor_id=me().id)
        elif action == "hold":
            reason = form.text("reason", required=True, max_len=64)
            form.check()
            review.hold(db, order, reason=reason, actor_id=me().id)
        else:
            priority = form.integer("priority", minimum=1)
            if priority is None or priority > 9:
                form.errors.append(FieldError("priority", "priority must be 1 to 9"))
            form.check()
            review.set_priority(db, order, priority=priority or 1, actor_id=me().id)
        return order.external_id

    outcome = attempt(work)
    if outcome.ok:
        flash(gettext("Order %(order)s updated.", order=outcome.value), "success")
    elif outcome.errors:
        flash("; ".join(outcome.errors.values()), "error")
    return redirect(url_for("console.orders", warehouse=request.args.get("warehouse")))


@console_page
def wave_list() -> Any:
    warehouse = working_warehouse()
    rows = read_session().scalars(select(Wave).where(Wave.warehouse_id == warehouse.id)
                                  .order_by(Wave.id.desc()).limit(50))
    return render_template("console/outbound/waves.html", warehouse=warehouse,
                           waves=list(rows), modes=MODES, errors={}, form={})


def _criteria(form: Form) -> waves.WaveCriteria:
    cutoff_text = form.text("cutoff", max_len=20)
    cutoff = None
    if cutoff_text:
        try:
            cutoff = datetime.fromisoformat(cutoff_text)
        except ValueError:
            form.errors.append(FieldError("cutoff", "not a date and time"))
    mode = form.text("mode") or "cluster"
    if mode not in MODES:
        form.errors.append(FieldError("mode", "unknown picking mode"))
    return waves.WaveCriteria(carrier=form.optional("carrier", max_len=32), cutoff=cutoff,
                              min_priority=form.integer("min_priority", minimum=1),
                              zone=form.optional("zone", max_len=32), mode=mode,
                              max_orders=form.integer("max_orders", minimum=1))


@console_page
def wave_release() -> Any:
    warehouse = working_warehouse()

    def work(db: Any) -> str | None:
        form = Form()
        criteria = _criteria(form)
        form.check()
        wave = waves.release_wave(db, warehouse_id=warehouse.id, criteria=criteria,
                                  actor_id=me().id)
        return wave.reference if wave else None

    outcome = attempt(work)
    if not outcome.ok:
        rows = read_session().scalars(select(Wave).where(Wave.warehouse_id == warehouse.id)
                                      .order_by(Wave.id.desc()).limit(50))
        return render_template("console/outbound/waves.html", warehouse=warehouse,
                               waves=list(rows), modes=MODES, errors=outcome.errors,
                               form=request.form), 422
    if outcome.value is None:
        flash(gettext("No allocated order matches: nothing was released."), "warning")
    else:
        flash(gettext("Wave %(wave)s released.", wave=outcome.value), "success")
    return redirect(url_for("console.wave_list", warehouse=warehouse.id))


@console_page
def wave_allocate() -> Any:
    """Allocate stock to every reviewed (or short) order of the warehouse, best first."""
    warehouse = working_warehouse()

    def work(db: Any) -> int:
        ids = list(db.scalars(select(SalesOrder.id).where(
            SalesOrder.warehouse_id == warehouse.id,
            SalesOrder.status.in_(allocation.ALLOCATABLE)).order_by(SalesOrder.id)))
        done = allocation.allocate_orders(db, ids)
        return sum(1 for o in done if o.status is OrderStatus.allocated)

    outcome = attempt(work)
    if outcome.ok:
        flash(gettext("%(count)s orders allocated.", count=outcome.value), "success")
    return redirect(url_for("console.wave_list", warehouse=warehouse.id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/orders", "orders", orders)
    bp.add_url_rule("/orders/<int:order_id>/<any(approve, hold, priority):action>",
                    "order_action", order_action, methods=["POST"])
    bp.add_url_rule("/waves", "wave_list", wave_list)
    bp.add_url_rule("/waves/release", "wave_release", wave_release, methods=["POST"])
    bp.add_url_rule("/waves/allocate", "wave_allocate", wave_allocate, methods=["POST"])
