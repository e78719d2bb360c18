"""The console's device edits: printers and scales added, changed, switched and removed.

Every field is checked and every failure listed at once (``ValidationFailed``);
nothing is saved then. A device whose code ``config/devices.toml`` lists
belongs to the file (see ``wms.services.devices``): it is shown, not edited,
disabled or deleted here. Every change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from wms.devices.config import check_serial_url
from wms.errors import Conflict, FieldError, NotFound, ValidationFailed
from wms.labels.templates import KINDS
from wms.model import User, Zone
from wms.model.devices import (
    Printer,
    PrinterAssignment,
    PrinterDriver,
    PrintJob,
    ScaleDevice,
    ScaleDriver,
    Workstation,
)
from wms.services.access import audit

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:\-]{0,199}$")
FONT = re.compile(r"^[A-Z]:[A-Za-z0-9_.-]{1,60}$")
FRAMING = re.compile(r"^[78][NEO][12]$")
DPIS = (203, 300, 600)
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
SOURCE_FILE, SOURCE_CONSOLE = "devices.toml", "console"


class UnknownPrinterRow(NotFound):
    code = "unknown_printer"
    title = "Unknown printer"


class UnknownScaleRow(NotFound):
    code = "unknown_scale"
    title = "Unknown scale"


class DefinedInFile(Conflict):
    code = "device_defined_in_file"
    title = "Device is defined in devices.toml"


class PrinterHasJobs(Conflict):
    code = "printer_has_jobs"
    title = "Printer has print jobs"


@dataclass
class PrinterInput:
    """What the console's printer form says; numbers are None when left empty."""

    code: str
    name: str = ""
    driver: str = "tcp"
    address: str = ""
    port: int | None = 9100
    baudrate: int | None = 9600
    dpi: int | None = 203
    label_kinds: list[str] = field(default_factory=list)
    cjk_mode: str = "bitmap"
    printer_font: str = "E:ANMDS.TTF"
    status_query: bool = True
    enabled: bool = True
    #: Assignments: print the kinds above for this workstation / zone / terminal / warehouse.
    workstation: str = ""
    zone_id: int | None = None
    terminal: str = ""
    default: bool = False


@dataclass
class ScaleInput:
    code: str
    name: str = ""
    driver: str = "mtsics"
    url: str = ""
    baudrate: int | None = 9600
    framing: str = "8N1"
    window: int | None = 3
    tolerance_g: int | None = 2
    deadline_ms: int | None = 5000
    enabled: bool = True
    workstation: str = ""


def source_of(code: str, file_codes: Collection[str]) -> str:
    return SOURCE_FILE if code in file_codes else SOURCE_CONSOLE


def _check_code(
    errors: list[FieldError],
    session: Session,
    model: type,
    code: str,
    row_id: int | None,
    file_codes: Collection[str],
) -> None:
    if not code:
        errors.append(FieldError("code", "required"))
    elif not CODE.match(code):
        errors.append(FieldError("code", "letters, digits, '.', '_' and '-' only"))
    elif code in file_codes:
        errors.append(FieldError("code", "this code is defined in devices.toml", "duplicate"))
    else:
        other = session.scalar(select(model.id).where(model.code == code))
        if other is not None and other != row_id:
            errors.append(FieldError("code", "already in use", "duplicate"))


RANGES = {
    "port": (1, 65535, "a TCP port is a number from 1 to 65535"),
    "window": (1, 50, "from 1 to 50 readings"),
    "tolerance_g": (0, 100_000, "from 0 to 100000 g"),
    "deadline_ms": (100, 60_000, "from 100 to 60000 ms"),
}


def _in_range(errors: list[FieldError], name: str, value: int | None) -> None:
    low, high, message = RANGES[name]
    if value is None:
        errors.append(FieldError(name, "required"))
    elif not low <= value <= high:
        errors.append(FieldError(name, message))


def _station(session: Session, errors: list[FieldError], code: str) -> Workstation | None:
    if not code:
        return None
    station = session.scalar(select(Workstation).where(Workstation.code == code))
    if station is None:
        errors.append(FieldError("workstation", "unknown workstation"))
    return station


def _writable(row: Printer | ScaleDevice, file_codes: Collection[str]) -> None:
    if row.code in file_codes:
        raise DefinedInFile(
            "This device is defined in devices.toml: change it in the file.", device=row.code
        )


_Device = TypeVar("_Device", Printer, ScaleDevice)


def _switch(
    session: Session,
    device: _Device,
    kind: str,
    enabled: bool,
    file_codes: Collection[str],
    actor: User | None,
    ctx: dict[str, object],
) -> _Device:
    """Enable or disable a console printer or scale, audited as ``device.<kind>_enabled``."""
    _writable(device, file_codes)
    device.enabled = enabled
    session.flush()
    audit(
        session,
        action=f"device.{kind}_{'enabled' if enabled else 'disabled'}",
        actor=actor,
        target=device.code,
        **ctx,
    )  # type: ignore[arg-type]
    return device


def _validate_printer(
    session: Session,
    data: PrinterInput,
    *,
    warehouse_id: int | None,
    printer_id: int | None,
    file_codes: Collection[str],
) -> tuple[Workstation | None, list[FieldError]]:
    errors: list[FieldError] = []
    _check_code(errors, session, Printer, data.code, printer_id, file_codes)
    if data.driver not in PrinterDriver.__members__:
        errors.append(FieldError("driver", "unknown driver"))
    elif data.driver == PrinterDriver.tcp:
        if not data.address:
            errors.append(FieldError("address", "required"))
        elif not HOST.match(data.address):
            errors.append(FieldError("address", "not a host name or IP address"))
        _in_range(errors, "port", data.port)
    elif data.driver == PrinterDriver.serial:
        problem = check_serial_url(data.address)
        if problem:
            errors.append(FieldError("address", problem))
        if data.baudrate not in BAUDRATES:
            errors.append(FieldError("baudrate", "not a serial speed"))
    if data.dpi not in DPIS:
        errors.append(FieldError("dpi", "203, 300 or 600"))
    unknown = [k for k in data.label_kinds if k not in KINDS]
    if unknown:
        errors.append(FieldError("label_kinds", "unknown label kind"))
    if data.cjk_mode not in ("bitmap", "font"):
        errors.append(FieldError("cjk_mode", "unknown Chinese text mode"))
    if data.cjk_mode == "font" and not FONT.match(data.printer_font):
        errors.append(FieldError("printer_font", "a printer font looks like E:ANMDS.TTF"))
    station = _station(session, errors, data.workstation)
    if data.zone_id is not None:
        zone = session.get(Zone, data.zone_id)
        if zone is None or (warehouse_id is not None and zone.warehouse_id != warehouse_id):
            errors.append(FieldError("zone", "unknown zone"))
    if len(data.terminal) > 64:
        errors.append(FieldError("terminal", "too long"))
    if data.default and warehouse_id is None:
        errors.append(FieldError("default", "choose a warehouse first"))
    return station, errors


def save_printer(
    session: Session,
    data: PrinterInput,
    *,
    warehouse_id: int | None,
    printer_id: int | None = None,
    file_codes: Collection[str] = (),
    actor: User | None = None,
    **ctx: object,
) -> Printer:
    """Create or change a console printer and its assignments; all or nothing."""
    printer = None
    if printer_id is not None:
        printer = session.get(Printer, printer_id)
        if printer is None:
            raise UnknownPrinterRow("unknown printer", printer=printer_id)
        _writable(printer, file_codes)
    station, errors = _validate_printer(
        session, data, warehouse_id=warehouse_id, printer_id=printer_id, file_codes=file_codes
    )
    if errors:
        raise ValidationFailed(errors)
    if printer is None:
        printer = Printer(code=data.code)
        session.add(printer)
    printer.code, printer.name = data.code, data.name or data.code
    printer.warehouse_id = warehouse_id
    printer.driver = PrinterDriver(data.driver)
    printer.address = "" if data.driver == PrinterDriver.fake else data.address
    printer.port = data.port or 9100
    printer.baudrate = data.baudrate or 9600
    printer.dpi = data.dpi or 203
    printer.label_kinds = list(dict.fromkeys(data.label_kinds))
    printer.cjk_mode, printer.printer_font = data.cjk_mode, data.printer_font
    printer.status_query, printer.enabled = data.status_query, data.enabled
    session.flush()
    session.execute(delete(PrinterAssignment).where(PrinterAssignment.printer_id == printer.id))
    scopes: list[dict[str, object]] = []
    if station is not None:
        scopes.append({"workstation_id": station.id})
    if data.zone_id is not None:
        scopes.append({"zone_id": data.zone_id})
    if data.terminal:
        scopes.append({"terminal": data.terminal})
    if data.default:
        scopes.append({"warehouse_id": warehouse_id})
    for kind in printer.label_kinds or [None]:
        for scope in scopes:
            session.add(PrinterAssignment(printer_id=printer.id, label_kind=kind, **scope))
    session.flush()
    audit(session, action="device.printer_saved", actor=actor, target=printer.code, **ctx)  # type: ignore[arg-type]
    return printer


def assignments_of(session: Session, printer: Printer) -> dict[str, object]:
    """The form's view of a printer's assignments."""
    rows = session.scalars(
        select(PrinterAssignment)
        .where(PrinterAssignment.printer_id == printer.id)
        .order_by(PrinterAssignment.id)
    ).all()
    station_ids = [r.workstation_id for r in rows if r.workstation_id]
    station = session.get(Workstation, station_ids[0]) if station_ids else None
    return {
        "workstation": station.code if station else "",
        "zone_id": next((r.zone_id for r in rows if r.zone_id), None),
        "terminal": next((r.terminal for r in rows if r.terminal), ""),
        "default": any(r.warehouse_id for r in rows),
    }


def set_printer_enabled(
    session: Session,
    printer_id: int,
    enabled: bool,
    *,
    file_codes: Collection[str] = (),
    actor: User | None = None,
    **ctx: object,
) -> Printer:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise UnknownPrinterRow("unknown printer", printer=printer_id)
    return _switch(session, printer, "printer", enabled, file_codes, actor, ctx)


def delete_printer(
    session: Session,
    printer_id: int,
    *,
    file_codes: Collection[str] = (),
    actor: User | None = None,
    **ctx: object,
) -> str:
    """Remove a console printer that never printed; one with jobs is disabled instead."""
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise UnknownPrinterRow("unknown printer", printer=printer_id)
    _writable(printer, file_codes)
    jobs = session.scalar(select(func.count()).where(PrintJob.printer_id == printer.id))
    if jobs:
        raise PrinterHasJobs(
            "This printer has print jobs: disable it instead of deleting it.",
            printer=printer.code,
        )
    code = printer.code
    session.execute(delete(PrinterAssignment).where(PrinterAssignment.printer_id == printer.id))
    session.delete(printer)
    session.flush()
    audit(session, action="device.printer_deleted", actor=actor, target=code, **ctx)  # type: ignore[arg-type]
    return code


def save_scale(
    session: Session,
    data: ScaleInput,
    *,
    scale_id: int | None = None,
    file_codes: Collection[str] = (),
    actor: User | None = None,
    **ctx: object,
) -> ScaleDevice:
    """Create or change a console scale; all or nothing."""
    scale = None
    if scale_id is not None:
        scale = session.get(ScaleDevice, scale_id)
        if scale is None:
            raise UnknownScaleRow("unknown scale", scale=scale_id)
        _writable(scale, file_codes)
    errors: list[FieldError] = []
    _check_code(errors, session, ScaleDevice, data.code, scale_id, file_codes)
    if data.driver not in ScaleDriver.__members__:
        errors.append(FieldError("driver", "unknown driver"))
    if data.driver != ScaleDriver.fake or data.url:
        problem = check_serial_url(data.url)
        if problem:
            errors.append(FieldError("url", problem))
    if data.baudrate not in BAUDRATES:
        errors.append(FieldError("baudrate", "not a serial speed"))
    if not FRAMING.match(data.framing):
        errors.append(FieldError("framing", "data bits, parity, stop bits: 8N1, 7E1 ..."))
    _in_range(errors, "window", data.window)
    _in_range(errors, "tolerance_g", data.tolerance_g)
    _in_range(errors, "deadline_ms", data.deadline_ms)
    station = _station(session, errors, data.workstation)
    if errors:
        raise ValidationFailed(errors)
    if scale is None:
        scale = ScaleDevice(code=data.code)
        session.add(scale)
    scale.code, scale.name = data.code, data.name or data.code
    scale.driver = ScaleDriver(data.driver)
    scale.url, scale.baudrate, scale.framing = data.url, data.baudrate or 9600, data.framing
    scale.window = data.window or 3
    scale.tolerance_g = data.tolerance_g or 0
    scale.deadline_ms = data.deadline_ms or 5000
    scale.enabled = data.enabled
    scale.workstation_id = station.id if station else None
    session.flush()
    audit(session, action="device.scale_saved", actor=actor, target=scale.code, **ctx)  # type: ignore[arg-type]
    return scale


def set_scale_enabled(
    session: Session,
    scale_id: int,
    enabled: bool,
    *,
    file_codes: Collection[str] = (),
    actor: User | None = None,
    **ctx: object,
) -> ScaleDevice:
    scale = session.get(ScaleDevice, scale_id)
    if scale is None:
        raise UnknownScaleRow("unknown scale", scale=scale_id)
    return _switch(session, scale, "scale", enabled, file_codes, actor, ctx)


def delete_scale(
    session: Session,
    scale_id: int,
    *,
    file_codes: Collection[str] = (),
    actor: User | None = None,
    **ctx: object,
) -> str:
    scale = session.get(ScaleDevice, scale_id)
    if scale is None:
        raise UnknownScaleRow("unknown scale", scale=scale_id)
    _writable(scale, file_codes)
    code = scale.code
    session.delete(scale)
    session.flush()
    audit(session, action="device.scale_deleted", actor=actor, target=code, **ctx)  # type: ignore[arg-type]
    return code
