"""Socket.IO: /terminal and /console namespaces, rooms, replay of missed pushes, presence.

Socket.IO delivers at most once and python-socketio has no connection-state
recovery, so the database is the source of truth: every push to an
operator is a stored event with a per-operator sequence number (see
``wms.services.pushes``), and the emit is only the fast path.

- Connect is authenticated from the Flask session cookie: /terminal wants
  a terminal sign-in, /console a console sign-in with the supervisor role.
  Anything else is refused.
- Rooms are joined on every connect (a reconnect is a new socket with no
  rooms): ``user:<id>``, ``warehouse:<id>`` and ``zone:<id>`` for the zones
  the operator works in.
- The terminal sends its last sequence in ``auth`` (``{"last_seq": n}``)
  or later in a ``resume`` event; it gets every event after it, in order,
  and acks with ``ack`` (``{"upto": n}`` or ``{"seqs": [...]}``). With no
  sequence it gets every unacked event. ``events.replayed`` ends a replay.
  Live pushes may overlap a replay, so the client de-duplicates by seq.
- The publisher emits committed events only (``wms.events``); with a
  message queue configured, Flask-SocketIO carries emits between processes.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room
from sqlalchemy import select

from wms.db import reader
from wms.events import Event
from wms.model import OWNED, Location, OperatorPresence, Role, Task
from wms.services import presence, pushes
from wms.web.auth import current_user
from wms.web.context import end_reads, transaction, wms

log = logging.getLogger(__name__)

TERMINAL, CONSOLE = "/terminal", "/console"
#: How long a replay waits for the connection handshake to finish before giving up.
_HANDSHAKE_WAIT_S = 5.0


def make_publisher(sio: SocketIO) -> Any:
    """Emit committed events to their rooms; events for no room reach only the console."""

    def publish(events: list[Event]) -> None:
        for evt in events:
            for namespace in evt.namespaces:
                if evt.rooms:
                    sio.emit(evt.name, evt.payload, to=list(evt.rooms), namespace=namespace)
                elif namespace == CONSOLE:
                    sio.emit(evt.name, evt.payload, namespace=namespace)

    return publish


def _last_seq(data: Any) -> int | None:
    value = data.get("last_seq") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _operator_zones(s: Any, user_id: int) -> set[int]:
    zones = set(s.scalars(select(Task.zone_id).where(
        Task.assignee_id == user_id, Task.status.in_(OWNED), Task.zone_id.is_not(None))))
    here = s.scalar(select(Location.zone_id).join(
        OperatorPresence, OperatorPresence.last_location_id == Location.id)
        .where(OperatorPresence.user_id == user_id))
    return zones | ({here} if here else set())


def _on_terminal_connect(auth: Any = None) -> None:
    user = current_user()
    if user is None or session.get("kind") != "terminal":
        raise ConnectionRefusedError("authentication_failed")
    warehouse_id = session.get("warehouse_id")
    with transaction() as s:
        presence.connected(s, user_id=user.id, device_id=session.get("device_id"),
                           warehouse_id=warehouse_id)
        zones = _operator_zones(s, user.id)
    join_room(pushes.user_room(user.id))
    if warehouse_id is not None:
        join_room(f"warehouse:{warehouse_id}")
    for zone_id in zones:
        join_room(f"zone:{zone_id}")
    ctx = wms()
    ctx.socketio.start_background_task(
        _replay_after_handshake, current_app._get_current_object(),  # type: ignore[attr-defined]
        request.sid, user.id, _last_seq(auth),  # type: ignore[attr-defined]
    )


def _replay(app: Flask, sid: str, user_id: int, after: int | None) -> int:
    ctx = wms(app)
    with ctx.session_factory(bind=reader(ctx.engine)) as s:
        found = pushes.missed(s, user_id=user_id, after=after)
    for stored in found:
        ctx.socketio.emit(stored.name, stored.envelope(), to=sid, namespace=TERMINAL)
    # Tells the client its catch-up is complete (live pushes may overlap it: de-duplicate).
    ctx.socketio.emit("events.replayed", {"count": len(found)}, to=sid, namespace=TERMINAL)
    return len(found)


def _replay_after_handshake(app: Flask, sid: str, user_id: int, after: int | None) -> None:
    """Events emitted before the CONNECT packet would reach a client not yet connected."""
    sio = wms(app).socketio
    waited = 0.0
    while not sio.server.manager.is_connected(sid, TERMINAL):
        if waited >= _HANDSHAKE_WAIT_S:
            return
        sio.sleep(0.01)
        waited += 0.01
    try:
        _replay(app, sid, user_id, after)
    except Exception:  # the client still has REST resync; never kill the server thread
        log.exception("replay failed", extra={"user_id": user_id})


def _on_resume(data: Any = None) -> dict[str, Any]:
    user = current_user()
    if user is None:
        return {"replayed": 0}
    end_reads()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    count = _replay(app, request.sid, user.id, _last_seq(data))  # type: ignore[attr-defined]
    return {"replayed": count}


def _on_ack(data: Any = None) -> dict[str, Any]:
    user = current_user()
    if user is None or not isinstance(data, dict):
        return {"acked": 0}
    upto = data.get("upto") if isinstance(data.get("upto"), int) else None
    seqs = data.get("seqs") if isinstance(data.get("seqs"), list) else None
    if isinstance(data.get("seq"), int):
        seqs = [*(seqs or []), data["seq"]]
    seqs = [x for x in seqs or [] if isinstance(x, int)]
    with transaction() as s:
        return {"acked": pushes.ack(s, user_id=user.id, seqs=seqs, upto=upto)}


def _on_terminal_disconnect(*_reason: Any) -> None:
    user = current_user()
    if user is None:
        return
    with transaction() as s:
        presence.disconnected(s, user_id=user.id)


def _on_console_connect(auth: Any = None) -> None:
    user = current_user()
    if user is None or session.get("kind") != "console":
        raise ConnectionRefusedError("authentication_failed")
    if not user.has_role(Role.supervisor):
        raise ConnectionRefusedError("permission_denied")
    warehouse_id = session.get("warehouse_id")
    if warehouse_id is not None:
        join_room(f"warehouse:{warehouse_id}")


def init_app(app: Flask) -> None:
    ctx = wms(app)
    sio: SocketIO = ctx.socketio
    ctx.publishers.append(make_publisher(sio))
    sio.on("connect", namespace=TERMINAL)(_on_terminal_connect)
    sio.on("disconnect", namespace=TERMINAL)(_on_terminal_disconnect)
    sio.on("resume", namespace=TERMINAL)(_on_resume)
    sio.on("ack", namespace=TERMINAL)(_on_ack)
    sio.on("connect", namespace=CONSOLE)(_on_console_connect)
