"""Device rows: devices.toml synced in, configs read back for the registry.

Precedence: a code listed in ``config/devices.toml`` belongs to the file.
Every start writes the file's entries over the rows of the same codes, so
the console shows them (source "devices.toml") but does not edit, disable
or delete them, and refuses a new device with such a code. Every other
device is the console's (``wms.services.device_edits``): stored only in the
database, never touched by the sync. A device removed from the file stays,
as a console device.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from wms.devices.config import DevicesConfig, PrinterConfig, ScaleConfig
from wms.model.devices import (
    Printer,
    PrinterAssignment,
    PrinterDriver,
    ScaleDevice,
    ScaleDriver,
    TerminalWorkstation,
    Workstation,
)


def _upsert(session: Session, model: type, code: str) -> object:
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        row = model(code=code)
        session.add(row)
    return row


def _sync_printer(session: Session, cfg: PrinterConfig, warehouse_id: int | None) -> Printer:
    printer = _upsert(session, Printer, cfg.code)
    assert isinstance(printer, Printer)
    printer.name = cfg.name or cfg.code
    printer.warehouse_id = warehouse_id
    printer.driver = PrinterDriver(cfg.driver)
    printer.address, printer.port, printer.baudrate = cfg.address, cfg.port, cfg.baudrate
    printer.dpi, printer.label_kinds = cfg.dpi, list(cfg.label_kinds)
    printer.cjk_mode, printer.printer_font = cfg.cjk_mode, cfg.printer_font
    printer.status_query, printer.enabled = cfg.status_query, cfg.enabled
    session.flush()
    session.execute(delete(PrinterAssignment).where(PrinterAssignment.printer_id == printer.id))
    kinds = list(cfg.label_kinds) or [None]
    for kind in kinds:
        if cfg.workstation:
            station = session.scalar(select(Workstation).where(Workstation.code == cfg.workstation))
            if station is None:
                raise ValueError(f"printer {cfg.code}: unknown workstation {cfg.workstation}")
            session.add(
                PrinterAssignment(printer_id=printer.id, label_kind=kind, workstation_id=station.id)
            )
        if cfg.default and warehouse_id is not None:
            session.add(
                PrinterAssignment(printer_id=printer.id, label_kind=kind, warehouse_id=warehouse_id)
            )
    return printer


def _sync_scale(session: Session, cfg: ScaleConfig) -> None:
    scale = _upsert(session, ScaleDevice, cfg.code)
    assert isinstance(scale, ScaleDevice)
    scale.name = cfg.name or cfg.code
    scale.driver = ScaleDriver(cfg.driver)
    scale.url, scale.baudrate, scale.framing = cfg.url, cfg.baudrate, cfg.framing
    scale.window, scale.tolerance_g = cfg.window, cfg.tolerance_g
    scale.deadline_ms = cfg.deadline_ms
    scale.enabled = cfg.enabled
    scale.workstation_id = None
    if cfg.workstation:
        station = session.scalar(select(Workstation).where(Workstation.code == cfg.workstation))
        scale.workstation_id = station.id if station else None


def sync_devices(session: Session, config: DevicesConfig, *, warehouse_id: int | None) -> None:
    """Create or update workstations, printers (with assignments) and scales from config."""
    for ws in config.workstations:
        station = _upsert(session, Workstation, ws.code)
        assert isinstance(station, Workstation)
        station.name = ws.name or ws.code
        station.warehouse_id = warehouse_id
    session.flush()
    for printer in config.printers:
        _sync_printer(session, printer, warehouse_id)
    for scale in config.scales:
        _sync_scale(session, scale)
    session.flush()


def printer_configs(session: Session) -> list[PrinterConfig]:
    return [
        PrinterConfig(
            code=p.code,
            name=p.name,
            driver=p.driver.value,
            address=p.address,
            port=p.port,
            baudrate=p.baudrate,
            dpi=p.dpi,
            label_kinds=tuple(p.label_kinds),
            cjk_mode=p.cjk_mode,
            printer_font=p.printer_font,
            status_query=p.status_query,
            enabled=p.enabled,
        )
        for p in session.scalars(select(Printer).order_by(Printer.code))
    ]


def scale_configs(session: Session) -> list[ScaleConfig]:
    return [
        ScaleConfig(
            code=s.code,
            name=s.name,
            driver=s.driver.value,
            url=s.url,
            baudrate=s.baudrate,
            framing=s.framing,
            window=s.window,
            tolerance_g=s.tolerance_g,
            deadline_ms=s.deadline_ms,
            enabled=s.enabled,
        )
        for s in session.scalars(select(ScaleDevice).order_by(ScaleDevice.code))
    ]


def scale_for_terminal(session: Session, terminal: str | None) -> str | None:
    """The code of the enabled scale at the workstation this terminal is bound to."""
    if not terminal:
        return None
    binding = session.get(TerminalWorkstation, terminal)
    if binding is None:
        return None
    return session.scalar(
        select(ScaleDevice.code)
        .where(ScaleDevice.workstation_id == binding.workstation_id, ScaleDevice.enabled.is_(True))
        .order_by(ScaleDevice.code)
        .limit(1)
    )


def config_fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever a printer, scale or assignment is added, edited or removed."""
    return (
        session.execute(select(func.count(Printer.id), func.max(Printer.updated_at))).one()[:],
        session.execute(select(func.count(ScaleDevice.id), func.max(ScaleDevice.updated_at))).one()[
            :
        ],
        session.execute(
            select(func.count(PrinterAssignment.id), func.max(PrinterAssignment.id))
        ).one()[:],
    )
