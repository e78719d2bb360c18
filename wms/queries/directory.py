"""Paged searches of the console's lists: users, items, API clients, audit entries, orders,
item inbound profiles."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from wms.model import (
    ApiClient,
    AuditLog,
    Item,
    ItemInboundProfile,
    Location,
    PurchaseOrder,
    PurchaseOrderStatus,
    User,
    Warehouse,
    Zone,
)
from wms.queries.paging import PAGE_SIZE, Page, keyset_page, prefix_range


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_users(
    session: Session, *, q: str = "", after: str | None = None, before: str | None = None
) -> Page[User]:
    stmt = select(User).options(selectinload(User.warehouses))
    if q.strip():
        pattern = _contains(q.strip())
        stmt = stmt.where(
            or_(
                User.username.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    return keyset_page(session, stmt, User.username, after=after, before=before)


def search_items(
    session: Session, *, q: str = "", after: str | None = None, before: str | None = None
) -> Page[Item]:
    """Items by SKU prefix (an index range) or by a word of the name."""
    stmt = select(Item).options(selectinload(Item.units), selectinload(Item.barcodes))
    return _items_page(session, stmt, q, after, before)


def search_item_profiles(
    session: Session,
    *,
    q: str = "",
    only_set: bool = False,
    after: str | None = None,
    before: str | None = None,
) -> Page[Item]:
    """Items as ``search_items`` finds them; ``only_set``: just those with an inbound profile."""
    stmt = select(Item)
    if only_set:
        stmt = stmt.where(Item.id.in_(select(ItemInboundProfile.item_id)))
    return _items_page(session, stmt, q, after, before)


def _items_page(
    session: Session, stmt, q: str, after: str | None, before: str | None
) -> Page[Item]:
    text = q.strip()
    if text:
        low, high = prefix_range(text) or (text, text)
        stmt = stmt.where(
            or_(
                (Item.sku >= low) & (Item.sku < high),
                Item.name.ilike(_contains(text), escape="\\"),
            )
        )
    return keyset_page(session, stmt, Item.sku, after=after, before=before)


def list_api_clients(session: Session) -> list[ApiClient]:
    stmt = (
        select(ApiClient)
        .options(selectinload(ApiClient.warehouses))
        .order_by(ApiClient.active.desc(), ApiClient.name)
    )
    return list(session.scalars(stmt))


def search_audit(
    session: Session,
    *,
    action: str = "",
    actor: str = "",
    target: str = "",
    success: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> Page[AuditLog]:
    """Newest first; ``action`` matches a prefix (``user.`` finds every user change)."""
    stmt = select(AuditLog)
    bounds = prefix_range(action.strip())
    if bounds:
        stmt = stmt.where(AuditLog.action >= bounds[0], AuditLog.action < bounds[1])
    if actor.strip():
        stmt = stmt.where(AuditLog.actor_name == actor.strip())
    if target.strip():
        stmt = stmt.where(AuditLog.target == target.strip())
    if success is not None:
        stmt = stmt.where(AuditLog.success.is_(success))
    if since is not None:
        stmt = stmt.where(AuditLog.at >= since)
    if until is not None:
        stmt = stmt.where(AuditLog.at < until)
    return keyset_page(
        session, stmt, AuditLog.id, after=after, before=before, size=size, descending=True
    )


def search_purchase_orders(
    session: Session,
    *,
    warehouse_id: int,
    q: str = "",
    status: str = "",
    after: str | None = None,
    before: str | None = None,
) -> Page[PurchaseOrder]:
    """A warehouse's purchase orders by number prefix, optionally of one status."""
    stmt = (
        select(PurchaseOrder)
        .where(PurchaseOrder.warehouse_id == warehouse_id)
        .options(selectinload(PurchaseOrder.supplier), selectinload(PurchaseOrder.lines))
    )
    if status in PurchaseOrderStatus.__members__:
        stmt = stmt.where(PurchaseOrder.status == PurchaseOrderStatus(status))
    text = q.strip()
    if text:
        low, high = prefix_range(text) or (text, text)
        stmt = stmt.where((PurchaseOrder.external_id >= low) & (PurchaseOrder.external_id < high))
    return keyset_page(session, stmt, PurchaseOrder.external_id, after=after, before=before)


@dataclass(frozen=True)
class ProfileRow:
    """An item's inbound profile with its places by code, each with its warehouse's code."""

    profile: ItemInboundProfile
    fixed_location: str | None
    fixed_location_warehouse: str | None
    putaway_zone: str | None
    putaway_zone_warehouse: str | None


def inbound_profiles(session: Session, item_ids: Collection[int]) -> dict[int, ProfileRow]:
    """Inbound profiles of ``item_ids`` in one query, by item id; items without one are absent."""
    if not item_ids:
        return {}
    location_wh, zone_wh = aliased(Warehouse), aliased(Warehouse)
    rows = session.execute(
        select(ItemInboundProfile, Location.code, location_wh.code, Zone.code, zone_wh.code)
        .outerjoin(Location, Location.id == ItemInboundProfile.fixed_location_id)
        .outerjoin(location_wh, location_wh.id == Location.warehouse_id)
        .outerjoin(Zone, Zone.id == ItemInboundProfile.putaway_zone_id)
        .outerjoin(zone_wh, zone_wh.id == Zone.warehouse_id)
        .where(ItemInboundProfile.item_id.in_(list(item_ids)))
    )
    return {row[0].item_id: ProfileRow(*row) for row in rows}
