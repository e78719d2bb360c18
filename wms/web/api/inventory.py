"""Purchase requisitions for the ERP to turn into purchase orders; transfer orders."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import NotFound, PermissionDenied
from wms.model import (
    Item,
    Lot,
    PurchaseRequisition,
    TransferDiscrepancy,
    TransferOrder,
    Warehouse,
)
from wms.services import masterdata, reorder, transfers
from wms.web.api import cursors
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id
from wms.web.api.schemas.inventory import (
    RequisitionOut,
    RequisitionPage,
    RequisitionQuery,
    TransferOrderIn,
    TransferOrderOut,
)

router = Router("inventory")


def requisition_out(session: Session, req: PurchaseRequisition) -> RequisitionOut:
    return RequisitionOut(**reorder.describe(session, req))


@router.operation("GET", "/purchase-requisitions", scope="orders:read",
                  summary="Purchase requisitions (approved ones wait to become purchase orders)",
                  query=RequisitionQuery, responses={200: RequisitionPage})
def list_purchase_requisitions(session: Session, call: Call) -> Reply:
    q: RequisitionQuery = call.query
    stmt = (select(PurchaseRequisition)
            .where(PurchaseRequisition.status == q.status,
                   PurchaseRequisition.id > after_id(q.cursor))
            .order_by(PurchaseRequisition.id).limit(q.limit + 1))
    if call.caller.warehouse_ids:
        stmt = stmt.where(PurchaseRequisition.warehouse_id.in_(call.caller.warehouse_ids))
    rows = list(session.scalars(stmt))
    shown = rows[: q.limit]
    more = len(rows) > q.limit
    return Reply(200, RequisitionPage(
        items=[requisition_out(session, r) for r in shown],
        next_cursor=cursors.encode(shown[-1].id) if more and shown else None))


@router.operation("POST", "/purchase-requisitions/{requisition_id}/exported",
                  scope="orders:write", summary="The ERP made a purchase order of it",
                  responses={200: RequisitionOut}, errors=(404,))
def export_purchase_requisition(session: Session, call: Call) -> Reply:
    try:
        rid = int(call.path["requisition_id"])
    except ValueError:
        raise NotFound(f"no purchase requisition {call.path['requisition_id']}") from None
    req = reorder.mark_exported(session, requisition_id=rid)
    return Reply(200, requisition_out(session, req), f"purchase requisition {rid}")


def _warehouse(session: Session, call: Call, code: str) -> Warehouse:
    wh = session.scalar(select(Warehouse).where(Warehouse.code == code))
    if wh is None:
        raise NotFound(f"unknown warehouse {code}", warehouse=code)
    if not call.caller.can_access(wh.id):
        raise PermissionDenied(f"no access to warehouse {code}")
    return wh


def order_out(session: Session, order: TransferOrder) -> TransferOrderOut:
    lines = {ln.id: ln for ln in order.lines}
    gaps = session.scalars(select(TransferDiscrepancy)
                           .where(TransferDiscrepancy.order_id == order.id)
                           .order_by(TransferDiscrepancy.id))
    return TransferOrderOut(
        external_id=order.external_id, status=order.status,
        from_warehouse=session.get(Warehouse, order.from_warehouse_id).code,  # type: ignore[union-attr]
        to_warehouse=session.get(Warehouse, order.to_warehouse_id).code,  # type: ignore[union-attr]
        lines=[dict(line_no=ln.line_no, sku=session.get(Item, ln.item_id).sku,  # type: ignore[union-attr]
                    lot=session.get(Lot, ln.lot_id).lot_no if ln.lot_id else None,  # type: ignore[union-attr]
                    qty=ln.qty, shipped_qty=ln.shipped_qty, received_qty=ln.received_qty,
                    in_transit=ln.in_transit) for ln in order.lines],
        discrepancies=[dict(line_no=lines[g.line_id].line_no, shipped_qty=g.shipped_qty,
                            received_qty=g.received_qty, diff_qty=g.diff_qty, status=g.status)
                       for g in gaps])


@router.operation("POST", "/transfer-orders", scope="orders:write",
                  summary="A warehouse-to-warehouse transfer order", body=TransferOrderIn,
                  responses={201: TransferOrderOut}, errors=(404,))
def post_transfer_order(session: Session, call: Call) -> Reply:
    body: TransferOrderIn = call.body
    src, dst = (_warehouse(session, call, body.from_warehouse),
                _warehouse(session, call, body.to_warehouse))
    specs = []
    for line in body.lines:
        item = masterdata.item_by_sku(session, line.sku)
        lot = None
        if line.lot:
            lot = session.scalar(select(Lot).where(Lot.item_id == item.id,
                                                   Lot.lot_no == line.lot))
            if lot is None:
                raise NotFound(f"unknown lot {line.lot} of {line.sku}", lot=line.lot)
        specs.append(transfers.LineSpec(item.id, line.qty, lot.id if lot else None))
    order = transfers.create(session, external_id=body.external_id, from_warehouse_id=src.id,
                             to_warehouse_id=dst.id, lines=specs, api_client_id=call.caller.id,
                             note=body.note)
    return Reply(201, order_out(session, order), f"transfer order {order.external_id}")


@router.operation("GET", "/transfer-orders/{external_id}", scope="orders:read",
                  summary="A transfer order: shipped, received, in transit, discrepancies",
                  responses={200: TransferOrderOut}, errors=(404,))
def get_transfer_order(session: Session, call: Call) -> Reply:
    order = session.scalar(select(TransferOrder).where(
        TransferOrder.external_id == call.path["external_id"]))
    if order is None or not call.caller.can_access(order.from_warehouse_id):
        raise NotFound(f"no transfer order {call.path['external_id']}")
    return Reply(200, order_out(session, order))
