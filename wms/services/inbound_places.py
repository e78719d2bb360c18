"""Where inbound stock is put down: receiving, QC and return-to-supplier locations.

A warehouse names them in ``settings["inbound"]`` (``receiving_location``,
``qc_location``, ``returns_location``: location codes); otherwise the first
location, by code, of a zone of the matching kind is used.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import NotFound
from wms.model import Location, Warehouse, Zone, ZoneKind


def receiving_location(session: Session, warehouse_id: int) -> Location:
    return _place(session, warehouse_id, "receiving_location", ZoneKind.receiving)


def qc_location(session: Session, warehouse_id: int) -> Location:
    return _place(session, warehouse_id, "qc_location", ZoneKind.qc)


def returns_location(session: Session, warehouse_id: int) -> Location:
    return _place(session, warehouse_id, "returns_location", ZoneKind.returns)


def _place(session: Session, warehouse_id: int, setting: str, kind: ZoneKind) -> Location:
    warehouse = session.get(Warehouse, warehouse_id)
    code = ((warehouse.settings or {}).get("inbound", {}) if warehouse else {}).get(setting)
    stmt = select(Location).where(
        Location.warehouse_id == warehouse_id, Location.virtual_kind.is_(None)
    )
    if code:
        stmt = stmt.where(Location.code == code)
    else:
        stmt = stmt.join(Zone, Zone.id == Location.zone_id).where(Zone.kind == kind)
    found = session.scalar(stmt.order_by(Location.code).limit(1))
    if found is None:
        raise NotFound(f"warehouse {warehouse_id} has no {kind.value} location", place=kind.value)
    return found
