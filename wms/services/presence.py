"""Operator presence: who is online on which device, last seen when and where.

The console hears ``presence.changed`` in the warehouse room. A terminal
may run several sockets (tabs, a reconnect overlapping the old socket), so
presence counts open connections and goes offline at zero.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
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

    One upsert statement, since it runs on every scan step; what is not known
    (None) keeps its stored value.
    """
    params = seen_params(
        user_id=user_id,
        device_id=device_id,
        warehouse_id=warehouse_id,
        location_id=location_id,
        now=now,
    )
    session.execute(seen_statement("postgresql" if is_postgres(session) else "sqlite"), params)


def seen_params(
    *,
    user_id: int,
    device_id: str | None,
    warehouse_id: int | None,
    location_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The parameters of ``seen_statement`` (named so they mix with a caller's own)."""
    return {
        "seen_user_id": user_id,
        "seen_device_id": device_id,
        "seen_warehouse_id": warehouse_id,
        "seen_location_id": location_id,
        "seen_at": now or utcnow(),
    }


@functools.cache
def seen_statement(dialect_name: str) -> Any:
    """The presence upsert for "postgresql" or "sqlite", built once; parameters: ``seen_params``.

    On PostgreSQL a caller may run it as a CTE of its own statement (the
    flow runner does, to save a round trip per scan step).
    """
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = OperatorPresence.__table__
    c = table.c
    stmt = dialect.insert(table).values(
        user_id=bindparam("seen_user_id", type_=c.user_id.type),
        device_id=bindparam("seen_device_id", type_=c.device_id.type),
        warehouse_id=bindparam("seen_warehouse_id", type_=c.warehouse_id.type),
        online=False,
        connections=0,
        last_seen_at=bindparam("seen_at", type_=c.last_seen_at.type),
        last_location_id=bindparam("seen_location_id", type_=c.last_location_id.type),
        created_at=bindparam("seen_at", type_=c.created_at.type),
        updated_at=bindparam("seen_at", type_=c.updated_at.type),
    )
    new = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[c.user_id],
        set_={
            "last_seen_at": new.last_seen_at,
            "updated_at": new.updated_at,
            "device_id": func.coalesce(new.device_id, c.device_id),
            "warehouse_id": func.coalesce(new.warehouse_id, c.warehouse_id),
            "last_location_id": func.coalesce(new.last_location_id, c.last_location_id),
        },
    )


def listing(session: Session, *, warehouse_id: int) -> list[OperatorPresence]:
    stmt = select(OperatorPresence).where(OperatorPresence.warehouse_id == warehouse_id)
    return list(session.scalars(stmt.order_by(OperatorPresence.user_id)))
