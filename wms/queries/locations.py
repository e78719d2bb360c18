"""Finding locations fast at 100k+: keyset pages over the (warehouse, code) unique index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wms.model import Location, LocationType
from wms.queries.paging import PAGE_SIZE, Page, keyset_page, prefix_range


def location_search(
    *,
    warehouse_id: int,
    prefix: str = "",
    zone_id: int | None = None,
    blocked: bool | None = None,
) -> Select[tuple[Location]]:
    """Real (not virtual) locations whose code starts with ``prefix``.

    The prefix is a range on ``code`` so the (warehouse_id, code) unique index
    serves both the filter and the order. Virtual locations are left out by
    their type, not by ``virtual_kind``: a test on the indexed ``virtual_kind``
    tempts the planner into the wrong index and a sort of every location.
    """
    stmt = select(Location).where(
        Location.warehouse_id == warehouse_id, Location.type != LocationType.virtual
    )
    bounds = prefix_range(prefix.strip().upper())
    if bounds:
        stmt = stmt.where(Location.code >= bounds[0], Location.code < bounds[1])
    if zone_id is not None:
        stmt = stmt.where(Location.zone_id == zone_id)
    if blocked is not None:
        stmt = stmt.where(Location.blocked.is_(blocked))
    return stmt


def search_locations(
    session: Session,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    **filters: Any,
) -> Page[Location]:
    """One page of :func:`location_search`, in code order."""
    return keyset_page(session, location_search(**filters), Location.code,
                       after=after, before=before, size=size)


def count_locations(session: Session, *, warehouse_id: int, blocked: bool | None = None) -> int:
    stmt = select(func.count()).select_from(Location).where(
        Location.warehouse_id == warehouse_id, Location.type != LocationType.virtual
    )
    if blocked is not None:
        stmt = stmt.where(Location.blocked.is_(blocked))
    return session.scalar(stmt) or 0
