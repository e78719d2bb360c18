"""Sales orders in (bulk, idempotent), their status, quantities and tracking out; cancel."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import NotFound, PermissionDenied
from wms.model import SalesOrder, Warehouse
from wms.queries.outbound import describe_order
from wms.services import orders as service
from wms.web.api.bulk import single_errors
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id, page
from wms.web.api.schemas.outbound import (
    CancelIn,
    SalesOrderBulkIn,
    SalesOrderBulkReply,
    SalesOrderIn,
    SalesOrderOut,
    SalesOrderPage,
    SalesOrderQuery,
    SalesOrderResult,
)

router = Router("sales-orders")


def _input(body: SalesOrderIn) -> service.OrderInput:
    return service.OrderInput(
        external_id=body.external_id, customer=body.customer, warehouse=body.warehouse,
        priority=body.priority, ship_by=body.ship_by, ship_to=body.ship_to,
        carrier=body.carrier, short_policy=body.short_policy,
        lines=[service.LineInput(line_no=ln.line_no, sku=ln.sku, qty=ln.qty, uom=ln.uom,
                                 lot=ln.lot, unit_price=ln.unit_price) for ln in body.lines])


def _out(session: Session, order: SalesOrder) -> SalesOrderOut:
    return SalesOrderOut.model_validate(describe_order(session, order))


def _check_access(session: Session, call: Call, codes: set[str]) -> None:
    for wh in session.scalars(select(Warehouse).where(Warehouse.code.in_(codes))):
        if not call.caller.can_access(wh.id):
            raise PermissionDenied(f"no access to warehouse {wh.code}", warehouse=wh.code)


@router.operation(
    "POST", "/sales-orders", scope="orders:write",
    summary="Create or replace sales orders by external_id (all or nothing)",
    body=SalesOrderIn, bulk=SalesOrderBulkIn,
    responses={200: SalesOrderBulkReply, 201: SalesOrderOut}, errors=(409,),
)
def upsert_sales_orders(session: Session, call: Call) -> Reply:
    """A line with an unknown SKU or unit rejects the whole request; 409 once on the floor."""
    bodies = call.body.items if call.bulk else [call.body]
    _check_access(session, call, {b.warehouse for b in bodies})
    with single_errors(call):
        done = service.upsert_orders(session, [_input(b) for b in bodies])
    if call.bulk:
        rows = [SalesOrderResult(index=i, key=o.external_id, status=o.status.value,
                                 result="created" if new else "updated")
                for i, (o, new) in enumerate(done)]
        return Reply(200, SalesOrderBulkReply(items=rows), f"{len(bodies)} sales orders")
    ((order, new),) = done
    return Reply(201 if new else 200, _out(session, order), f"sales order {order.external_id}")


@router.operation(
    "GET", "/sales-orders", scope="orders:read", summary="List sales orders",
    query=SalesOrderQuery, responses={200: SalesOrderPage},
)
def list_sales_orders(session: Session, call: Call) -> Reply:
    q: SalesOrderQuery = call.query
    stmt = select(SalesOrder).where(SalesOrder.id > after_id(q.cursor))
    if q.status:
        stmt = stmt.where(SalesOrder.status == q.status)
    if call.caller.warehouse_ids:
        stmt = stmt.where(SalesOrder.warehouse_id.in_(call.caller.warehouse_ids))
    rows = session.scalars(stmt.order_by(SalesOrder.id).limit(q.limit + 1)).all()
    return Reply(200, SalesOrderPage(**page(rows, q.limit, lambda o: _out(session, o))))


def _find(session: Session, call: Call) -> SalesOrder:
    ref = call.path["external_id"]
    order = session.scalar(select(SalesOrder).where(SalesOrder.external_id == ref))
    if order is None or not call.caller.can_access(order.warehouse_id):
        raise NotFound(f"unknown sales order {ref}", external_id=ref)
    return order


@router.operation(
    "GET", "/sales-orders/{external_id}", scope="orders:read",
    summary="Status, picked and shipped quantity per line, packages with tracking",
    responses={200: SalesOrderOut}, errors=(404,),
)
def get_sales_order(session: Session, call: Call) -> Reply:
    return Reply(200, _out(session, _find(session, call)))


@router.operation(
    "POST", "/sales-orders/{external_id}/cancel", scope="orders:write",
    summary="Cancel an order until it ships (409 once shipped)", body=CancelIn,
    responses={200: SalesOrderOut}, errors=(404, 409),
)
def cancel_sales_order(session: Session, call: Call) -> Reply:
    order = _find(session, call)
    reason = (call.body.reason if call.body else None) or "cancelled by ERP"
    service.cancel_order(session, order.external_id, reason=reason)
    return Reply(200, _out(session, order), f"sales order {order.external_id} cancelled")
