"""Operator presence: who is online on which device, last seen when and where.

The console hears ``presence.changed`` in the warehouse room. A terminal
may run several sockets (tabs, a reconnect overlapping the old socket), so
presence counts open connections and goes offline at zero.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from wms import events
from wms.db import is_postgres
from wms.model import OperatorPresence, utcnow


def describe(p: OperatorPresence) -> dict[str, Any]:
    return {
        "user_id": p.user_id,
        "device_id": p.device_id,
        "warehouse_id": p.warehouse_id,
        "online": p.online,
        "last_seen_at": p.last_seen_at.isoformat() if p.last_seen_at else None,
        "disconnected_at": p.disconnected_at.isoformat() if p.disconnected_at else None,
        "last_location_id": p.last_location_id,
    }


def _row(session: Session, user_id: int) -> OperatorPresence:
    dialect = postgresql if is_postgres(session) else sqlite
    session.execute(
        dialect.insert(OperatorPresence)
        .values(
            user_id=user_id, online=False, connections=0, created_at=utcnow(), updated_at=utcnow()
        )
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    stmt = select(OperatorPresence).where(OperatorPresence.user_id == user_id).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


def _announce(session: Session, p: OperatorPresence) -> None:
    if p.warehouse_id is not None:
        events.record(
            session,
            "presence.changed",
            describe(p),
            rooms=[f"warehouse:{p.warehouse_id}"],
            namespaces=["/console"],
        )


def connected(
    session: Session,
    *,
    user_id: int,
    device_id: str | None,
    warehouse_id: int | None,
    now: datetime | None = None,
) -> OperatorPresence:
    now = now or utcnow()
    p = _row(session, user_id)
    p.connections = max(p.connections, 0) + 1
    p.online, p.device_id, p.warehouse_id = True, device_id, warehouse_id
    p.connected_at = p.last_seen_at = now
    p.disconnected_at = None
    _announce(session, p)
    return p


def disconnected(session: Session, *, user_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    p = _row(session, user_id)
    p.connections = max(p.connections - 1, 0)
    if p.connections == 0:
        p.online, p.disconnected_at = False, now
    _announce(session, p)


def seen(
    session: Session,
    *,
    user_id: int,
    device_id: str | None,
    warehouse_id: int | None,
    location_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """A step or a REST call came in: the operator is here, possibly at a known location.

    One upsert statement, since it runs on every scan step.
    """
    now = now or utcnow()
    dialect = postgresql if is_postgres(session) else sqlite
    stmt = dialect.insert(OperatorPresence).values(
        user_id=user_id,
        device_id=device_id,
        warehouse_id=warehouse_id,
        online=False,
        connections=0,
        last_seen_at=now,
        last_location_id=location_id,
        created_at=now,
        updated_at=now,
    )
    table = OperatorPresence.__table__.c
    changes: dict[str, Any] = {"last_seen_at": now, "updated_at": now}
    for name, value in (
        ("device_id", device_id),
        ("warehouse_id", warehouse_id),
        ("last_location_id", location_id),
    ):
        if value is not None:
            changes[name] = value
    session.execute(stmt.on_conflict_do_update(index_elements=[table.user_id], set_=changes))


def listing(session: Session, *, warehouse_id: int) -> list[OperatorPresence]:
    stmt = select(OperatorPresence).where(OperatorPresence.warehouse_id == warehouse_id)
    return list(session.scalars(stmt.order_by(OperatorPresence.user_id)))
