"""Stock on hand, the move ledger as a feed, and immediate moves by integrated systems."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from wms.model import Quant, StockMove
from wms.queries import stock as queries
from wms.queries.ledger_check import ledger_discrepancies
from wms.services.stock import MoveSpec, Posted, default_warehouse, post_coded_moves
from wms.web.api import cursors
from wms.web.api.bulk import single_errors
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id
from wms.web.api.schemas.stock import (
    LedgerCheckOut,
    LedgerDiscrepancyOut,
    StockMoveBulkIn,
    StockMoveIn,
    StockMoveList,
    StockMoveOut,
    StockMovePage,
    StockMoveQuery,
    StockPage,
    StockQuery,
    StockRow,
)

router = Router("stock")


def stock_row(row: Row) -> StockRow:
    data: dict[str, Any] = row._asdict()
    data["available"] = row.on_hand - row.reserved
    return StockRow(**data)


def move_out(row: Row) -> StockMoveOut:
    move = row.StockMove
    return StockMoveOut(
        id=move.id,
        created_at=move.created_at,
        warehouse=row.warehouse,
        sku=row.sku,
        qty=move.qty,
        uom=row.uom,
        entered_qty=move.entered_qty,
        entered_uom=move.entered_uom,
        from_location=row.from_location,
        to_location=row.to_location,
        lot=row.lot,
        serial=row.serial,
        from_container=row.from_container,
        to_container=row.to_container,
        from_status=move.from_status,
        to_status=move.to_status,
        reason=move.reason,
        reference=move.document_ref,
        note=move.note,
        task_id=move.task_id,
        reverses_move_id=move.reverses_move_id,
    )


@router.operation(
    "GET",
    "/stock",
    scope="stock:read",
    summary="Stock on hand, reserved and available",
    query=StockQuery,
    responses={200: StockPage},
)
def list_stock(session: Session, call: Call) -> Reply:
    """One row per item, location, lot, serial, container and status holding stock."""
    q: StockQuery = call.query
    filters = queries.StockFilter(
        warehouse_ids=call.caller.warehouse_ids,
        warehouse=q.warehouse,
        sku=q.sku,
        location=q.location,
        lot=q.lot,
        status=q.status,
    )
    rows = queries.stock_page(session, filters, after_id=after_id(q.cursor), limit=q.limit)
    shown = rows[: q.limit]
    more = len(rows) > q.limit
    return Reply(
        200,
        StockPage(
            items=[stock_row(r) for r in shown],
            next_cursor=cursors.encode(shown[-1].id) if more and shown else None,
        ),
    )


@router.operation(
    "GET",
    "/stock-moves",
    scope="stock:read",
    summary="The ledger, oldest first",
    query=StockMoveQuery,
    responses={200: StockMovePage},
)
def list_stock_moves(session: Session, call: Call) -> Reply:
    """How an ERP stays in sync: keep `next_cursor` and ask again; no line is ever skipped."""
    q: StockMoveQuery = call.query
    position = cursors.decode(q.cursor, parts=2)
    rows = queries.moves_feed(
        session,
        after=position,
        limit=q.limit,  # type: ignore[arg-type]
        warehouse_ids=call.caller.warehouse_ids,
        warehouse=q.warehouse,
        sku=q.sku,
    )
    if rows:
        last = rows[-1].StockMove
        position = (last.txid or 0, last.id)
    return Reply(
        200,
        StockMovePage(
            items=[move_out(r) for r in rows],
            next_cursor=cursors.encode(*(position or (0, 0))),
        ),
    )


def posted_out(posted: Posted) -> StockMoveOut:
    line, spec = posted.line, posted.spec
    return StockMoveOut(
        id=line.id,
        created_at=line.created_at,
        warehouse=spec.warehouse or "",
        sku=spec.sku,
        qty=line.qty,
        uom=posted.uom,
        entered_qty=line.entered_qty,
        entered_uom=line.entered_uom,
        from_location=spec.from_location,
        to_location=spec.to_location,
        lot=spec.lot,
        serial=spec.serial,
        from_container=spec.container,
        to_container=spec.container,
        from_status=line.from_status,
        to_status=line.to_status,
        reason=line.reason,
        reference=line.document_ref,
        note=line.note,
        task_id=None,
        reverses_move_id=None,
    )


def spec(body: StockMoveIn, default: str | None) -> MoveSpec:
    return MoveSpec(
        sku=body.sku,
        qty=body.qty,
        uom=body.uom,
        from_location=body.from_location,
        to_location=body.to_location,
        warehouse=body.warehouse or default,
        lot=body.lot,
        serial=body.serial,
        container=body.container,
        status=body.status,
        to_status=body.to_status,
        reason=body.reason,
        reference=body.reference,
        note=body.note,
    )


@router.operation(
    "POST",
    "/stock-moves",
    scope="stock:write",
    summary="Move or adjust stock now",
    body=StockMoveIn,
    bulk=StockMoveBulkIn,
    responses={201: StockMoveOut | StockMoveList},
    errors=(409,),
)
def post_stock_moves(session: Session, call: Call) -> Reply:
    """Posted at once, all lines or none. Short or reserved stock: 409 with `available`."""
    bodies = call.body.items if call.bulk else [call.body]
    default = None
    if any(b.warehouse is None for b in bodies):
        default = default_warehouse(session, call.caller.warehouse_ids)
    with single_errors(call):
        lines = post_coded_moves(
            session,
            [spec(b, default) for b in bodies],
            may_access=call.caller.can_access,
            default_warehouse=default,
            api_client_id=call.caller.id,
            request_id=call.request_id,
        )
    rows = [posted_out(p) for p in lines]
    target = f"stock move {rows[0].id}" if len(rows) == 1 else f"{len(rows)} stock moves"
    if call.bulk:
        return Reply(201, StockMoveList(items=rows), target)
    return Reply(201, rows[0], target)


@router.operation(
    "GET",
    "/ledger-check",
    scope="stock:read",
    summary="Prove the quants equal the sum of the ledger's moves (as `wms check-ledger`)",
    responses={200: LedgerCheckOut},
)
def ledger_check(session: Session, call: Call) -> Reply:
    """Every discrepancy between the stock tables and the ledger; an empty list is a clean book."""
    problems = ledger_discrepancies(session)
    quants = session.scalar(select(func.count()).select_from(Quant)) or 0
    moves = session.scalar(select(func.count()).select_from(StockMove)) or 0
    return Reply(
        200,
        LedgerCheckOut(
            ok=not problems,
            quants=quants,
            moves=moves,
            discrepancies=[LedgerDiscrepancyOut(**vars(p)) for p in problems],
        ),
    )
