"""Locations: fast search with keyset pages, create many by pattern, edit, block and unblock."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from wms.errors import FieldError, WmsError
from wms.model import Location, LocationType, Zone
from wms.queries.locations import search_locations
from wms.services import locations as service
from wms.services import printing
from wms.services.location_patterns import count_pattern, expand_pattern
from wms.web.console.common import (
    Form,
    actor,
    attempt,
    audit_ctx,
    chosen_warehouse,
    console_page,
    me,
    require_warehouse,
    tr,
    warehouses_for,
)
from wms.web.console.devices import printer_choices
from wms.web.context import read_session

REAL_TYPES = [t for t in LocationType if t is not LocationType.virtual]


def _zones(warehouse_id: int) -> list[Zone]:
    stmt = select(Zone).where(Zone.warehouse_id == warehouse_id).order_by(Zone.code)
    return list(read_session().scalars(stmt))


def _zone_options(warehouse_id: int) -> list[tuple[int, str]]:
    return [(z.id, f"{z.code} {z.name}" if z.name != z.code else z.code)
            for z in _zones(warehouse_id)]


@console_page
def locations() -> Any:
    args = request.args
    warehouse = chosen_warehouse(me(), args.get("warehouse"))
    if warehouse is None:
        return redirect(url_for("console.warehouses"))
    zone = args.get("zone", "")
    blocked = {"1": True, "0": False}.get(args.get("blocked", ""))
    page = search_locations(
        read_session(), warehouse_id=warehouse.id, prefix=args.get("q", ""),
        zone_id=int(zone) if zone.isdigit() else None, blocked=blocked,
        after=args.get("after"), before=args.get("before"),
    )
    keep = {k: v for k, v in args.items() if k in ("q", "zone", "blocked") and v}
    keep["warehouse"] = warehouse.id
    return render_template("console/locations/list.html", page=page, warehouse=warehouse,
                           warehouses=warehouses_for(me()), zones=_zones(warehouse.id),
                           args=args, keep=keep, printers=printer_choices("location"))


@console_page
def location_labels() -> Any:
    """Print labels for the ticked locations, or for every location on the page shown."""
    asked = request.form.get("warehouse", "")
    if not asked.isdigit():
        abort(400, gettext("Choose a warehouse."))
    require_warehouse(int(asked))
    form = Form()
    field = "page_location" if form.text("scope") == "page" else "location"
    ids = form.ids(field)
    printer = form.text("printer", max_len=64) or None

    def work(db: Any) -> list[str]:
        jobs = printing.print_location_labels(
            db, location_ids=ids, warehouse_id=int(asked), printer_code=printer,
            requested_by_id=me().id)
        return [job.printer.code for job in jobs]

    outcome = attempt(work)
    back = request.form.get("next", "")
    if not back.startswith("/console/locations"):
        back = url_for("console.locations", warehouse=asked)
    if outcome.ok and outcome.value:
        flash(gettext("%(count)s location labels queued on %(printer)s.",
                      count=len(outcome.value), printer=outcome.value[0]), "success")
    return redirect(back)


def _pattern_fields(form: Form) -> dict[str, Any]:
    zone = form.text("zone")
    return {
        "pattern": form.text("pattern", required=True),
        "zone_id": int(zone) if zone.isdigit() else None,
        "location_type": form.text("type") or "shelf",
        "bay_width": form.decimal("bay_width") or Decimal(1),
        "sides": form.text("sides") or "one",
    }


@console_page
def location_pattern() -> Any:
    asked = request.values.get("warehouse", "")
    if asked.isdigit():
        require_warehouse(int(asked))
    warehouse = chosen_warehouse(me(), asked)
    if warehouse is None:
        return redirect(url_for("console.warehouses"))
    if request.method == "GET":
        return _pattern_page(warehouse)
    if request.form.get("action") == "preview":
        return _pattern_page(warehouse, preview=_preview(request.form.get("pattern", "")))
    form = Form()

    def work(db: Any) -> int:
        fields = _pattern_fields(form)
        form.check()
        if fields["location_type"] not in LocationType.__members__:
            fields["location_type"] = "shelf"
        return service.create_locations(db, warehouse_id=warehouse.id, actor=actor(db),
                                        **fields, **audit_ctx())

    outcome = attempt(work)
    if not outcome.ok:
        return _pattern_page(warehouse, errors=outcome.errors, status=422)
    flash(gettext("%(count)s locations created.", count=outcome.value), "success")
    aisle = request.form.get("pattern", "").strip().upper().split("-")[0]
    shown = aisle if aisle.isalnum() else ""
    return redirect(url_for("console.locations", warehouse=warehouse.id, q=shown))


def _preview(pattern: str) -> dict[str, Any]:
    """How many locations and which codes, without writing anything."""
    try:
        count = count_pattern(pattern)
        sample = [s.code for s in itertools.islice(expand_pattern(pattern), 6)]
    except WmsError as exc:
        errors = getattr(exc, "errors", [])
        return {"error": tr(errors[0].message if errors else exc.detail)}
    last = None
    if count > len(sample) and count <= service.MAX_PER_PATTERN:
        last = next(itertools.islice(expand_pattern(pattern), count - 1, None)).code
    return {"count": count, "sample": sample, "last": last,
            "too_many": count > service.MAX_PER_PATTERN}


def _pattern_page(warehouse: Any, *, preview: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None, status: int = 200) -> Any:
    return render_template(
        "console/locations/pattern.html", warehouse=warehouse,
        zone_options=_zone_options(warehouse.id),
        types=REAL_TYPES, preview=preview, errors=errors or {}, form=request.form,
        limit=service.MAX_PER_PATTERN,
    ), status


def _location(location_id: int) -> Location:
    location = read_session().get(Location, location_id)
    if location is None or location.is_virtual:
        abort(404)
    require_warehouse(location.warehouse_id)
    return location


@console_page
def location(location_id: int) -> Any:
    found = _location(location_id)
    if request.method == "GET":
        return _location_page(found)
    form = Form()

    def work(db: Any) -> None:
        zone = form.text("zone")
        fields = {
            "zone_id": int(zone) if zone.isdigit() else None,
            "location_type": form.text("type"),
            "storable": form.flag("storable"), "pickable": form.flag("pickable"),
            "max_weight_kg": form.decimal("max_weight_kg"),
            "max_volume_l": form.decimal("max_volume_l"),
            "abc_class": form.optional("abc_class", max_len=1),
        }
        if fields["location_type"] not in LocationType.__members__:
            form.errors.append(FieldError("type", "unknown location type"))
        form.check()
        service.update_location(db, location_id=location_id, **fields)

    outcome = attempt(work)
    if not outcome.ok:
        return _location_page(found, outcome.errors, 422)
    flash(gettext("Changes saved."), "success")
    return redirect(url_for("console.location", location_id=location_id))


def _location_page(found: Location, errors: dict[str, str] | None = None,
                   status: int = 200) -> Any:
    return render_template("console/locations/edit.html", location=found,
                           zone_options=_zone_options(found.warehouse_id), types=REAL_TYPES,
                           errors=errors or {}, form=request.form if errors else {}), status


@console_page
def location_block(location_id: int, what: str) -> Any:
    found = _location(location_id)
    if what == "block":
        outcome = attempt(lambda db: service.block_location(
            db, location_id=location_id, reason=request.form.get("reason", ""),
            actor=actor(db), **audit_ctx()))
    elif what == "unblock":
        outcome = attempt(lambda db: service.unblock_location(
            db, location_id=location_id, actor=actor(db), **audit_ctx()))
    else:
        abort(404)
    if not outcome.ok:
        return _location_page(found, outcome.errors or {"_": ""}, 422)
    flash(gettext("Location blocked.") if what == "block" else gettext("Location unblocked."),
          "success")
    return redirect(url_for("console.location", location_id=location_id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/locations", "locations", locations)
    bp.add_url_rule("/locations/print-labels", "location_labels", location_labels,
                    methods=["POST"])
    bp.add_url_rule("/locations/new", "location_pattern", location_pattern,
                    methods=["GET", "POST"])
    bp.add_url_rule("/locations/<int:location_id>", "location", location,
                    methods=["GET", "POST"])
    bp.add_url_rule("/locations/<int:location_id>/<what>", "location_block", location_block,
                    methods=["POST"])
