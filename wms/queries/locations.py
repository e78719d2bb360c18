"""Finding locations fast at 100k+: keyset pages over the (warehouse, code) unique index."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms.model import Location
from wms.queries.paging import PAGE_SIZE, Page, keyset_page, prefix_range


def search_locations(
    session: Session,
    *,
    warehouse_id: int,
    prefix: str = "",
    zone_id: int | None = None,
    blocked: bool | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page[Location]:
    """Real (not virtual) locations whose code starts with ``prefix``, in code order."""
    stmt = select(Location).where(
        Location.warehouse_id == warehouse_id, Location.virtual_kind.is_(None)
    )
    bounds = prefix_range(prefix.strip().upper())
    if bounds:
        stmt = stmt.where(Location.code >= bounds[0], Location.code < bounds[1])
    if zone_id is not None:
        stmt = stmt.where(Location.zone_id == zone_id)
    if blocked is not None:
        stmt = stmt.where(Location.blocked.is_(blocked))
    return keyset_page(session, stmt, Location.code, after=after, before=before, size=size)


def count_locations(session: Session, *, warehouse_id: int, blocked: bool | None = None) -> int:
    stmt = select(func.count()).select_from(Location).where(
        Location.warehouse_id == warehouse_id, Location.virtual_kind.is_(None)
    )
    if blocked is not None:
        stmt = stmt.where(Location.blocked.is_(blocked))
    return session.scalar(stmt) or 0
