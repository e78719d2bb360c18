"""Items: search and page, create and edit with units (exact factors) and barcodes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from wms.errors import FieldError
from wms.model import Item, Tracking
from wms.queries.directory import search_items
from wms.services import printing
from wms.services.items import ItemForm, UnitRow, save_item
from wms.web.console.common import Form, attempt, chosen_warehouse, console_page, me
from wms.web.console.devices import printer_choices
from wms.web.context import read_session

MAX_ROWS = 50
BLANK_ROWS = 3


@console_page
def items() -> Any:
    q = request.args.get("q", "")
    page = search_items(read_session(), q=q, after=request.args.get("after"),
                        before=request.args.get("before"))
    return render_template("console/items/list.html", page=page, q=q)


def _raw_rows(form: Form, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """Submitted rows ``prefix-i-name``, without the empty ones."""
    rows = []
    for i in range(MAX_ROWS):
        if f"{prefix}-{i}-{names[0]}" not in form.data:
            break
        row = {n: (form.data.get(f"{prefix}-{i}-{n}") or "").strip() for n in names}
        if any(row.values()):
            rows.append(row)
    return rows


def _read_form(form: Form) -> ItemForm:
    units = []
    for j, row in enumerate(_raw_rows(form, "units", ("uom", "factor", "weight_kg", "volume_l"))):
        factor = form.decimal_of(f"units-{j}-factor", row["factor"])
        if factor is None and not row["factor"]:
            form.errors.append(FieldError(f"units-{j}-factor", "required"))
        units.append(UnitRow(row["uom"], factor or Decimal(0),
                             form.decimal_of(f"units-{j}-weight_kg", row["weight_kg"]),
                             form.decimal_of(f"units-{j}-volume_l", row["volume_l"])))
    barcodes = [(r["barcode"], r["uom"]) for r in _raw_rows(form, "barcodes", ("barcode", "uom"))]
    return ItemForm(
        sku=form.text("sku", max_len=200),
        name=form.text("name", max_len=200),
        base_uom=form.text("base_uom", max_len=16) or "each",
        tracking=form.text("tracking") or "none",
        shelf_life_days=form.integer("shelf_life_days"),
        weight_kg=form.decimal("weight_kg"),
        volume_l=form.decimal("volume_l"),
        abc_class=form.optional("abc_class", max_len=1),
        safety_stock=form.decimal("safety_stock", positive=False),
        active=form.flag("active"),
        units=units,
        barcodes=barcodes,
    )


def _submit(item_id: int | None) -> Any:
    form = Form()

    def work(db: Any) -> int:
        data = _read_form(form)
        form.check()
        return save_item(db, data, item_id=item_id).id

    outcome = attempt(work)
    if not outcome.ok:
        item = read_session().get(Item, item_id) if item_id else None
        return _page(item, outcome.errors, from_form=True, status=422)
    flash(gettext("Item saved."), "success")
    return redirect(url_for("console.item", item_id=outcome.value))


def _page(item: Item | None, errors: dict[str, str] | None = None, *, from_form: bool = False,
          status: int = 200, label_errors: dict[str, str] | None = None) -> Any:
    form = Form()
    if from_form:
        units = _raw_rows(form, "units", ("uom", "factor", "weight_kg", "volume_l"))
        barcodes = _raw_rows(form, "barcodes", ("barcode", "uom"))
    else:
        units = [{"uom": u.uom, "factor": u.factor, "weight_kg": u.weight_kg,
                  "volume_l": u.volume_l} for u in (item.units if item else [])]
        barcodes = [{"barcode": b.barcode, "uom": b.uom} for b in (item.barcodes if item else [])]
    blank = {"uom": "", "factor": "", "weight_kg": "", "volume_l": "", "barcode": ""}
    return render_template(
        "console/items/edit.html", item=item, errors=errors or {},
        form=request.form if from_form else {}, trackings=list(Tracking),
        unit_rows=units + [blank] * BLANK_ROWS, barcode_rows=barcodes + [blank] * BLANK_ROWS,
        printers=printer_choices("item"), label_errors=label_errors or {},
        label_form=request.form if label_errors else {},
    ), status


@console_page
def item_new() -> Any:
    if request.method == "POST":
        return _submit(None)
    return _page(None)


@console_page
def item(item_id: int) -> Any:
    found = read_session().get(Item, item_id)
    if found is None:
        abort(404)
    if request.method == "POST":
        return _submit(item_id)
    return _page(found)


@console_page
def item_labels(item_id: int) -> Any:
    """Print ``copies`` labels of this item (one job; the printer repeats the label)."""
    found = read_session().get(Item, item_id)
    if found is None:
        abort(404)
    form = Form()
    copies = form.integer("copies", minimum=1)
    if copies is None and not form.errors:
        form.errors.append(FieldError("copies", "required"))
    warehouse = chosen_warehouse(me(), None)

    def work(db: Any) -> str:
        form.check()
        job = printing.print_item_labels(
            db, item_id=item_id, copies=copies or 0, printer_code=form.text("printer") or None,
            warehouse_id=warehouse.id if warehouse else None, requested_by_id=me().id)
        return job.printer.code

    outcome = attempt(work)
    if not outcome.ok:
        return _page(found, status=422, label_errors=outcome.errors or {"copies": ""})
    flash(gettext("%(count)s item labels queued on %(printer)s.", count=copies,
                  printer=outcome.value), "success")
    return redirect(url_for("console.item", item_id=item_id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/items", "items", items)
    bp.add_url_rule("/items/new", "item_new", item_new, methods=["GET", "POST"])
    bp.add_url_rule("/items/<int:item_id>", "item", item, methods=["GET", "POST"])
    bp.add_url_rule("/items/<int:item_id>/print-labels", "item_labels", item_labels,
                    methods=["POST"])
