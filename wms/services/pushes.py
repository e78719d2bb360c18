"""Pushes to operators: a stored event with a per-operator sequence number, emitted after commit.

Socket.IO delivers at most once, so the database is the source of truth and
the emit is only a wake-up: every push is a ``StoredEvent`` row written in
the business transaction. A terminal that reconnects sends the last
sequence it saw and gets what it missed, in order; it acks what it got.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from wms import events
from wms.db import is_postgres
from wms.model import OperatorEventCounter, StoredEvent, utcnow

TERMINAL = "/terminal"
#: At most this many events are replayed at once; the client asks again for more.
REPLAY_LIMIT = 500


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def next_seq(session: Session, user_id: int) -> int:
    """Take the operator's next sequence number; the counter row serialises concurrent pushes."""
    dialect = postgresql if is_postgres(session) else sqlite
    stmt = dialect.insert(OperatorEventCounter).values(user_id=user_id, last_seq=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id"], set_={"last_seq": OperatorEventCounter.last_seq + 1}
    ).returning(OperatorEventCounter.last_seq)
    return int(session.execute(stmt).scalar_one())


def push(
    session: Session, *, user_id: int, name: str, data: dict[str, Any], task_id: int | None = None
) -> StoredEvent:
    """Store a push for ``user_id`` and emit it to their room once the transaction commits."""
    stored = StoredEvent(
        user_id=user_id,
        seq=next_seq(session, user_id),
        name=name,
        payload=data,
        task_id=task_id,
        created_at=utcnow(),
    )
    session.add(stored)
    session.flush()
    events.record(
        session, name, stored.envelope(), rooms=[user_room(user_id)], namespaces=[TERMINAL],
        user_id=user_id, seq=stored.seq,
    )
    return stored


def missed(
    session: Session, *, user_id: int, after: int | None, limit: int = REPLAY_LIMIT
) -> list[StoredEvent]:
    """Events after ``after`` in order; with no sequence known, every unacked event."""
    stmt = select(StoredEvent).where(StoredEvent.user_id == user_id)
    if after is None:
        stmt = stmt.where(StoredEvent.acked.is_(False))
    else:
        stmt = stmt.where(StoredEvent.seq > after)
    return list(session.scalars(stmt.order_by(StoredEvent.seq).limit(limit)))


def last_seq(session: Session, *, user_id: int) -> int:
    value = session.scalar(
        select(OperatorEventCounter.last_seq).where(OperatorEventCounter.user_id == user_id)
    )
    return int(value or 0)


def ack(
    session: Session, *, user_id: int, seqs: list[int] | None = None, upto: int | None = None
) -> int:
    """Mark events delivered: the listed ones, or every one up to ``upto``. Returns how many."""
    stmt = update(StoredEvent).where(
        StoredEvent.user_id == user_id, StoredEvent.acked.is_(False)
    )
    if upto is not None:
        stmt = stmt.where(StoredEvent.seq <= upto)
    elif seqs:
        stmt = stmt.where(StoredEvent.seq.in_(seqs))
    else:
        return 0
    result = session.execute(stmt.values(acked=True, acked_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
