"""Purchase orders (ASNs) in, their status and received quantities out; purchase returns out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import NotFound, PermissionDenied
from wms.model import PurchaseOrder, PurchaseReturn, Warehouse
from wms.services import purchase_orders as service
from wms.services.purchase_returns import describe_return
from wms.web.api.bulk import single_errors
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id, page
from wms.web.api.schemas.common import PageQuery
from wms.web.api.schemas.inbound import (
    PurchaseOrderBulkIn,
    PurchaseOrderBulkReply,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPage,
    PurchaseOrderQuery,
    PurchaseOrderResult,
    PurchaseReturnOut,
    PurchaseReturnPage,
)

router = Router("purchase-orders")


def order_out(order: PurchaseOrder) -> PurchaseOrderOut:
    return PurchaseOrderOut.model_validate(service.describe_order(order))


def _input(body: PurchaseOrderIn) -> service.OrderInput:
    return service.OrderInput(
        external_id=body.external_id, supplier=body.supplier, warehouse=body.warehouse,
        expected_at=body.expected_at, note=body.note,
        lines=[service.LineInput(line_no=ln.line_no, sku=ln.sku, qty=ln.qty, uom=ln.uom,
                                 lot=ln.lot, expiry=ln.expiry, sscc=ln.sscc)
               for ln in body.lines],
    )


def _check_access(session: Session, call: Call, bodies: list[PurchaseOrderIn]) -> None:
    codes = {b.warehouse for b in bodies}
    for wh in session.scalars(select(Warehouse).where(Warehouse.code.in_(codes))):
        if not call.caller.can_access(wh.id):
            raise PermissionDenied(f"no access to warehouse {wh.code}", warehouse=wh.code)


@router.operation(
    "POST", "/purchase-orders", scope="orders:write",
    summary="Create or change purchase orders (ASNs) by external_id",
    body=PurchaseOrderIn, bulk=PurchaseOrderBulkIn,
    responses={200: PurchaseOrderBulkReply, 201: PurchaseOrderOut},
)
def upsert_purchase_orders_view(session: Session, call: Call) -> Reply:
    """After receiving started a change keeps what was received and lists `conflicts`."""
    bodies = call.body.items if call.bulk else [call.body]
    _check_access(session, call, bodies)
    with single_errors(call):
        done = service.upsert_purchase_orders(session, [_input(b) for b in bodies])
    if call.bulk:
        rows = [PurchaseOrderResult(index=i, key=o.external_id, status=o.status.value,
                                    result="created" if new else "updated")
                for i, (o, new) in enumerate(done)]
        return Reply(200, PurchaseOrderBulkReply(items=rows), f"{len(bodies)} purchase orders")
    ((order, new),) = done
    return Reply(201 if new else 200, order_out(order), f"purchase order {order.external_id}")


@router.operation(
    "GET", "/purchase-orders", scope="orders:read", summary="List purchase orders",
    query=PurchaseOrderQuery, responses={200: PurchaseOrderPage},
)
def list_purchase_orders(session: Session, call: Call) -> Reply:
    q: PurchaseOrderQuery = call.query
    stmt = select(PurchaseOrder).where(PurchaseOrder.id > after_id(q.cursor))
    if q.status:
        stmt = stmt.where(PurchaseOrder.status == q.status)
    if call.caller.warehouse_ids:
        stmt = stmt.where(PurchaseOrder.warehouse_id.in_(call.caller.warehouse_ids))
    rows = session.scalars(stmt.order_by(PurchaseOrder.id).limit(q.limit + 1)).all()
    return Reply(200, PurchaseOrderPage(**page(rows, q.limit, order_out)))


@router.operation(
    "GET", "/purchase-orders/{external_id}", scope="orders:read",
    summary="Status and received quantity per line", responses={200: PurchaseOrderOut},
    errors=(404,),
)
def get_purchase_order(session: Session, call: Call) -> Reply:
    ref = call.path["external_id"]
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.external_id == ref))
    if order is None or not call.caller.can_access(order.warehouse_id):
        raise NotFound(f"unknown purchase order {ref}", external_id=ref)
    return Reply(200, order_out(order))


@router.operation(
    "GET", "/purchase-returns", scope="orders:read", summary="List purchase returns",
    query=PageQuery, responses={200: PurchaseReturnPage},
)
def list_purchase_returns(session: Session, call: Call) -> Reply:
    q: PageQuery = call.query
    stmt = select(PurchaseReturn).where(PurchaseReturn.id > after_id(q.cursor))
    if call.caller.warehouse_ids:
        stmt = stmt.where(PurchaseReturn.warehouse_id.in_(call.caller.warehouse_ids))
    rows = session.scalars(stmt.order_by(PurchaseReturn.id).limit(q.limit + 1)).all()
    return Reply(200, PurchaseReturnPage(
        **page(rows, q.limit, lambda r: PurchaseReturnOut(**describe_return(session, r)))))


@router.operation(
    "GET", "/purchase-returns/{number}", scope="orders:read", summary="Read one purchase return",
    responses={200: PurchaseReturnOut}, errors=(404,),
)
def get_purchase_return(session: Session, call: Call) -> Reply:
    number = call.path["number"]
    doc = session.scalar(select(PurchaseReturn).where(PurchaseReturn.number == number))
    if doc is None or not call.caller.can_access(doc.warehouse_id):
        raise NotFound(f"unknown purchase return {number}", number=number)
    return Reply(200, PurchaseReturnOut(**describe_return(session, doc)))
