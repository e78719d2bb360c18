"""Incoming QC: inspections of quarantined receipts, and what the verdict does to the stock.

Accepted stock is released (quarantine → available, same place, same
container) and gets a putaway task; rejected stock leaves its container for
the return-to-supplier location with status ``hold`` and a purchase return
is opened for it. ``accepted + rejected`` must account for the whole
quantity; the sample is what the inspector actually checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, InvalidQuantity, NotFound
from wms.model import (
    PurchaseReturn,
    QcInspection,
    QcStatus,
    Quant,
    ReceiptLine,
    StockStatus,
    Task,
    exact,
    qty_str,
    utcnow,
)
from wms.services import inbound_places, ledger, purchase_returns, putaway


class InspectionDone(Conflict):
    code = "inspection_done"
    title = "This inspection is already recorded"


@dataclass(frozen=True)
class Verdict:
    sample_size: Decimal
    accepted: Decimal
    rejected: Decimal
    note: str | None = None


@dataclass(frozen=True)
class InspectionResult:
    inspection: QcInspection
    putaway_tasks: list[Task] = field(default_factory=list)
    purchase_return: PurchaseReturn | None = None


def open_inspection(session: Session, row: ReceiptLine) -> QcInspection:
    inspection = QcInspection(
        receipt_line_id=row.id,
        warehouse_id=row.receipt.warehouse_id,
        item_id=row.item_id,
        lot_id=row.lot_id,
        container_id=row.container_id,
        location_id=row.location_id,
        qty=row.qty,
        status=QcStatus.pending,
    )
    session.add(inspection)
    session.flush()
    events.record(
        session,
        "qc.inspection_opened",
        {"id": inspection.id, "sku": row.item.sku, "qty": qty_str(row.qty)},
        rooms=[f"warehouse:{inspection.warehouse_id}"],
    )
    return inspection


def pending_for_container(session: Session, container_id: int) -> QcInspection | None:
    return session.scalar(
        select(QcInspection)
        .where(QcInspection.container_id == container_id, QcInspection.status == QcStatus.pending)
        .order_by(QcInspection.id)
        .limit(1)
    )


def check_verdict(inspection: QcInspection, verdict: Verdict) -> Verdict:
    """Exact, non-negative, within the quantity, and adding up to it."""
    sample, accepted, rejected = (
        exact(verdict.sample_size, field="sample_size"),
        exact(verdict.accepted, field="accepted"),
        exact(verdict.rejected, field="rejected"),
    )
    if not 0 < sample <= inspection.qty:
        raise InvalidQuantity(
            f"sample size must be between 1 and {qty_str(inspection.qty)}",
            field="sample_size",
            max=qty_str(inspection.qty),
        )
    if accepted < 0 or rejected < 0 or accepted + rejected != inspection.qty:
        raise InvalidQuantity(
            f"accepted and rejected must add up to {qty_str(inspection.qty)}",
            field="accepted",
            total=qty_str(inspection.qty),
        )
    return Verdict(sample, accepted, rejected, verdict.note)


def record_inspection(
    session: Session,
    *,
    inspection_id: int,
    verdict: Verdict,
    inspector_id: int | None,
    device_id: str | None = None,
    request_id: str | None = None,
) -> InspectionResult:
    inspection = session.scalars(
        select(QcInspection)
        .where(QcInspection.id == inspection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if inspection is None:
        raise NotFound(f"no inspection {inspection_id}")
    if inspection.status is QcStatus.done:
        raise InspectionDone(f"inspection {inspection_id} is done", inspection=str(inspection_id))
    verdict = check_verdict(inspection, verdict)
    returns_at = inbound_places.returns_location(session, inspection.warehouse_id)
    moves = _verdict_moves(session, inspection, verdict, returns_at.id)
    ledger.post_moves(
        session, moves, operator_id=inspector_id, device_id=device_id, request_id=request_id
    )
    inspection.status, inspection.inspected_at = QcStatus.done, utcnow()
    inspection.sample_size, inspection.accepted = verdict.sample_size, verdict.accepted
    inspection.rejected, inspection.note = verdict.rejected, verdict.note
    inspection.inspector_id = inspector_id
    tasks = _putaway_accepted(session, inspection, inspector_id) if verdict.accepted else []
    doc = (
        _return_rejected(session, inspection, returns_at.id, inspector_id)
        if verdict.rejected
        else None
    )
    events.record(
        session,
        "qc.inspection_recorded",
        {
            "id": inspection.id,
            "accepted": qty_str(verdict.accepted),
            "rejected": qty_str(verdict.rejected),
        },
        rooms=[f"warehouse:{inspection.warehouse_id}"],
    )
    session.flush()
    return InspectionResult(inspection, tasks, doc)


def _quarantined(session: Session, inspection: QcInspection) -> list[Quant]:
    stmt = select(Quant).where(
        Quant.location_id == inspection.location_id,
        Quant.item_id == inspection.item_id,
        Quant.status == StockStatus.quarantine,
        Quant.on_hand > 0,
    )
    for column, value in (
        (Quant.lot_id, inspection.lot_id),
        (Quant.container_id, inspection.container_id),
    ):
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    return list(session.scalars(stmt.order_by(Quant.id)))


def _verdict_moves(
    session: Session, inspection: QcInspection, verdict: Verdict, returns_id: int
) -> list[ledger.MoveRequest]:
    """Accepted first, then rejected, taken quant by quant (serials are one per quant)."""
    wants = [(verdict.accepted, True), (verdict.rejected, False)]
    moves: list[ledger.MoveRequest] = []
    for quant in _quarantined(session, inspection):
        left = quant.on_hand
        for i, (want, accept) in enumerate(wants):
            take = min(want, left)
            if take <= 0:
                continue
            wants[i] = (want - take, accept)
            left -= take
            moves.append(_verdict_move(quant, take, accept, returns_id, inspection))
    if any(want > 0 for want, _ in wants):
        raise Conflict(f"the quarantined stock of inspection {inspection.id} is not all there")
    return moves


def _verdict_move(
    quant: Quant, qty: Decimal, accept: bool, returns_id: int, inspection: QcInspection
) -> ledger.MoveRequest:
    return ledger.MoveRequest(
        item_id=quant.item_id,
        qty=qty,
        from_location_id=quant.location_id,
        to_location_id=quant.location_id if accept else returns_id,
        reason="status_change" if accept else "return",
        lot_id=quant.lot_id,
        serial_id=quant.serial_id,
        from_container_id=quant.container_id,
        keep_container=accept,
        from_status=StockStatus.quarantine,
        to_status=StockStatus.available if accept else StockStatus.hold,
        document_type="qc_inspection",
        document_ref=str(inspection.id),
    )


def _putaway_accepted(
    session: Session, inspection: QcInspection, actor_id: int | None
) -> list[Task]:
    source = putaway.Source(
        warehouse_id=inspection.warehouse_id,
        item_id=inspection.item_id,
        qty=inspection.accepted or Decimal(0),
        from_location_id=inspection.location_id,
        lot_id=inspection.lot_id,
        container_id=inspection.container_id,
        document_type="qc_inspection",
        document_ref=str(inspection.id),
    )
    return putaway.plan_putaway(session, [source], actor_id=actor_id)


def _return_rejected(
    session: Session, inspection: QcInspection, returns_id: int, actor_id: int | None
) -> PurchaseReturn:
    order = inspection.receipt_line.receipt.order
    return purchase_returns.create_return(
        session,
        warehouse_id=inspection.warehouse_id,
        supplier_id=order.supplier_id,
        order_id=order.id,
        reason=f"rejected at QC inspection {inspection.id}",
        created_by_id=actor_id,
        lines=[
            purchase_returns.ReturnLineInput(
                item_id=inspection.item_id,
                qty=inspection.rejected or Decimal(0),
                location_id=returns_id,
                lot_id=inspection.lot_id,
                status=StockStatus.hold,
            )
        ],
    )
