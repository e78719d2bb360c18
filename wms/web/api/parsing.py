"""Reading a request: bearer key, JSON body with exact decimals, query string, pydantic errors."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
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
from wms.web.context import wms


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


class KeyCache:
    """Callers by key digest for a few seconds: a revoked key stops working within ``ttl``."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Caller | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: str, caller: Caller) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + self.ttl, caller)


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
        data = json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}") from None
    bad = list(_unstorable(data, ""))
    if bad:
        raise ValidationFailed(
            [FieldError(at or "body", "contains a NUL character or a lone surrogate") for at in bad]
        )
    return data


#: A NUL character or a lone surrogate (what a JSON \ud800 escape alone decodes to).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: Any, at: str) -> Iterator[str]:
    """Paths of strings no database can store: NUL characters, unpaired surrogates."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield at
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable(key, at)
            yield from _unstorable(item, f"{at}.{key}" if at else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unstorable(item, f"{at}[{i}]")


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
        body = parse(op.bulk, data)
        limit = wms().settings.api.max_bulk_items
        if len(body.items) > limit:  # type: ignore[attr-defined]
            raise ValidationFailed([FieldError("items", f"at most {limit} items per request")])
        return body, True, data
    if op.body is None:
        raise ValidationFailed([FieldError("items", 'send {"items": [...]}', "missing")])
    return parse(op.body, data), False, data


def parse_query(op: Operation) -> Any:
    if op.query is None:
        return None
    args = {k: request.args.getlist(k) for k in request.args}
    flat = {k: v[0] if len(v) == 1 else v for k, v in args.items()}
    return parse(op.query, flat)
