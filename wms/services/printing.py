"""Printing use cases: queue a label in the business transaction, reprint, resolve, cancel.

A print job is a row written with the business work and sent after commit
by the spooler (``wms.devices.spooler``); nothing here touches a device, so
a printer problem can never roll back a receipt or a shipment. Services
flush, never commit. ``notify_after_commit`` wakes the spooler once the
transaction that queued jobs has committed; a rollback drops the wake-up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from wms.errors import Conflict, NotFound, WmsError
from wms.labels.templates import LabelRenderer, RenderOptions, carries_identity
from wms.model import Item, Location
from wms.model.base import utcnow
from wms.model.devices import (
    OPEN_JOB_STATES,
    JobState,
    Printer,
    PrinterAssignment,
    PrintJob,
    TerminalWorkstation,
    Workstation,
)
from wms.scanning.checkdigits import gtin14, is_gtin

_PENDING_KEY = "wms.print_jobs_queued"


class UnknownPrinter(NotFound):
    code = "unknown_printer"
    title = "Unknown printer"


class UnknownWorkstation(NotFound):
    code = "unknown_workstation"
    title = "Unknown workstation"


class NoPrinterAssigned(WmsError):
    code = "no_printer_assigned"
    http_status = 409
    title = "No printer is assigned here"


class UnknownPrintJob(NotFound):
    code = "unknown_print_job"
    title = "Unknown print job"


@lru_cache(maxsize=1)
def default_renderer() -> LabelRenderer:
    return LabelRenderer()


def render_options(printer: Printer) -> RenderOptions:
    cjk = "font" if printer.cjk_mode == "font" else "bitmap"
    return RenderOptions(dpi=printer.dpi, cjk=cjk, printer_font=printer.printer_font)


# ----------------------------------------------------------- choosing ---


def printer_by_code(session: Session, code: str) -> Printer:
    printer = session.scalar(select(Printer).where(Printer.code == code))
    if printer is None or not printer.enabled:
        raise UnknownPrinter(f"printer {code} is unknown or disabled", printer=code)
    return printer


def _assigned(session: Session, kind: str, **scope: Any) -> Printer | None:
    ((column, value),) = scope.items()
    rows = session.scalars(
        select(PrinterAssignment)
        .join(Printer)
        .where(getattr(PrinterAssignment, column) == value, Printer.enabled.is_(True))
        .where((PrinterAssignment.label_kind == kind) | PrinterAssignment.label_kind.is_(None))
        .order_by(PrinterAssignment.label_kind.is_(None), PrinterAssignment.id)
    ).first()
    return rows.printer if rows else None


def choose_printer(
    session: Session,
    *,
    kind: str,
    terminal: str | None = None,
    workstation_code: str | None = None,
    zone_id: int | None = None,
    warehouse_id: int | None = None,
) -> Printer:
    """The printer for a label kind: terminal, then workstation, zone, warehouse."""
    station = None
    if workstation_code:
        station = workstation_by_code(session, workstation_code)
    elif terminal:
        binding = session.get(TerminalWorkstation, terminal)
        station = session.get(Workstation, binding.workstation_id) if binding else None
    scopes: list[tuple[str, Any]] = [("terminal", terminal)]
    if station is not None:
        scopes.append(("workstation_id", station.id))
        zone_id = zone_id or station.zone_id
        warehouse_id = warehouse_id or station.warehouse_id
    scopes += [("zone_id", zone_id), ("warehouse_id", warehouse_id)]
    for column, value in scopes:
        if value is not None and (found := _assigned(session, kind, **{column: value})):
            return found
    raise NoPrinterAssigned(f"no printer for {kind} labels here", kind=kind)


def station_of(session: Session, terminal: str | None) -> str | None:
    """The code of the workstation a terminal is bound to, if any."""
    binding = session.get(TerminalWorkstation, terminal) if terminal else None
    station = session.get(Workstation, binding.workstation_id) if binding else None
    return station.code if station else None


def workstation_by_code(session: Session, code: str) -> Workstation:
    station = session.scalar(select(Workstation).where(Workstation.code == code))
    if station is None:
        raise UnknownWorkstation(f"workstation {code} is unknown", workstation=code)
    return station


def use_workstation(
    session: Session, *, terminal: str, scanned: str, user_id: int | None = None
) -> Workstation:
    """An operator scanned a workstation label (``WS:<code>``): print there from now on."""
    code = scanned.removeprefix("WS:")
    station = workstation_by_code(session, code)
    binding = session.get(TerminalWorkstation, terminal)
    if binding is None:
        binding = TerminalWorkstation(terminal=terminal, workstation_id=station.id)
        session.add(binding)
    binding.workstation_id = station.id
    binding.bound_by_id = user_id
    binding.bound_at = utcnow()
    session.flush()
    return station


# ------------------------------------------------------------ queueing ---


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    return value


def queue_print_job(
    session: Session,
    *,
    kind: str,
    data: Mapping[str, Any],
    printer_code: str | None = None,
    terminal: str | None = None,
    workstation_code: str | None = None,
    zone_id: int | None = None,
    warehouse_id: int | None = None,
    business_key: str | None = None,
    copies: int = 1,
    requested_by_id: int | None = None,
    renderer: LabelRenderer | None = None,
    reprint_of: PrintJob | None = None,
) -> PrintJob:
    """Render a label and queue it; sent after this transaction commits."""
    if printer_code:
        printer = printer_by_code(session, printer_code)
    else:
        printer = choose_printer(
            session,
            kind=kind,
            terminal=terminal,
            workstation_code=workstation_code,
            zone_id=zone_id,
            warehouse_id=warehouse_id,
        )
    stored = _jsonable(data)
    ref = uuid.uuid4().hex
    zpl = (renderer or default_renderer()).render(
        kind, stored, options=render_options(printer), job_ref=ref, copies=copies
    )
    job = PrintJob(
        ref=ref,
        printer=printer,
        printer_id=printer.id,
        label_kind=kind,
        data=stored,
        zpl=zpl,
        copies=copies,
        serialized=carries_identity(stored),
        business_key=business_key,
        state=JobState.queued,
        requested_by_id=requested_by_id,
        terminal=terminal,
        reprint_of_id=reprint_of.id if reprint_of else None,
        attempts=0,
    )
    detail = f"reprint of {reprint_of.ref}" if reprint_of else f"{kind} on {printer.code}"
    job.record("queued", actor_id=requested_by_id, detail=detail)
    session.add(job)
    session.flush()
    session.info.setdefault(_PENDING_KEY, set()).add(printer.code)
    return job


def get_job(session: Session, job_id: int) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise UnknownPrintJob(f"print job {job_id} is unknown", job=job_id)
    return job


def reprint(
    session: Session,
    job_id: int,
    *,
    user_id: int | None,
    printer_code: str | None = None,
    reason: str = "",
    renderer: LabelRenderer | None = None,
) -> PrintJob:
    """A user asks for a label again: a new job, recorded on the original."""
    original = get_job(session, job_id)
    if original.state in OPEN_JOB_STATES:
        raise Conflict(f"job {original.ref} is still {original.state.value}", job=original.id)
    again = queue_print_job(
        session,
        kind=original.label_kind,
        data=original.data,
        printer_code=printer_code or original.printer.code,
        business_key=original.business_key,
        copies=original.copies,
        requested_by_id=user_id,
        renderer=renderer,
        reprint_of=original,
    )
    original.record("reprinted", actor_id=user_id, detail=f"as {again.ref} {reason}".strip())
    session.flush()
    return again


def resolve_uncertain(
    session: Session, job_id: int, *, printed: bool, user_id: int | None
) -> PrintJob | None:
    """An operator looked at an interrupted SSCC/serial label: printed, or print it again."""
    job = get_job(session, job_id)
    if job.state is not JobState.uncertain:
        raise Conflict(f"job {job.ref} is {job.state.value}, not uncertain", job=job.id)
    if printed:
        job.state = JobState.sent
        job.record("confirmed_printed", actor_id=user_id)
        session.flush()
        return None
    job.state = JobState.failed
    job.record("confirmed_missing", actor_id=user_id)
    return reprint(session, job_id, user_id=user_id, reason="after interruption")


def cancel(session: Session, job_id: int, *, user_id: int | None) -> PrintJob:
    job = get_job(session, job_id)
    if job.state not in (JobState.queued, JobState.retry_wait):
        raise Conflict(f"job {job.ref} is {job.state.value} and cannot be cancelled", job=job.id)
    job.state = JobState.cancelled
    job.record("cancelled", actor_id=user_id)
    session.flush()
    return job


# ---------------------------------------------------- after-commit hook ---


def notify_after_commit(
    factory: sessionmaker[Session] | type[Session], wake: Callable[[Iterable[str]], None]
) -> Callable[[], None]:
    """Call ``wake(printer_codes)`` after a commit that queued jobs; returns an uninstaller."""

    def after_commit(session: Session) -> None:
        codes = session.info.pop(_PENDING_KEY, None)
        if codes:
            wake(sorted(codes))

    def after_rollback(session: Session, _previous: Any) -> None:
        session.info.pop(_PENDING_KEY, None)

    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", after_rollback)

    def uninstall() -> None:
        event.remove(factory, "after_commit", after_commit)
        event.remove(factory, "after_soft_rollback", after_rollback)

    return uninstall


# ------------------------------------------------------ labels on demand ---

#: At most this many labels in one request (a page of locations is 50).
MAX_LABELS_PER_REQUEST = 500


class TooManyLabels(WmsError):
    code = "too_many_labels"
    http_status = 422
    title = "Too many labels at once"


class NothingToPrint(WmsError):
    code = "nothing_to_print"
    http_status = 422
    title = "Nothing to print"


def print_location_labels(
    session: Session,
    *,
    location_ids: Iterable[int],
    warehouse_id: int,
    printer_code: str | None = None,
    requested_by_id: int | None = None,
) -> list[PrintJob]:
    """One location label job per location, in code order, queued in this transaction."""
    wanted = sorted(set(location_ids))
    if not wanted:
        raise NothingToPrint("Choose at least one location.")
    if len(wanted) > MAX_LABELS_PER_REQUEST:
        raise TooManyLabels(
            "Too many labels at once: choose at most 500.", limit=MAX_LABELS_PER_REQUEST
        )
    found = list(
        session.scalars(
            select(Location)
            .where(Location.id.in_(wanted), Location.warehouse_id == warehouse_id)
            .order_by(Location.code)
        )
    )
    if len(found) != len(wanted) or any(loc.is_virtual for loc in found):
        raise NotFound("Some of the chosen locations do not exist in this warehouse.")
    return [
        queue_print_job(
            session,
            kind="location",
            printer_code=printer_code,
            warehouse_id=warehouse_id,
            zone_id=loc.zone_id,
            data={
                "code": loc.code,
                "check_digits": loc.check_digits,
                "zone_name": loc.zone.name if loc.zone is not None else "",
            },
            business_key=f"location:{loc.code}",
            requested_by_id=requested_by_id,
        )
        for loc in found
    ]


def print_item_labels(
    session: Session,
    *,
    item_id: int,
    copies: int,
    warehouse_id: int | None = None,
    printer_code: str | None = None,
    requested_by_id: int | None = None,
) -> PrintJob:
    """``copies`` identical item labels in one job (the printer repeats the format)."""
    if not 1 <= copies <= MAX_LABELS_PER_REQUEST:
        raise TooManyLabels("Print between 1 and 500 labels at once.", limit=MAX_LABELS_PER_REQUEST)
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound("Unknown item.", item=item_id)
    gtin = next(
        (gtin14(b.barcode) for b in item.barcodes if b.barcode.isdigit() and is_gtin(b.barcode)), ""
    )
    return queue_print_job(
        session,
        kind="item",
        printer_code=printer_code,
        warehouse_id=warehouse_id,
        data={"sku": item.sku, "name": item.name, "gtin": gtin},
        copies=copies,
        business_key=f"item:{item.sku}",
        requested_by_id=requested_by_id,
    )
