"""The spooler's side of the job table: claim the next job of a printer, record the outcome.

Ordering: a printer's jobs go out by id. The oldest open job is the head;
while it waits for a retry, later jobs wait behind it. One sender per
printer: on PostgreSQL the claim locks the printer row with
``FOR UPDATE SKIP LOCKED`` (a busy claimer elsewhere means "not now"); on
SQLite every transaction is ``BEGIN IMMEDIATE`` and the claim is a guarded
``UPDATE ... WHERE state = <seen state>`` whose row count proves ownership.

``SpoolStore`` is the worker's entrypoint: each method is one short
transaction, and no transaction is open while bytes go to a printer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from wms.db import is_postgres
from wms.devices.ports import ClaimedJob, PrinterStatus
from wms.model.base import utcnow
from wms.model.devices import OPEN_JOB_STATES, JobState, Printer, PrintJob, PrintJobEvent

LEASE = timedelta(seconds=120)


def _event(session: Session, job_id: int, event: str, detail: str = "") -> None:
    session.add(PrintJobEvent(job_id=job_id, event=event, detail=detail[:500]))


def _lock_printer(session: Session, code: str) -> Printer | None:
    query = select(Printer).where(Printer.code == code, Printer.enabled.is_(True))
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def _recover_expired(session: Session, printer_id: int, now: datetime) -> None:
    """A sender died mid-job: the label may exist, so serialized ones wait for a person."""
    stale = session.scalars(
        select(PrintJob).where(PrintJob.printer_id == printer_id,
                               PrintJob.state == JobState.sending, PrintJob.lease_until < now)
    ).all()
    for job in stale:
        job.state = JobState.uncertain if job.serialized else JobState.queued
        job.claim_token = None
        _event(session, job.id, "lease_expired", f"now {job.state.value}")


def claim_next_job(
    session: Session, printer_code: str, *, token: str, now: datetime | None = None
) -> tuple[ClaimedJob | None, float | None]:
    now = now or utcnow()
    printer = _lock_printer(session, printer_code)
    if printer is None:
        return None, None
    _recover_expired(session, printer.id, now)
    session.flush()
    busy = session.scalar(select(func.count()).select_from(PrintJob).where(
        PrintJob.printer_id == printer.id, PrintJob.state == JobState.sending))
    if busy:
        return None, None
    head = session.scalars(
        select(PrintJob).where(PrintJob.printer_id == printer.id,
                               PrintJob.state.in_([JobState.queued, JobState.retry_wait]))
        .order_by(PrintJob.id).limit(1)
    ).first()
    if head is None:
        return None, None
    if head.next_attempt_at is not None and head.next_attempt_at > now:
        return None, (head.next_attempt_at - now).total_seconds()
    won = session.execute(
        update(PrintJob)
        .where(PrintJob.id == head.id, PrintJob.state == head.state)
        .values(state=JobState.sending, claim_token=token, lease_until=now + LEASE,
                attempts=PrintJob.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        return None, None
    session.refresh(head)
    return ClaimedJob(
        id=head.id, ref=head.ref, printer_code=printer.code, data=head.zpl.encode("utf-8"),
        serialized=head.serialized, attempts=head.attempts, created_at=head.created_at,
        token=token,
    ), None


def _finish(session: Session, job: ClaimedJob, event: str, detail: str, **values: object) -> bool:
    """Guarded by the claim token: a sender that lost its lease cannot overwrite."""
    changed = session.execute(
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.state == JobState.sending,
               PrintJob.claim_token == job.token)
        .values(claim_token=None, lease_until=None, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        _event(session, job.id, event, detail)
    return bool(changed)


def mark_sent(session: Session, job: ClaimedJob, status: PrinterStatus) -> bool:
    return _finish(session, job, "sent", f"attempt {job.attempts}; after: {status.state.value}",
                   state=JobState.sent, sent_at=utcnow(), last_error=None)


def mark_retry(session: Session, job: ClaimedJob, *, reason: str, delay: float,
               give_up: bool) -> bool:
    if give_up:
        return _finish(session, job, "failed", f"gave up: {reason}", state=JobState.failed,
                       last_error=reason[:500])
    return _finish(session, job, "retry", f"in {delay:.1f}s: {reason}",
                   state=JobState.retry_wait, last_error=reason[:500],
                   next_attempt_at=utcnow() + timedelta(seconds=delay))


def mark_uncertain(session: Session, job: ClaimedJob, *, reason: str) -> bool:
    return _finish(session, job, "interrupted", f"needs a person: {reason}",
                   state=JobState.uncertain, last_error=reason[:500])


def record_printer_status(session: Session, printer_code: str, status: PrinterStatus) -> None:
    session.execute(
        update(Printer).where(Printer.code == printer_code)
        .values(state=status.state.value, state_detail=status.detail[:500], state_at=status.at)
    )


def printers_with_work(session: Session) -> list[str]:
    return list(session.scalars(
        select(Printer.code).join(PrintJob, PrintJob.printer_id == Printer.id)
        .where(PrintJob.state.in_(OPEN_JOB_STATES), Printer.enabled.is_(True)).distinct()
    ))


class SpoolStore:
    """JobStore for the spooler thread: each call is its own short transaction."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def printers_with_work(self) -> list[str]:
        with self.factory.begin() as session:
            return printers_with_work(session)

    def claim(self, printer_code: str, token: str) -> tuple[ClaimedJob | None, float | None]:
        with self.factory.begin() as session:
            return claim_next_job(session, printer_code, token=token)

    def sent(self, job: ClaimedJob, status: PrinterStatus) -> None:
        with self.factory.begin() as session:
            mark_sent(session, job, status)

    def retry(self, job: ClaimedJob, *, reason: str, delay: float, give_up: bool) -> None:
        with self.factory.begin() as session:
            mark_retry(session, job, reason=reason, delay=delay, give_up=give_up)

    def uncertain(self, job: ClaimedJob, *, reason: str) -> None:
        with self.factory.begin() as session:
            mark_uncertain(session, job, reason=reason)

    def printer_status(self, printer_code: str, status: PrinterStatus) -> None:
        with self.factory.begin() as session:
            record_printer_status(session, printer_code, status)
