"""Count variances: assess a finished count, then a supervisor approves or rejects each.

Policy (per warehouse, ``settings["counting"]``): a variance whose quantity
is above ``recount_above_qty`` or whose value is above
``recount_above_value`` sends the location to a recount by another
operator; the recount's variances then wait for a supervisor. An approved
variance posts an adjustment to or from ``inventory_loss`` (reason
``count_adjust``); a loss larger than the stock now free there is refused
unless the warehouse allows negative stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import Conflict, InsufficientStock, NotFound, PermissionDenied
from wms.model import (
    Count,
    CountStatus,
    Item,
    Location,
    Role,
    StockMove,
    User,
    Variance,
    VarianceStatus,
    VirtualKind,
    Warehouse,
    qty_str,
)
from wms.services import ledger, masterdata
from wms.services.webhooks import emit_webhook

SUPERVISORS = (Role.supervisor, Role.admin)


class ApprovalNeedsSupervisor(PermissionDenied):
    code = "approval_needs_supervisor"
    title = "Only a supervisor may approve or reject a variance"


class AdjustmentWouldGoNegative(Conflict):
    code = "adjustment_would_go_negative"
    title = "The adjustment would make stock negative"


@dataclass(frozen=True)
class CountPolicy:
    recount_above_qty: Decimal = Decimal(0)
    recount_above_value: Decimal | None = None
    blind: bool = True

    @classmethod
    def of(cls, warehouse: Warehouse) -> CountPolicy:
        conf = (warehouse.settings or {}).get("counting", {})
        value = conf.get("recount_above_value")
        return cls(Decimal(str(conf.get("recount_above_qty", "0"))),
                   None if value is None else Decimal(str(value)), bool(conf.get("blind", True)))

    def needs_recount(self, v: Variance) -> bool:
        if abs(v.diff_qty) > self.recount_above_qty:
            return True
        limit = self.recount_above_value
        return limit is not None and v.value is not None and abs(v.value) > limit


def unit_cost(session: Session, item_id: int) -> Decimal | None:
    """The item's latest known unit cost from the ledger (receipts carry it)."""
    return session.scalar(
        select(StockMove.unit_cost).where(StockMove.item_id == item_id,
                                          StockMove.unit_cost.is_not(None))
        .order_by(StockMove.id.desc()).limit(1))


def assess(session: Session, count: Count) -> tuple[list[Variance], bool]:
    """Variances of a finished count, and whether a recount must decide them."""
    found = []
    for line in count.lines:
        diff = line.counted_qty - line.expected_qty
        if diff == 0:
            continue
        cost = unit_cost(session, line.item_id)
        found.append(Variance(
            count_id=count.id, warehouse_id=count.warehouse_id, location_id=count.location_id,
            item_id=line.item_id, lot_id=line.lot_id, serial_id=line.serial_id,
            container_id=line.container_id, expected_qty=line.expected_qty,
            counted_qty=line.counted_qty, diff_qty=diff, unit_cost=cost,
            value=None if cost is None else diff * cost, status=VarianceStatus.pending))
    policy = CountPolicy.of(session.get(Warehouse, count.warehouse_id))  # type: ignore[arg-type]
    recount = count.recount_of_id is None and any(policy.needs_recount(v) for v in found)
    for v in found:
        v.status = VarianceStatus.recount if recount else VarianceStatus.pending
    session.add_all(found)
    if count.recount_of_id is not None:
        _supersede(session, count)
    if not found:
        count.status = CountStatus.closed
    session.flush()
    if found and not recount:
        events.record(session, "variance.pending", {"count_id": count.id, "variances": len(found)},
                      rooms=[f"warehouse:{count.warehouse_id}"])
    return found, recount


def _supersede(session: Session, recount: Count) -> None:
    original = session.get(Count, recount.recount_of_id)
    for v in session.scalars(select(Variance).where(Variance.count_id == recount.recount_of_id,
                                                    Variance.status == VarianceStatus.recount)):
        v.status, v.recount_id = VarianceStatus.superseded, recount.id
    if original is not None:
        original.status = CountStatus.closed


def _locked(session: Session, variance_id: int, user: User) -> Variance:
    if user.role not in SUPERVISORS:
        raise ApprovalNeedsSupervisor(user=user.username)
    found = session.scalars(select(Variance).where(Variance.id == variance_id).with_for_update()
                            .execution_options(populate_existing=True)).one_or_none()
    if found is None:
        raise NotFound(f"no variance {variance_id}")
    return found


def approve(session: Session, *, variance_id: int, user: User, reason: str) -> Variance:
    """Post the adjustment to or from inventory_loss and tell the ERP (count.approved)."""
    v = _locked(session, variance_id, user)
    v.decide(VarianceStatus.approved, user_id=user.id, reason=reason)
    moves = _adjust(session, v, user, reason)
    v.adjustment_move_ids = [m.id for m in moves]
    _close_if_decided(session, v.count_id)
    payload = describe(session, v)
    emit_webhook(session, "count.approved", payload)
    emit_webhook(session, "stock.adjusted", {**payload, "reason": "count_adjust"})
    events.record(session, "variance.decided", payload, rooms=[f"warehouse:{v.warehouse_id}"])
    return v


def reject(session: Session, *, variance_id: int, user: User, reason: str) -> Variance:
    """The book quantity stands; nothing moves."""
    v = _locked(session, variance_id, user)
    v.decide(VarianceStatus.rejected, user_id=user.id, reason=reason)
    _close_if_decided(session, v.count_id)
    events.record(session, "variance.decided", describe(session, v),
                  rooms=[f"warehouse:{v.warehouse_id}"])
    return v


def _adjust(session: Session, v: Variance, user: User, reason: str) -> list[StockMove]:
    loss = masterdata.virtual_location(session, warehouse_id=v.warehouse_id,
                                       kind=VirtualKind.inventory_loss)
    gain = v.diff_qty > 0
    request = ledger.MoveRequest(
        item_id=v.item_id, qty=abs(v.diff_qty),
        from_location_id=loss.id if gain else v.location_id,
        to_location_id=v.location_id if gain else loss.id,
        reason="count_adjust", lot_id=v.lot_id, serial_id=v.serial_id,
        from_container_id=None if gain else v.container_id,
        to_container_id=v.container_id if gain else None, keep_container=not gain,
        note=reason[:500], document_type="count", document_ref=str(v.count_id),
        unit_cost=v.unit_cost)
    try:
        return ledger.post_moves(session, [request], operator_id=user.id)
    except InsufficientStock as exc:
        first = exc.shortages[0] if exc.shortages else {}
        raise AdjustmentWouldGoNegative(
            exc.detail, available=first.get("available"), requested=qty_str(abs(v.diff_qty)),
            sku=first.get("sku"), location=first.get("location")) from None


def _close_if_decided(session: Session, count_id: int) -> None:
    session.flush()
    waiting = session.scalar(select(Variance.id).where(
        Variance.count_id == count_id,
        Variance.status.in_((VarianceStatus.pending, VarianceStatus.recount))).limit(1))
    count = session.get(Count, count_id)
    if waiting is None and count is not None:
        count.status = CountStatus.closed


def describe(session: Session, v: Variance) -> dict[str, Any]:
    item, loc = session.get(Item, v.item_id), session.get(Location, v.location_id)
    return {
        "variance_id": v.id, "count_id": v.count_id, "status": v.status.value,
        "sku": item.sku if item else None, "location": loc.code if loc else None,
        "lot_id": v.lot_id, "expected_qty": qty_str(v.expected_qty),
        "counted_qty": qty_str(v.counted_qty), "diff_qty": qty_str(v.diff_qty),
        "value": None if v.value is None else qty_str(v.value), "reason": v.reason,
        "decided_at": v.decided_at.isoformat() if v.decided_at else None,
        "stock_move_ids": list(v.adjustment_move_ids or []),
    }
