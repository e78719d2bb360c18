"""Running one API operation: auth, validation, the one transaction, idempotency and audit.

Reads run in a short read session. A write is one transaction: with an
``Idempotency-Key`` it claims the key first, then does the work, writes the
audit line and stores the answer, and commits once (see
``wms.services.idempotency``). A failed write rolls everything back, the
claim included, and writes a failure audit line in its own transaction.
Deadlocks, serialization failures and a lost race on a unique key are
retried a few times with jittered backoff: the second attempt sees the
winner's row and updates it instead.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wms.errors import (
    Conflict,
    FieldError,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    ValidationFailed,
    WmsError,
)
from wms.services import idempotency
from wms.services.access import audit, audit_row, insert_audit_row, key_digest
from wms.services.idempotency import Claim, ClaimOutcome
from wms.web.api import parsing
from wms.web.api.framework import Call, Caller, Operation, Reply
from wms.web.context import transaction, wms
from wms.web.errors import problem_from

log = logging.getLogger(__name__)

#: SQLSTATEs worth retrying: serialization failure, deadlock, unique violation.
RETRYABLE = frozenset({"40001", "40P01", "23505"})
ATTEMPTS = 4
MAX_KEY_LENGTH = 200


def handler(op: Operation) -> Callable[..., Response]:
    def view(**path: str) -> Response:
        try:
            caller = _authenticate()
        except WmsError as exc:
            response = problem_from(exc)
            response.headers["WWW-Authenticate"] = 'Bearer realm="wms"'
            return response
        try:
            parsing.require_scope(caller, op.scope)
            query = parsing.parse_query(op)
            body, bulk, raw = parsing.parse_body(op)
            call = Call(caller, body, query, path, g.get("request_id"), request.remote_addr, bulk)
            if not op.writes:
                return _read(op, call)
            return _write(op, call, raw)
        except WmsError as exc:
            if op.writes:
                _audit_failure(op, caller, exc)
            return problem_from(exc)

    view.__name__ = op.operation_id
    return view


def _authenticate() -> Caller:
    key = parsing.bearer_key()
    cache: parsing.KeyCache = current_app.extensions["wms.api_keys"]
    digest = key_digest(key)
    caller = cache.get(digest)
    if caller is None:
        with wms().session_factory() as session:
            caller = parsing.load_caller(session, key)
        cache.put(digest, caller)
    return caller


def _read(op: Operation, call: Call) -> Response:
    with wms().session_factory() as session:
        reply = op.view(session, call)
    return _response(reply, _dump(reply))


def _write(op: Operation, call: Call, raw: Any) -> Response:
    key = _idempotency_key()
    request_hash = (
        idempotency.fingerprint(op.method, request.path, parsing.canonical(raw))
        if key is not None
        else None
    )
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction() as session:
                claim = None
                if key is not None:
                    claim = _claim(session, op, call, key, request_hash or "")
                    if claim.outcome is ClaimOutcome.replay:
                        return _stored(claim)
                reply = op.view(session, call)
                text = _dump(reply)
                audit = _audit_success(op, call, reply)
                if claim is not None:
                    idempotency.complete_key(
                        session, claim, status=reply.status, body=text, audit=audit
                    )
                else:
                    insert_audit_row(session, audit)
            return _response(reply, text)
        except DBAPIError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate not in RETRYABLE or attempt == ATTEMPTS:
                if sqlstate in RETRYABLE:
                    raise Conflict("the stock is busy; retry the request") from exc
                raise
            log.info("retrying after %s", sqlstate, extra={"attempt": attempt})
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ValidationFailed(
            [FieldError("Idempotency-Key", f"1 to {MAX_KEY_LENGTH} printable ASCII characters")]
        )
    return key


def _claim(session: Session, op: Operation, call: Call, key: str, request_hash: str) -> Claim:
    """Claim the key in the work's own transaction (see ``wms.services.idempotency``)."""
    settings = wms().settings.api
    claim = idempotency.claim_key(
        session,
        client_id=call.caller.id,
        key=key,
        method=op.method,
        path=request.path,
        request_hash=request_hash,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
        lease=timedelta(seconds=settings.idempotency_lease_seconds),
    )
    if claim.outcome is ClaimOutcome.mismatch:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request;"
            " use a new key for a new request"
        )
    if claim.outcome is ClaimOutcome.in_flight:
        raise IdempotencyKeyInFlight("a request with this Idempotency-Key is still running")
    return claim


def _audit_success(op: Operation, call: Call, reply: Reply) -> dict[str, Any]:
    """The success audit line, written with the key's completion (or alone)."""
    return audit_row(
        action=f"api.{op.operation_id}",
        actor=call.caller.client,
        target=reply.target,
        remote_addr=call.remote_addr,
        request_id=call.request_id,
        method=op.method,
        path=request.path,
        status=reply.status,
    )


def _audit_failure(op: Operation, caller: Caller, exc: WmsError) -> None:
    with transaction() as session:
        audit(
            session,
            action=f"api.{op.operation_id}",
            actor=caller.client,
            success=False,
            remote_addr=request.remote_addr,
            request_id=g.get("request_id"),
            method=op.method,
            path=request.path,
            status=exc.http_status,
            error=exc.code,
        )


def _dump(reply: Reply) -> str:
    return reply.body.model_dump_json() if reply.body is not None else ""


def _response(reply: Reply, text: str) -> Response:
    response = Response(text or None, status=reply.status, mimetype="application/json")
    response.headers.update(reply.headers)
    return response


def _stored(claim: Claim) -> Response:
    response = Response(claim.body or None, status=claim.status or 200, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response
