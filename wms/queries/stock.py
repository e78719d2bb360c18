"""Reading stock: quants with their codes, and the move ledger as a feed, oldest first.

The feed must never skip a line. Ids are handed out when a line is written
but lines become visible when their transaction commits, so on PostgreSQL
a line with a smaller id can appear after a reader has passed it. Each line
therefore carries its writing transaction's id (``txid``) and the feed
orders by (txid, id) and shows only lines of transactions older than every
transaction of this database still running: whatever appears later sorts
after the cursor. Transaction ids are cluster-wide, so transactions of other
databases on the same server are left out of that horizon (a long-running
write transaction in this database does hold the feed back until it ends).
On SQLite one writer at a time makes id order the commit order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from wms.db import is_postgres
from wms.model import (
    Container,
    Item,
    Location,
    Lot,
    Quant,
    Serial,
    StockMove,
    StockStatus,
    Warehouse,
)

#: The oldest transaction still running here (64-bit id), or the next id if none is.
#: An in-progress id not found in pg_stat_activity may have just ended: kept, to be safe.
_HORIZON = text("""
select coalesce(
  (select min(x::text::bigint) from pg_snapshot_xip(pg_current_snapshot()) x
   where not exists (
     select 1 from pg_stat_activity a
     where a.backend_xid is not null
       and a.backend_xid::text::bigint = x::text::bigint % 4294967296
       and a.datname is distinct from current_database())),
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint)
""")


@dataclass(frozen=True)
class StockFilter:
    warehouse_ids: frozenset[int] = frozenset()
    warehouse: str | None = None
    sku: str | None = None
    location: str | None = None
    lot: str | None = None
    status: StockStatus | None = None


def stock_page(session: Session, f: StockFilter, *, after_id: int, limit: int) -> Sequence[Row]:
    """Quants holding or reserving stock, with codes, ``limit + 1`` rows after ``after_id``."""
    stmt = (
        select(
            Quant.id,
            Quant.on_hand,
            Quant.reserved,
            Quant.status,
            Quant.in_date,
            Warehouse.code.label("warehouse"),
            Item.sku,
            Item.base_uom.label("uom"),
            Location.code.label("location"),
            Lot.lot_no.label("lot"),
            Lot.expiry_date.label("expiry"),
            Serial.serial_no.label("serial"),
            Container.code.label("container"),
        )
        .join(Item, Item.id == Quant.item_id)
        .join(Location, Location.id == Quant.location_id)
        .join(Warehouse, Warehouse.id == Quant.warehouse_id)
        .outerjoin(Lot, Lot.id == Quant.lot_id)
        .outerjoin(Serial, Serial.id == Quant.serial_id)
        .outerjoin(Container, Container.id == Quant.container_id)
        .where(or_(Quant.on_hand != 0, Quant.reserved != 0), Quant.id > after_id)
    )
    conditions = [
        (f.warehouse_ids, Quant.warehouse_id.in_(f.warehouse_ids)),
        (f.warehouse, Warehouse.code == f.warehouse),
        (f.sku, Item.sku == f.sku),
        (f.location, Location.code == f.location),
        (f.lot, Lot.lot_no == f.lot),
        (f.status, Quant.status == f.status),
    ]
    stmt = stmt.where(*[cond for wanted, cond in conditions if wanted])
    return session.execute(stmt.order_by(Quant.id).limit(limit + 1)).all()


def _move_columns() -> tuple[Any, ...]:
    src, dst = aliased(Location), aliased(Location)
    src_c, dst_c = aliased(Container), aliased(Container)
    columns = (
        StockMove,
        Warehouse.code.label("warehouse"),
        Item.sku,
        Item.base_uom.label("uom"),
        src.code.label("from_location"),
        dst.code.label("to_location"),
        Lot.lot_no.label("lot"),
        Serial.serial_no.label("serial"),
        src_c.code.label("from_container"),
        dst_c.code.label("to_container"),
    )
    joins = (
        (Warehouse, Warehouse.id == StockMove.warehouse_id, False),
        (Item, Item.id == StockMove.item_id, False),
        (src, src.id == StockMove.from_location_id, False),
        (dst, dst.id == StockMove.to_location_id, False),
        (Lot, Lot.id == StockMove.lot_id, True),
        (Serial, Serial.id == StockMove.serial_id, True),
        (src_c, src_c.id == StockMove.from_container_id, True),
        (dst_c, dst_c.id == StockMove.to_container_id, True),
    )
    return columns, joins


def _moves_select() -> Any:
    columns, joins = _move_columns()
    stmt = select(*columns)
    for target, on, outer in joins:
        stmt = stmt.outerjoin(target, on) if outer else stmt.join(target, on)
    return stmt


def moves_by_ids(session: Session, ids: Sequence[int]) -> Sequence[Row]:
    rows = session.execute(_moves_select().where(StockMove.id.in_(ids))).all()
    order = {move_id: n for n, move_id in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r.StockMove.id])


def moves_feed(
    session: Session,
    *,
    after: tuple[int, int] | None,
    limit: int,
    warehouse_ids: frozenset[int] = frozenset(),
    warehouse: str | None = None,
    sku: str | None = None,
) -> Sequence[Row]:
    """Ledger lines after the cursor position (txid, id), oldest first; at most ``limit``."""
    stmt = _moves_select()
    if is_postgres(session):
        horizon = session.scalar(_HORIZON)
        stmt = stmt.where(StockMove.txid < horizon).order_by(StockMove.txid, StockMove.id)
        if after is not None:
            stmt = stmt.where(tuple_(StockMove.txid, StockMove.id) > tuple_(*after))
    else:
        stmt = stmt.order_by(StockMove.id)
        if after is not None:
            stmt = stmt.where(StockMove.id > after[1])
    if warehouse_ids:
        stmt = stmt.where(StockMove.warehouse_id.in_(warehouse_ids))
    if warehouse:
        stmt = stmt.where(Warehouse.code == warehouse)
    if sku:
        stmt = stmt.where(Item.sku == sku)
    return session.execute(stmt.limit(limit)).all()
