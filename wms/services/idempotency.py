"""Idempotency-Key records: claim the key, do the work, store the answer, in one transaction.

The flow of one writing request that carries a key, all in the request's
one transaction:

1. ``claim_key`` first. The unique index on (client, key) lets exactly one
   of many simultaneous requests insert the row; on PostgreSQL the others'
   inserts wait for that transaction to end. If it commits they find the
   stored answer and replay it (or refuse a different body, 422); if it
   rolls back, one of them claims the key afresh.
2. The work, ending with ``complete_key``: the answer is stored atomically
   with the work it describes, so a committed document always has its
   stored response and a rolled-back one never has.
3. On failure the transaction rolls back, the claim with it: nothing was
   written, so the client may retry with the same key.

A claim is never committed in flight by this flow. A record left
``in_flight`` (by an older version that committed claims on their own) is
answered with 409 until the lease has passed; then it is taken to be
abandoned and may be taken over. ``complete_key`` checks the claim is still
ours, so a slow original can never commit after a take-over.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from wms.errors import Conflict
from wms.model import IdempotencyRecord, utcnow
from wms.services import pgraw
from wms.services.access import PG_AUDIT_INSERT, insert_audit_row, pg_audit_params


class ClaimOutcome(enum.StrEnum):
    new = "new"
    replay = "replay"
    in_flight = "in_flight"
    mismatch = "mismatch"


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    record_id: int | None = None
    #: The claim's timestamp: proof of ownership when completing.
    claimed_at: datetime | None = None
    status: int | None = None
    body: str | None = None


def fingerprint(method: str, path: str, canonical_body: str) -> str:
    """What makes two requests "the same": method, path and the canonical JSON body."""
    data = f"{method.upper()}\n{path}\n{canonical_body}".encode()
    return hashlib.sha256(data).hexdigest()


#: Core statements on the table: the ORM's bulk machinery costs more than the statement.
_TABLE: Any = IdempotencyRecord.__table__


def _claim_statement(dialect: Any) -> Any:
    """INSERT of a fresh claim that does nothing if the key exists; fixed shape, built once."""
    return (
        dialect.insert(_TABLE)
        .on_conflict_do_nothing(index_elements=["client_id", "key"])
        .returning(_TABLE.c.id)
    )


_CLAIM = _claim_statement(sqlite)  # PostgreSQL runs _PG_CLAIM
_COMPLETE = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("claim_id"),
        _TABLE.c.state == "in_flight",
        _TABLE.c.created_at == bindparam("claimed_at"),
    )
    .values(
        state="done",
        response_status=bindparam("status"),
        response_body=bindparam("body"),
        completed_at=bindparam("completed_at"),
    )
)
#: The same two statements as plain SQL for PostgreSQL's hot path (see ``wms.services.pgraw``).
_PG_CLAIM = (
    "INSERT INTO idempotency_record"
    " (client_id, key, method, path, request_hash, state, created_at)"
    " VALUES (%(client_id)s, %(key)s, %(method)s, %(path)s, %(request_hash)s, %(state)s,"
    " %(created_at)s)"
    " ON CONFLICT (client_id, key) DO NOTHING RETURNING id"
)
_PG_COMPLETE = (
    "UPDATE idempotency_record SET state = 'done', response_status = %(status)s,"
    " response_body = %(body)s, completed_at = %(completed_at)s"
    " WHERE id = %(claim_id)s AND state = 'in_flight' AND created_at = %(claimed_at)s"
)

_PG_AUDIT_AND_COMPLETE = f"WITH audit AS ({PG_AUDIT_INSERT}) {_PG_COMPLETE}"


def claim_key(
    session: Session,
    *,
    client_id: int,
    key: str,
    method: str,
    path: str,
    request_hash: str,
    ttl: timedelta,
    lease: timedelta,
) -> Claim:
    """Claim ``key`` for this request, or say what happened to the earlier one."""
    now = utcnow()
    values = {
        "client_id": client_id,
        "key": key,
        "method": method,
        "path": path,
        "request_hash": request_hash,
        "state": "in_flight",
        "created_at": now,
    }
    raw = pgraw.cursor(session)
    if raw is not None:
        row = pgraw.execute(raw, _PG_CLAIM, values).fetchone()
        inserted = row[0] if row is not None else None
    else:
        inserted = session.connection().execute(_CLAIM, values).scalar()
    if inserted is not None:
        return Claim(ClaimOutcome.new, inserted, now)
    record = session.scalars(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.client_id == client_id, IdempotencyRecord.key == key)
        .with_for_update()
    ).one()
    expired = record.created_at < now - ttl
    abandoned = record.state == "in_flight" and record.created_at < now - lease
    if expired or (abandoned and record.request_hash == request_hash):
        _restart(record, values, now)
        session.flush()  # completing is a Core UPDATE that matches on the new created_at
        return Claim(ClaimOutcome.new, record.id, now)
    if record.request_hash != request_hash:
        return Claim(ClaimOutcome.mismatch, record.id)
    if record.state != "done":
        return Claim(ClaimOutcome.in_flight, record.id)
    return Claim(
        ClaimOutcome.replay, record.id, status=record.response_status, body=record.response_body
    )


def _restart(record: IdempotencyRecord, values: dict, now: datetime) -> None:
    record.method = values["method"]
    record.path = values["path"]
    record.request_hash = values["request_hash"]
    record.state = "in_flight"
    record.response_status = None
    record.response_body = None
    record.completed_at = None
    record.created_at = now


def complete_key(
    session: Session, claim: Claim, *, status: int, body: str, audit: dict | None = None
) -> None:
    """Store the answer in the work's own transaction; refuse if the claim was taken over.

    ``audit`` (an ``access.audit_row``) is written first, on PostgreSQL in the same
    statement: one round trip less on every keyed write.
    """
    params = {
        "claim_id": claim.record_id,
        "claimed_at": claim.claimed_at,
        "status": status,
        "body": body,
        "completed_at": utcnow(),
    }
    raw = pgraw.cursor(session)
    if raw is not None and audit is not None:
        params |= pg_audit_params(audit)
        rowcount = pgraw.execute(raw, _PG_AUDIT_AND_COMPLETE, params).rowcount
    elif raw is not None:
        rowcount = pgraw.execute(raw, _PG_COMPLETE, params).rowcount
    else:
        if audit is not None:
            insert_audit_row(session, audit)
        rowcount = session.connection().execute(_COMPLETE, params).rowcount  # type: ignore[attr-defined]
    if rowcount != 1:
        raise Conflict("this Idempotency-Key was taken over by a retry; nothing was written")


def prune_keys(session: Session, *, ttl: timedelta) -> int:
    """Forget keys older than the TTL (answers and long-abandoned claims alike)."""
    result = session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.created_at < utcnow() - ttl)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
