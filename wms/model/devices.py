"""Devices: printers, scales, workstations, printer assignments, print jobs and their history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.model.base import Base, IdMixin, TimestampMixin, utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class PrinterDriver(enum.StrEnum):
    tcp = "tcp"          # ZPL over raw TCP, port 9100
    serial = "serial"    # ZPL over RS-232 (pyserial URL)
    fake = "fake"        # writes each job and a PNG preview to the spool folder


class ScaleDriver(enum.StrEnum):
    mtsics = "mtsics"              # Mettler Toledo MT-SICS request/response
    toledo = "toledo"              # Toledo continuous output
    fake = "fake"                  # in-process scale for the demo


class JobState(enum.StrEnum):
    queued = "queued"              # waiting for its printer
    sending = "sending"            # claimed by a sender, bytes on their way
    retry_wait = "retry_wait"      # printer offline / not ready; retried with backoff
    sent = "sent"                  # bytes delivered; raw ZPL never says "printed"
    uncertain = "uncertain"        # connection lost mid-job on an SSCC/serial label
    failed = "failed"              # gave up; a user may reprint
    cancelled = "cancelled"


#: States a job can still leave without a user.
OPEN_JOB_STATES = (JobState.queued, JobState.sending, JobState.retry_wait)


class Printer(IdMixin, TimestampMixin, Base):
    __tablename__ = "printer"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouse.id"), index=True)
    driver: Mapped[PrinterDriver] = mapped_column(_enum(PrinterDriver))
    #: Host name or IP (tcp), pyserial URL or device path (serial); empty for fake.
    address: Mapped[str] = mapped_column(String(200), default="")
    port: Mapped[int] = mapped_column(default=9100)
    baudrate: Mapped[int] = mapped_column(default=9600)
    dpi: Mapped[int] = mapped_column(default=203)
    #: Label kinds this printer's media takes, e.g. ["shipping"] or ["container", "location"].
    label_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: "font" prints Chinese with the printer's TrueType font, "bitmap" renders it here.
    cjk_mode: Mapped[str] = mapped_column(String(16), default="bitmap")
    printer_font: Mapped[str] = mapped_column(String(64), default="E:ANMDS.TTF")
    status_query: Mapped[bool] = mapped_column(default=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    #: Last known state (PrinterState value) and when it was seen.
    state: Mapped[str] = mapped_column(String(32), default="unknown")
    state_detail: Mapped[str] = mapped_column(String(500), default="")
    state_at: Mapped[datetime | None]


class Workstation(IdMixin, TimestampMixin, Base):
    """A place with its own printers (pack station, receiving dock); has a scannable label."""

    __tablename__ = "workstation"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouse.id"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)


class PrinterAssignment(IdMixin, Base):
    """Which printer prints a label kind (or any) for a terminal, workstation, zone or warehouse."""

    __tablename__ = "printer_assignment"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN terminal IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN workstation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN zone_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN warehouse_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_scope",
        ),
    )

    printer_id: Mapped[int] = mapped_column(
        ForeignKey("printer.id", ondelete="CASCADE"), index=True
    )
    #: None means every label kind.
    label_kind: Mapped[str | None] = mapped_column(String(32))
    terminal: Mapped[str | None] = mapped_column(String(64), index=True)
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouse.id"), index=True)

    printer: Mapped[Printer] = relationship()


class TerminalWorkstation(Base):
    """The workstation a terminal (PDA) works at, set by scanning the workstation's label."""

    __tablename__ = "terminal_workstation"

    terminal: Mapped[str] = mapped_column(String(64), primary_key=True)
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstation.id", ondelete="CASCADE"))
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScaleDevice(IdMixin, TimestampMixin, Base):
    __tablename__ = "scale"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    driver: Mapped[ScaleDriver] = mapped_column(_enum(ScaleDriver))
    #: pyserial URL or device path: /dev/serial/by-id/..., socket://host:port, fakescale://name
    url: Mapped[str] = mapped_column(String(200), default="")
    baudrate: Mapped[int] = mapped_column(default=9600)
    #: Serial framing such as "8N1" or "7E1".
    framing: Mapped[str] = mapped_column(String(8), default="8N1")
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"), index=True)
    #: Stable-reading window: readings that must agree, within tolerance, before the deadline.
    window: Mapped[int] = mapped_column(default=3)
    tolerance_g: Mapped[int] = mapped_column(default=0)
    deadline_ms: Mapped[int] = mapped_column(default=5000)
    enabled: Mapped[bool] = mapped_column(default=True)


class PrintJob(IdMixin, Base):
    """One label job: created in the business transaction, sent after commit by the spooler."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_printer_state", "printer_id", "state", "id"),)

    #: Printed as ^FXJOB:<ref> inside the format, to find a job in captured streams.
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printer.id"), index=True)
    label_kind: Mapped[str] = mapped_column(String(32))
    #: The data the label was rendered from (JSON), for previews and reprints.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    zpl: Mapped[str] = mapped_column(Text)
    copies: Mapped[int] = mapped_column(default=1)
    #: Carries an SSCC or serial: never re-sent automatically after a broken connection.
    serialized: Mapped[bool] = mapped_column(default=False)
    #: The business document it belongs to, e.g. "container:LPN0001" or "shipment:SH-42".
    business_key: Mapped[str | None] = mapped_column(String(128), index=True)
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.queued)
    reprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("print_job.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    terminal: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    #: A sender that claimed the job owns it until then (a crashed sender's job is recovered).
    lease_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    printer: Mapped[Printer] = relationship()
    events: Mapped[list[PrintJobEvent]] = relationship(
        back_populates="job", order_by="PrintJobEvent.id", cascade="all, delete-orphan"
    )

    def record(self, event: str, *, actor_id: int | None = None, detail: str = "") -> None:
        self.events.append(PrintJobEvent(event=event, actor_id=actor_id, detail=detail[:500]))


class PrintJobEvent(IdMixin, Base):
    """Job history: queued, claimed, sent, held, retry, interrupted, reprinted, resolved ..."""

    __tablename__ = "print_job_event"

    job_id: Mapped[int] = mapped_column(ForeignKey("print_job.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    detail: Mapped[str] = mapped_column(String(500), default="")

    job: Mapped[PrintJob] = relationship(back_populates="events")
