"""Devices at the console: add, edit, enable, disable and delete printers and scales.

Each write is one transaction; after its commit the device runtime reloads,
so the spooler and the scale monitor use the change at once (no restart).
Devices listed in config/devices.toml are shown with that source and are
read-only here (see ``wms.services.devices`` for the precedence rule and
``wms.services.device_edits`` for the edits).
Health is pushed to the page over Socket.IO (``printer.status_changed``,
``scale.status_changed`` on /console).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from wms.labels.templates import KINDS
from wms.model import Printer, PrinterDriver, ScaleDevice, ScaleDriver, Workstation, Zone
from wms.services import device_edits as service
from wms.services import printing
from wms.web.console.common import (
    Form,
    actor,
    attempt,
    audit_ctx,
    chosen_warehouse,
    console_page,
    me,
    require_warehouse,
)
from wms.web.context import read_session, wms

log = logging.getLogger(__name__)


def runtime() -> Any:
    """The app's device runtime (registry, spooler, health board)."""
    return wms().devices


def file_printers() -> frozenset[str]:
    found = runtime()
    return found.file_printers if found is not None else frozenset()


def file_scales() -> frozenset[str]:
    found = runtime()
    return found.file_scales if found is not None else frozenset()


def reload_devices() -> None:
    """After a committed edit: the registry, spooler and monitor take it now."""
    found = runtime()
    if found is None:
        return
    try:
        found.reload()
    except Exception:  # a device problem never turns a saved edit into a 500
        log.exception("device reload after a console edit failed")


# ---------------------------------------------------------------- list ---


def _printer_row(printer: Printer) -> dict[str, Any]:
    live = runtime().board.get(printer.code) if runtime() is not None else None
    where = (
        printer.address
        if printer.driver is not PrinterDriver.tcp
        else (f"{printer.address}:{printer.port}")
    )
    return {
        "id": printer.id,
        "code": printer.code,
        "name": printer.name,
        "driver": printer.driver.value,
        "where": where,
        "dpi": printer.dpi,
        "kinds": printer.label_kinds,
        "enabled": printer.enabled,
        "source": service.source_of(printer.code, file_printers()),
        "state": (live.state.value if live else printer.state) if printer.enabled else "disabled",
        "detail": live.detail if live else printer.state_detail,
    }


def _scale_row(scale: ScaleDevice, stations: dict[int, str]) -> dict[str, Any]:
    live = runtime().board.scale(scale.code) if runtime() is not None else None
    return {
        "id": scale.id,
        "code": scale.code,
        "name": scale.name,
        "driver": scale.driver.value,
        "url": scale.url or f"fakescale://{scale.code}",
        "enabled": scale.enabled,
        "station": stations.get(scale.workstation_id or 0, ""),
        "source": service.source_of(scale.code, file_scales()),
        "state": (live.state.value if live else "unknown") if scale.enabled else "disabled",
        "grams": live.grams if live else None,
        "detail": live.detail if live else "",
    }


@console_page
def devices() -> Any:
    db = read_session()
    stations = {w.id: w.code for w in db.scalars(select(Workstation))}
    printers = [_printer_row(p) for p in db.scalars(select(Printer).order_by(Printer.code))]
    scales = [
        _scale_row(s, stations) for s in db.scalars(select(ScaleDevice).order_by(ScaleDevice.code))
    ]
    return render_template("console/devices/list.html", printers=printers, scales=scales)


# ------------------------------------------------------------ printers ---


def _stations(warehouse_id: int | None) -> list[tuple[str, str]]:
    query = select(Workstation).order_by(Workstation.code)
    if warehouse_id is not None:
        query = query.where(
            (Workstation.warehouse_id == warehouse_id) | Workstation.warehouse_id.is_(None)
        )
    return [(w.code, f"{w.code} {w.name}") for w in read_session().scalars(query)]


def _zones(warehouse_id: int | None) -> list[tuple[int, str]]:
    if warehouse_id is None:
        return []
    query = select(Zone).where(Zone.warehouse_id == warehouse_id).order_by(Zone.code)
    return [(z.id, z.code) for z in read_session().scalars(query)]


def _printer_input(form: Form) -> service.PrinterInput:
    zone = form.text("zone")
    return service.PrinterInput(
        code=form.text("code", max_len=64),
        name=form.text("name"),
        driver=form.text("driver"),
        address=form.text("address"),
        port=form.integer("port"),
        baudrate=form.integer("baudrate"),
        dpi=form.integer("dpi"),
        label_kinds=form.many("label_kinds"),
        cjk_mode=form.text("cjk_mode") or "bitmap",
        printer_font=form.text("printer_font", max_len=64) or "E:ANMDS.TTF",
        status_query=form.flag("status_query"),
        enabled=form.flag("enabled"),
        workstation=form.text("workstation", max_len=64),
        zone_id=int(zone) if zone.isdigit() else None,
        terminal=form.text("terminal", max_len=64),
        default=form.flag("default"),
    )


def _printer_values(printer: Printer | None) -> dict[str, Any]:
    if printer is None:
        return {
            "driver": "tcp",
            "port": 9100,
            "baudrate": 9600,
            "dpi": 203,
            "cjk_mode": "bitmap",
            "printer_font": "E:ANMDS.TTF",
            "status_query": True,
            "enabled": True,
            "label_kinds": [],
        }
    return {
        "code": printer.code,
        "name": printer.name,
        "driver": printer.driver.value,
        "address": printer.address,
        "port": printer.port,
        "baudrate": printer.baudrate,
        "dpi": printer.dpi,
        "label_kinds": printer.label_kinds,
        "cjk_mode": printer.cjk_mode,
        "printer_font": printer.printer_font,
        "status_query": printer.status_query,
        "enabled": printer.enabled,
        **service.assignments_of(read_session(), printer),
    }


def _printer_page(
    printer: Printer | None, errors: dict[str, str] | None = None, status: int = 200
) -> Any:
    warehouse = chosen_warehouse(me(), request.values.get("warehouse"))
    warehouse_id = (
        printer.warehouse_id
        if printer and printer.warehouse_id
        else (warehouse.id if warehouse else None)
    )
    if errors is not None:
        form = request.form
        values = {k: form.get(k) for k in form}
        values["label_kinds"] = form.getlist("label_kinds")
    else:
        values = _printer_values(printer)
    readonly = printer is not None and printer.code in file_printers()
    return render_template(
        "console/devices/printer.html",
        printer=printer,
        values=values,
        errors=errors or {},
        drivers=list(PrinterDriver),
        kinds=list(KINDS),
        dpis=service.DPIS,
        stations=_stations(warehouse_id),
        zones=_zones(warehouse_id),
        readonly=readonly,
        source=service.source_of(printer.code, file_printers()) if printer else "console",
    ), status


def _back_to_devices(done: str | None) -> Any:
    """After a change that committed: the runtime picks it up, the list says what was done.

    ``None`` means the change was refused; ``attempt`` has flashed why and nothing reloads.
    """
    if done is not None:
        reload_devices()
        flash(done, "success")
    return redirect(url_for("console.devices"))


def _submit_printer(printer_id: int | None) -> Any:
    form = Form()
    warehouse = chosen_warehouse(me(), request.values.get("warehouse"))

    def work(db: Any) -> Printer:
        data = _printer_input(form)
        form.check()
        existing = db.get(Printer, printer_id) if printer_id else None
        warehouse_id = (
            existing.warehouse_id
            if existing and existing.warehouse_id
            else (warehouse.id if warehouse else None)
        )
        return service.save_printer(
            db,
            data,
            warehouse_id=warehouse_id,
            printer_id=printer_id,
            file_codes=file_printers(),
            actor=actor(db),
            **audit_ctx(),
        )

    outcome = attempt(work)
    if not outcome.ok:
        found = read_session().get(Printer, printer_id) if printer_id else None
        return _printer_page(found, outcome.errors or {"_": ""}, 422)
    return _back_to_devices(gettext("Printer %(code)s saved.", code=outcome.value.code))


@console_page
def printer_new() -> Any:
    if request.method == "POST":
        return _submit_printer(None)
    return _printer_page(None)


def _printer(printer_id: int) -> Printer:
    """A printer of a warehouse is managed by that warehouse's supervisors (and admins)."""
    found = read_session().get(Printer, printer_id)
    if found is None:
        abort(404)
    if found.warehouse_id is not None:
        require_warehouse(found.warehouse_id)
    return found


@console_page
def printer(printer_id: int) -> Any:
    found = _printer(printer_id)
    if request.method == "POST":
        return _submit_printer(printer_id)
    return _printer_page(found)


@console_page
def printer_action(printer_id: int, what: str) -> Any:
    found = _printer(printer_id)
    code = found.code
    files = file_printers()
    if what in ("enable", "disable"):
        outcome = attempt(
            lambda db: service.set_printer_enabled(
                db, printer_id, what == "enable", file_codes=files, actor=actor(db), **audit_ctx()
            )
        )
        done = (
            gettext("Printer %(code)s enabled.", code=code)
            if what == "enable"
            else (gettext("Printer %(code)s disabled.", code=code))
        )
    elif what == "delete":
        outcome = attempt(
            lambda db: service.delete_printer(
                db, printer_id, file_codes=files, actor=actor(db), **audit_ctx()
            )
        )
        done = gettext("Printer %(code)s deleted.", code=code)
    elif what == "test-print":
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
        outcome = attempt(
            lambda db: printing.queue_print_job(
                db,
                kind="test",
                data={"printer": code, "at": now},
                printer_code=code,
                requested_by_id=me().id,
                business_key=f"test:{code}",
            )
        )
        done = gettext("Test label queued on %(code)s.", code=code)
    else:
        abort(404)
    return _back_to_devices(done if outcome.ok else None)


# -------------------------------------------------------------- scales ---


def _scale_input(form: Form) -> service.ScaleInput:
    return service.ScaleInput(
        code=form.text("code", max_len=64),
        name=form.text("name"),
        driver=form.text("driver"),
        url=form.text("url"),
        baudrate=form.integer("baudrate"),
        framing=form.text("framing", max_len=8).upper() or "8N1",
        window=form.integer("window"),
        tolerance_g=form.integer("tolerance_g"),
        deadline_ms=form.integer("deadline_ms"),
        enabled=form.flag("enabled"),
        workstation=form.text("workstation", max_len=64),
    )


def _scale_values(scale: ScaleDevice | None) -> dict[str, Any]:
    if scale is None:
        return {
            "driver": "mtsics",
            "baudrate": 9600,
            "framing": "8N1",
            "window": 3,
            "tolerance_g": 2,
            "deadline_ms": 5000,
            "enabled": True,
        }
    station = read_session().get(Workstation, scale.workstation_id or 0)
    return {
        "code": scale.code,
        "name": scale.name,
        "driver": scale.driver.value,
        "url": scale.url,
        "baudrate": scale.baudrate,
        "framing": scale.framing,
        "window": scale.window,
        "tolerance_g": scale.tolerance_g,
        "deadline_ms": scale.deadline_ms,
        "enabled": scale.enabled,
        "workstation": station.code if station else "",
    }


def _scale_page(
    scale: ScaleDevice | None, errors: dict[str, str] | None = None, status: int = 200
) -> Any:
    values = dict(request.form) if errors is not None else _scale_values(scale)
    return render_template(
        "console/devices/scale.html",
        scale=scale,
        values=values,
        errors=errors or {},
        drivers=list(ScaleDriver),
        stations=_stations(None),
        readonly=scale is not None and scale.code in file_scales(),
        source=service.source_of(scale.code, file_scales()) if scale else "console",
    ), status


def _submit_scale(scale_id: int | None) -> Any:
    form = Form()

    def work(db: Any) -> ScaleDevice:
        data = _scale_input(form)
        form.check()
        return service.save_scale(
            db, data, scale_id=scale_id, file_codes=file_scales(), actor=actor(db), **audit_ctx()
        )

    outcome = attempt(work)
    if not outcome.ok:
        found = read_session().get(ScaleDevice, scale_id) if scale_id else None
        return _scale_page(found, outcome.errors or {"_": ""}, 422)
    return _back_to_devices(gettext("Scale %(code)s saved.", code=outcome.value.code))


@console_page
def scale_new() -> Any:
    if request.method == "POST":
        return _submit_scale(None)
    return _scale_page(None)


def _scale(scale_id: int) -> ScaleDevice:
    found = read_session().get(ScaleDevice, scale_id)
    if found is None:
        abort(404)
    return found


@console_page
def scale(scale_id: int) -> Any:
    found = _scale(scale_id)
    if request.method == "POST":
        return _submit_scale(scale_id)
    return _scale_page(found)


@console_page
def scale_action(scale_id: int, what: str) -> Any:
    code = _scale(scale_id).code
    files = file_scales()
    if what in ("enable", "disable"):
        outcome = attempt(
            lambda db: service.set_scale_enabled(
                db, scale_id, what == "enable", file_codes=files, actor=actor(db), **audit_ctx()
            )
        )
        done = (
            gettext("Scale %(code)s enabled.", code=code)
            if what == "enable"
            else (gettext("Scale %(code)s disabled.", code=code))
        )
    elif what == "delete":
        outcome = attempt(
            lambda db: service.delete_scale(
                db, scale_id, file_codes=files, actor=actor(db), **audit_ctx()
            )
        )
        done = gettext("Scale %(code)s deleted.", code=code)
    else:
        abort(404)
    return _back_to_devices(done if outcome.ok else None)


def printer_choices(kind: str) -> list[tuple[str, str]]:
    """Enabled printers for a label picker: those taking ``kind`` (or any kind) first."""
    rows = (
        read_session()
        .scalars(select(Printer).where(Printer.enabled.is_(True)).order_by(Printer.code))
        .all()
    )
    fits = [p for p in rows if not p.label_kinds or kind in p.label_kinds]
    others = [p for p in rows if p not in fits]
    return [(p.code, f"{p.code} · {p.name}") for p in fits + others]


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/devices", "devices", devices)
    bp.add_url_rule("/devices/printers/new", "printer_new", printer_new, methods=["GET", "POST"])
    bp.add_url_rule(
        "/devices/printers/<int:printer_id>", "printer", printer, methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/devices/printers/<int:printer_id>/<what>",
        "printer_action",
        printer_action,
        methods=["POST"],
    )
    bp.add_url_rule("/devices/scales/new", "scale_new", scale_new, methods=["GET", "POST"])
    bp.add_url_rule("/devices/scales/<int:scale_id>", "scale", scale, methods=["GET", "POST"])
    bp.add_url_rule(
        "/devices/scales/<int:scale_id>/<what>", "scale_action", scale_action, methods=["POST"]
    )
