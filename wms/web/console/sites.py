"""Warehouses (admins create and edit them) and their zones (supervisors of the warehouse)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from wms.model import Role, Warehouse, Zone, ZoneKind
from wms.services import sites as service
from wms.web.console.common import (
    Form,
    actor,
    admin_page,
    attempt,
    audit_ctx,
    console_page,
    me,
    require_warehouse,
    warehouses_for,
)
from wms.web.context import read_session


def _warehouse_fields(form: Form) -> dict[str, Any]:
    return {
        "name": form.text("name"),
        "timezone": form.text("timezone", max_len=64) or "Asia/Shanghai",
        "allow_negative_stock": form.flag("allow_negative_stock"),
        "gs1_company_prefix": form.optional("gs1_company_prefix", max_len=12),
    }


@console_page
def warehouses() -> Any:
    return render_template("console/sites/warehouses.html", warehouses=warehouses_for(me()),
                           errors={}, form={})


@admin_page
def warehouse_new() -> Any:
    def work(db: Any) -> int:
        form = Form()
        fields = _warehouse_fields(form)
        code = form.text("code", max_len=100)
        form.check()
        return service.add_warehouse(db, code=code, actor=actor(db), **fields,
                                     **audit_ctx()).id

    outcome = attempt(work)
    if not outcome.ok:
        return render_template("console/sites/warehouses.html", warehouses=warehouses_for(me()),
                               errors=outcome.errors, form=request.form), 422
    flash(gettext("Warehouse created."), "success")
    return redirect(url_for("console.warehouse", warehouse_id=outcome.value))


@console_page
def warehouse(warehouse_id: int) -> Any:
    require_warehouse(warehouse_id)
    if request.method == "POST":
        return _warehouse_update(warehouse_id)
    return _warehouse_page(warehouse_id)


def _warehouse_page(warehouse_id: int, errors: dict[str, str] | None = None,
                    status: int = 200) -> Any:
    db = read_session()
    found = db.get(Warehouse, warehouse_id)
    if found is None:
        abort(404)
    zones = db.scalars(select(Zone).where(Zone.warehouse_id == warehouse_id).order_by(Zone.code))
    return render_template("console/sites/warehouse.html", warehouse=found, zones=list(zones),
                           kinds=list(ZoneKind), errors=errors or {},
                           form=request.form if errors else {}), status


def _warehouse_update(warehouse_id: int) -> Any:
    if me().role is not Role.admin:
        abort(403, gettext("Only an admin changes a warehouse."))

    def work(db: Any) -> None:
        form = Form()
        fields = _warehouse_fields(form)
        form.check()
        service.update_warehouse(db, warehouse_id=warehouse_id, actor=actor(db), **fields,
                                 **audit_ctx())

    outcome = attempt(work)
    if not outcome.ok:
        return _warehouse_page(warehouse_id, outcome.errors or {"_": ""}, 422)
    flash(gettext("Changes saved."), "success")
    return redirect(url_for("console.warehouse", warehouse_id=warehouse_id))


@console_page
def zone_new(warehouse_id: int) -> Any:
    require_warehouse(warehouse_id)
    form = Form()
    outcome = attempt(lambda db: service.add_zone(
        db, warehouse_id=warehouse_id, code=form.text("code", max_len=32),
        name=form.text("zone_name"), kind=form.text("kind")))
    if not outcome.ok:
        return _warehouse_page(warehouse_id, outcome.errors or {"_": ""}, 422)
    flash(gettext("Zone created."), "success")
    return redirect(url_for("console.warehouse", warehouse_id=warehouse_id))


@console_page
def zone_edit(zone_id: int) -> Any:
    zone = read_session().get(Zone, zone_id)
    if zone is None:
        abort(404)
    require_warehouse(zone.warehouse_id)
    form = Form()
    outcome = attempt(lambda db: service.update_zone(
        db, zone_id=zone_id, name=form.text("zone_name"), kind=form.text("kind")))
    if not outcome.ok:
        return _warehouse_page(zone.warehouse_id, outcome.errors or {"_": ""}, 422)
    flash(gettext("Changes saved."), "success")
    return redirect(url_for("console.warehouse", warehouse_id=zone.warehouse_id))



def register(bp: Blueprint) -> None:
    bp.add_url_rule("/warehouses", "warehouses", warehouses)
    bp.add_url_rule("/warehouses/new", "warehouse_new", warehouse_new, methods=["POST"])
    bp.add_url_rule("/warehouses/<int:warehouse_id>", "warehouse", warehouse,
                    methods=["GET", "POST"])
    bp.add_url_rule("/warehouses/<int:warehouse_id>/zones", "zone_new", zone_new,
                    methods=["POST"])
    bp.add_url_rule("/zones/<int:zone_id>", "zone_edit", zone_edit, methods=["POST"])
