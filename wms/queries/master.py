"""Reading master data page by page, oldest first by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from wms.model import Item, Location, Partner, PartnerKind, Warehouse, Zone


def items_page(
    session: Session,
    *,
    after_id: int,
    limit: int,
    sku_prefix: str | None = None,
    active: bool | None = None,
) -> Sequence[Item]:
    stmt = select(Item).options(selectinload(Item.units), selectinload(Item.barcodes))
    if sku_prefix:
        stmt = stmt.where(Item.sku.startswith(sku_prefix, autoescape=True))
    if active is not None:
        stmt = stmt.where(Item.active.is_(active))
    return _page(session, stmt, Item.id, after_id, limit)


def item(session: Session, sku: str) -> Item | None:
    return session.scalar(
        select(Item)
        .where(Item.sku == sku)
        .options(selectinload(Item.units), selectinload(Item.barcodes))
    )


def locations_page(
    session: Session,
    *,
    after_id: int,
    limit: int,
    warehouse_ids: frozenset[int],
    warehouse: str | None = None,
    zone: str | None = None,
    virtual: bool | None = None,
) -> Sequence[Location]:
    """``warehouse_ids`` limits the rows to those warehouses; empty means all."""
    stmt = select(Location).join(Warehouse, Warehouse.id == Location.warehouse_id)
    if warehouse_ids:
        stmt = stmt.where(Location.warehouse_id.in_(warehouse_ids))
    if warehouse:
        stmt = stmt.where(Warehouse.code == warehouse)
    if zone:
        stmt = stmt.join(Zone, Zone.id == Location.zone_id).where(Zone.code == zone)
    if virtual is not None:
        kind = Location.virtual_kind
        stmt = stmt.where(kind.is_not(None) if virtual else kind.is_(None))
    stmt = stmt.options(selectinload(Location.warehouse), selectinload(Location.zone))
    return _page(session, stmt, Location.id, after_id, limit)


def partners_page(
    session: Session, *, after_id: int, limit: int, kind: PartnerKind | None = None
) -> Sequence[Partner]:
    stmt = select(Partner)
    if kind is not None:
        stmt = stmt.where(Partner.kind == kind)
    return _page(session, stmt, Partner.id, after_id, limit)


def _page(session: Session, stmt: Select, id_column, after_id: int, limit: int):  # type: ignore[no-untyped-def]
    """``limit + 1`` rows after ``after_id``: the extra one tells there is a next page."""
    return session.scalars(
        stmt.where(id_column > after_id).order_by(id_column).limit(limit + 1)
    ).all()
