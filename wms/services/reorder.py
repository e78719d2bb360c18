"""Safety stock and reorder: alerts, the stock.below_safety webhook, purchase requisitions.

``check`` compares each active rule's *available* stock in its warehouse
(on hand − reserved, status available, every location) with the reorder
point (at least the safety stock). Below it, and with no open requisition
for the item yet, it suggests one: the fixed reorder quantity, or up to
max (order-up-to), tells the console and the ERP (``stock.below_safety``).
A buyer edits, approves or rejects it; an approved requisition is exported
to the ERP by the ``purchase_requisition.approved`` webhook and the
``GET /api/v1/purchase-requisitions`` list; the ERP confirms it became a
purchase order (``mark_exported``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import NotFound, PermissionDenied
from wms.model import (
    OPEN_REQUISITION,
    Item,
    PurchaseRequisition,
    Quant,
    ReorderRule,
    RequisitionStatus,
    Role,
    StockStatus,
    User,
    Warehouse,
    exact,
    qty_str,
)
from wms.services.webhooks import emit_webhook

BUYERS = (Role.supervisor, Role.admin)


class RequisitionNeedsBuyer(PermissionDenied):
    code = "requisition_needs_buyer"
    title = "Only a supervisor (buyer) may decide a requisition"


def _available_by_rule(
    session: Session, warehouse_id: int | None
) -> list[tuple[ReorderRule, Decimal]]:
    stock = (
        select(
            Quant.warehouse_id, Quant.item_id, func.sum(Quant.on_hand - Quant.reserved).label("qty")
        )
        .where(Quant.status == StockStatus.available)
        .group_by(Quant.warehouse_id, Quant.item_id)
        .subquery()
    )
    stmt = (
        select(ReorderRule, stock.c.qty)
        .outerjoin(
            stock,
            and_(
                stock.c.warehouse_id == ReorderRule.warehouse_id,
                stock.c.item_id == ReorderRule.item_id,
            ),
        )
        .where(ReorderRule.active.is_(True))
        .order_by(ReorderRule.id)
    )
    if warehouse_id is not None:
        stmt = stmt.where(ReorderRule.warehouse_id == warehouse_id)
    return [(r, Decimal(q or 0)) for r, q in session.execute(stmt).all()]


def suggested_qty(rule: ReorderRule, available: Decimal) -> Decimal:
    if rule.max_qty is not None:
        return max(rule.max_qty - available, Decimal(0))
    return rule.reorder_qty or max(rule.reorder_point - available, Decimal(0))


def check(session: Session, *, warehouse_id: int | None = None) -> list[PurchaseRequisition]:
    """Suggest a requisition for every item below its reorder point without an open one."""
    open_items = {
        (r[0], r[1])
        for r in session.execute(
            select(PurchaseRequisition.warehouse_id, PurchaseRequisition.item_id).where(
                PurchaseRequisition.status.in_(OPEN_REQUISITION)
            )
        )
    }
    made = []
    for rule, available in _available_by_rule(session, warehouse_id):
        trigger = max(rule.reorder_point, rule.safety_stock)
        if available >= trigger or (rule.warehouse_id, rule.item_id) in open_items:
            continue
        qty = suggested_qty(rule, available)
        if qty <= 0:
            continue
        req = PurchaseRequisition(
            warehouse_id=rule.warehouse_id,
            item_id=rule.item_id,
            suggested_qty=qty,
            qty=qty,
            available_qty=available,
            safety_stock=rule.safety_stock,
            reorder_point=rule.reorder_point,
            status=RequisitionStatus.suggested,
        )
        session.add(req)
        session.flush()
        _alert(session, req, below_safety=available < rule.safety_stock)
        made.append(req)
    return made


@dataclass(frozen=True)
class Shortfall:
    """An item below its reorder point now (a safety-stock alert when below safety stock)."""

    rule: ReorderRule
    sku: str
    name: str
    available: Decimal
    open_requisition: bool

    @property
    def below_safety(self) -> bool:
        return self.available < self.rule.safety_stock


def shortfalls(session: Session, *, warehouse_id: int) -> list[Shortfall]:
    """Every active rule of the warehouse whose item is below its reorder point."""
    below = [
        (r, a)
        for r, a in _available_by_rule(session, warehouse_id)
        if a < max(r.reorder_point, r.safety_stock)
    ]
    ids = [r.item_id for r, _ in below]
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))}
    open_items = set(
        session.scalars(
            select(PurchaseRequisition.item_id).where(
                PurchaseRequisition.warehouse_id == warehouse_id,
                PurchaseRequisition.status.in_(OPEN_REQUISITION),
            )
        )
    )
    return [
        Shortfall(r, items[r.item_id].sku, items[r.item_id].name, a, r.item_id in open_items)
        for r, a in below
    ]


def _alert(session: Session, req: PurchaseRequisition, *, below_safety: bool) -> None:
    data = describe(session, req)
    events.record(
        session, "stock.below_reorder_point", data, rooms=[f"warehouse:{req.warehouse_id}"]
    )
    emit_webhook(session, "stock.below_safety", {**data, "below_safety_stock": below_safety})


def _locked(session: Session, requisition_id: int, user: User) -> PurchaseRequisition:
    if user.role not in BUYERS:
        raise RequisitionNeedsBuyer(user=user.username)
    req = session.scalars(
        select(PurchaseRequisition)
        .where(PurchaseRequisition.id == requisition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if req is None:
        raise NotFound(f"no purchase requisition {requisition_id}")
    return req


def edit(session: Session, *, requisition_id: int, qty: Decimal, user: User) -> PurchaseRequisition:
    req = _locked(session, requisition_id, user)
    req.edit(exact(qty))
    return req


def decide(
    session: Session, *, requisition_id: int, approve: bool, user: User, note: str | None = None
) -> PurchaseRequisition:
    req = _locked(session, requisition_id, user)
    req.decide(
        RequisitionStatus.approved if approve else RequisitionStatus.rejected,
        buyer_id=user.id,
        note=note,
    )
    data = describe(session, req)
    events.record(session, "requisition.decided", data, rooms=[f"warehouse:{req.warehouse_id}"])
    if approve:
        emit_webhook(session, "purchase_requisition.approved", data)
    return req


def approved(session: Session, *, limit: int = 100, after_id: int = 0) -> list[PurchaseRequisition]:
    """Approved requisitions waiting for the ERP, oldest first."""
    return list(
        session.scalars(
            select(PurchaseRequisition)
            .where(
                PurchaseRequisition.status == RequisitionStatus.approved,
                PurchaseRequisition.id > after_id,
            )
            .order_by(PurchaseRequisition.id)
            .limit(limit)
        )
    )


def mark_exported(session: Session, *, requisition_id: int) -> PurchaseRequisition:
    """The ERP took it (it became a purchase order there)."""
    req = session.scalars(
        select(PurchaseRequisition)
        .where(PurchaseRequisition.id == requisition_id)
        .with_for_update()
    ).one_or_none()
    if req is None:
        raise NotFound(f"no purchase requisition {requisition_id}")
    req.exported()
    return req


def describe(session: Session, req: PurchaseRequisition) -> dict[str, Any]:
    item, wh = session.get(Item, req.item_id), session.get(Warehouse, req.warehouse_id)
    return {
        "id": req.id,
        "status": req.status.value,
        "sku": item.sku if item else None,
        "warehouse": wh.code if wh else None,
        "qty": qty_str(req.qty),
        "suggested_qty": qty_str(req.suggested_qty),
        "available": qty_str(req.available_qty),
        "safety_stock": qty_str(req.safety_stock),
        "reorder_point": qty_str(req.reorder_point),
        "note": req.note,
        "created_at": req.created_at.isoformat() if req.created_at else None,
    }
