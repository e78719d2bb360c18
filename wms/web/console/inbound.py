"""Inbound at the console: purchase orders, suppliers and their rules, unexpected items."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session

from wms.errors import FieldError, ValidationFailed
from wms.model import (
    Partner,
    PurchaseOrder,
    PurchaseOrderStatus,
    SupplierProfile,
    UnexpectedItem,
    Warehouse,
)
from wms.queries.directory import search_purchase_orders
from wms.services import purchase_orders, suppliers, unexpected_items
from wms.web.console.common import (
    Form,
    actor,
    attempt,
    audit_ctx,
    console_page,
    require_warehouse,
    working_warehouse,
)
from wms.web.context import read_session

LINE_ROWS = 5
_SERVICE_FIELD = re.compile(r"lines\[(\d+)\]\.(\w+)")



# Purchase orders ------------------------------------------------------------


@console_page
def purchase_orders_list() -> Any:
    warehouse = working_warehouse()
    q, status = request.args.get("q", ""), request.args.get("status", "")
    page = search_purchase_orders(
        read_session(),
        warehouse_id=warehouse.id,
        q=q,
        status=status,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    args = {k: v for k, v in (("q", q), ("status", status)) if v}
    return render_template(
        "console/inbound/orders.html",
        page=page,
        q=q,
        status=status,
        statuses=list(PurchaseOrderStatus),
        warehouse=warehouse,
        args=args,
    )


@console_page
def purchase_order(order_id: int) -> Any:
    order = read_session().get(PurchaseOrder, order_id)
    if order is None:
        abort(404)
    require_warehouse(order.warehouse_id)
    return render_template("console/inbound/order.html", order=order)


def _line_rows(form: Form) -> list[dict[str, str]]:
    rows = []
    for i in range(50):
        if f"lines-{i}-sku" not in form.data:
            break
        rows.append(
            {
                n: (form.data.get(f"lines-{i}-{n}") or "").strip()
                for n in ("sku", "qty", "uom", "lot")
            }
        )
    return rows


def _read_order(form: Form, warehouse: Warehouse) -> purchase_orders.OrderInput:
    lines = []
    for i, row in enumerate(_line_rows(form)):
        if not any(row.values()):
            continue
        qty = form.decimal_of(f"lines-{i}-qty", row["qty"])
        if not row["qty"]:
            form.errors.append(FieldError(f"lines-{i}-qty", "required"))
        if not row["sku"]:
            form.errors.append(FieldError(f"lines-{i}-sku", "required"))
        lines.append(
            (
                i,
                purchase_orders.LineInput(
                    line_no=i + 1,
                    sku=row["sku"],
                    qty=qty or Decimal(0),
                    uom=row["uom"] or None,
                    lot=row["lot"] or None,
                ),
            )
        )
    expected = form.text("expected_at", max_len=10)
    expected_at = None
    if expected:
        try:
            expected_at = datetime.strptime(expected, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            form.errors.append(FieldError("expected_at", "a date like 2026-12-31 is needed"))
    if not lines:
        form.errors.append(FieldError("lines", "at least one line is required"))
    return purchase_orders.OrderInput(
        external_id=form.text("external_id", required=True, max_len=64),
        supplier=form.text("supplier", required=True, max_len=64),
        warehouse=warehouse.code,
        lines=[line for _, line in lines],
        expected_at=expected_at,
        note=form.optional("note", max_len=500),
    )


def _console_field(name: str) -> str:
    """``lines[2].qty`` (the service's name for a field) as the form's ``lines-2-qty``."""
    found = _SERVICE_FIELD.fullmatch(name)
    return f"lines-{found[1]}-{found[2]}" if found else name


@console_page
def purchase_order_new() -> Any:
    warehouse = working_warehouse()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = Form()

        def work(db: Session) -> int:
            data = _read_order(form, warehouse)
            form.check()
            try:
                return purchase_orders.create_purchase_order(db, data).id
            except ValidationFailed as exc:
                raise ValidationFailed(
                    [FieldError(_console_field(e.field), e.message, e.code) for e in exc.errors]
                ) from exc

        outcome = attempt(work)
        if outcome.ok:
            flash(gettext("Purchase order saved."), "success")
            return redirect(url_for("console.purchase_order", order_id=outcome.value))
        errors, status = outcome.errors, 422
    rows = _line_rows(Form()) if request.method == "POST" else []
    rows += [{"sku": "", "qty": "", "uom": "", "lot": ""}] * max(0, LINE_ROWS - len(rows))
    return render_template(
        "console/inbound/order_new.html",
        warehouse=warehouse,
        errors=errors,
        rows=rows,
        form=request.form if request.method == "POST" else {},
        suppliers=[p for p, _ in suppliers.suppliers(read_session()) if p.active],
    ), status


# Suppliers ------------------------------------------------------------------


@console_page
def suppliers_list() -> Any:
    return render_template(
        "console/inbound/suppliers.html", rows=suppliers.suppliers(read_session())
    )


def _read_supplier(form: Form) -> suppliers.SupplierForm:
    def pct(name: str, default: Decimal) -> Decimal:
        value = form.decimal(name, positive=False)
        return default if value is None else value

    return suppliers.SupplierForm(
        code=form.text("code", max_len=64),
        name=form.text("name", max_len=200),
        active=form.flag("active"),
        over_tolerance_pct=pct("over_tolerance_pct", Decimal(0)),
        under_tolerance_pct=pct("under_tolerance_pct", Decimal(0)),
        qc_required=form.flag("qc_required"),
        qc_sample_pct=pct("qc_sample_pct", Decimal(10)),
    )


def _supplier_page(partner_id: int | None) -> Any:
    db = read_session()
    partner = db.get(Partner, partner_id) if partner_id else None
    if partner_id and (partner is None or partner.kind not in suppliers.SUPPLIER_KINDS):
        abort(404)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = Form()

        def work(session: Session) -> int:
            data = _read_supplier(form)
            form.errors += suppliers.supplier_errors(session, data, partner_id)
            form.check()
            return suppliers.save_supplier(
                session, data, partner_id=partner_id, actor=actor(session), **audit_ctx()
            ).id

        outcome = attempt(work)
        if outcome.ok:
            flash(gettext("Supplier saved."), "success")
            return redirect(url_for("console.supplier", partner_id=outcome.value))
        errors, status = outcome.errors, 422
    profile = db.get(SupplierProfile, partner_id) if partner_id else None
    return render_template(
        "console/inbound/supplier.html",
        partner=partner,
        profile=profile,
        errors=errors,
        form=request.form if request.method == "POST" else {},
    ), status


@console_page
def supplier_new() -> Any:
    return _supplier_page(None)


@console_page
def supplier(partner_id: int) -> Any:
    return _supplier_page(partner_id)


# Unexpected items -----------------------------------------------------------


@console_page
def unexpected_list() -> Any:
    warehouse = working_warehouse()
    rows = unexpected_items.pending(read_session(), warehouse_id=warehouse.id)
    return render_template("console/inbound/unexpected.html", rows=rows, warehouse=warehouse)


@console_page
def unexpected_decide(unexpected_id: int) -> Any:
    found = read_session().get(UnexpectedItem, unexpected_id)
    if found is None:
        abort(404)
    require_warehouse(found.order.warehouse_id)
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        abort(400, gettext("Choose accept or reject."))
    note = (request.form.get("note") or "").strip()[:500] or None

    def work(db: Session) -> int:
        return unexpected_items.decide(
            db,
            unexpected_id=unexpected_id,
            accept=decision == "accept",
            decided_by_id=actor(db).id,
            note=note,
        ).id

    if attempt(work).ok:
        flash(
            gettext("Unexpected item accepted: a line was added to the order.")
            if decision == "accept"
            else gettext("Unexpected item rejected."),
            "success",
        )
    return redirect(url_for("console.unexpected_items"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/purchase-orders", "purchase_orders", purchase_orders_list)
    bp.add_url_rule(
        "/purchase-orders/new", "purchase_order_new", purchase_order_new, methods=["GET", "POST"]
    )
    bp.add_url_rule("/purchase-orders/<int:order_id>", "purchase_order", purchase_order)
    bp.add_url_rule("/suppliers", "suppliers", suppliers_list)
    bp.add_url_rule("/suppliers/new", "supplier_new", supplier_new, methods=["GET", "POST"])
    bp.add_url_rule("/suppliers/<int:partner_id>", "supplier", supplier, methods=["GET", "POST"])
    bp.add_url_rule("/unexpected-items", "unexpected_items", unexpected_list)
    bp.add_url_rule(
        "/unexpected-items/<int:unexpected_id>/decision",
        "unexpected_decide",
        unexpected_decide,
        methods=["POST"],
    )
