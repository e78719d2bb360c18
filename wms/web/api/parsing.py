"""Reading a request: bearer key, JSON body with exact decimals, query string, pydantic errors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import request
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wms.errors import (
    AuthenticationFailed,
    FieldError,
    PermissionDenied,
    ValidationFailed,
    WmsError,
)
from wms.model import ApiClient
from wms.services.access import key_digest
from wms.web.api.framework import Caller, Operation


class MalformedRequest(WmsError):
    code = "malformed_request"
    http_status = 400
    title = "The request body is not valid JSON"


def bearer_key() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthenticationFailed("send the API key as 'Authorization: Bearer <key>'")
    return key.strip()


def load_caller(session: Session, key: str) -> Caller:
    client = session.scalar(
        select(ApiClient)
        .where(ApiClient.key_hash == key_digest(key))
        .options(selectinload(ApiClient.warehouses))
    )
    if client is None or not client.active:
        raise AuthenticationFailed("unknown or revoked API key")
    return Caller(
        client=client,
        scopes=frozenset(client.scopes or ()),
        warehouse_ids=frozenset(w.id for w in client.warehouses),
    )


def require_scope(caller: Caller, scope: str) -> None:
    if scope not in caller.scopes:
        raise PermissionDenied(f"this API key lacks the scope {scope}", scope=scope)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def json_body() -> Any:
    """The body as JSON; numbers with a fraction become exact Decimals, never floats."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ValidationFailed([FieldError("body", "a JSON body is required", "missing")])
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}") from None


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def field_path(loc: tuple[int | str, ...], prefix: str = "") -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def validation_failed(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    errors = []
    for err in exc.errors(include_url=False):
        message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        message = message.removeprefix("Value error, ")
        errors.append(FieldError(field_path(err["loc"], prefix), message, err["type"]))
    return ValidationFailed(errors)


def parse(model: type[BaseModel], data: Any, prefix: str = "") -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, prefix) from None


def parse_body(op: Operation) -> tuple[Any, bool, Any]:
    """(validated body, came as bulk, raw JSON) for an operation that takes a body."""
    if op.body is None and op.bulk is None:
        return None, False, None
    data = json_body()
    if op.bulk is not None and isinstance(data, dict) and "items" in data:
        return parse(op.bulk, data), True, data
    if op.body is None:
        raise ValidationFailed([FieldError("items", 'send {"items": [...]}', "missing")])
    return parse(op.body, data), False, data


def parse_query(op: Operation) -> Any:
    if op.query is None:
        return None
    args = {k: request.args.getlist(k) for k in request.args}
    flat = {k: v[0] if len(v) == 1 else v for k, v in args.items()}
    return parse(op.query, flat)
