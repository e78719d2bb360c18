"""The OpenAPI 3.1 document, generated from the operations and the models that validate."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter

from wms.web.api.framework import Operation
from wms.web.api.schemas.common import Problem

REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{(\w+)}")
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Malformed request (the body is not JSON)",
    401: "No API key, or an unknown or revoked one",
    403: "The key lacks the scope, or may not act on this warehouse",
    404: "Not found",
    409: "Conflict: not enough stock, or the same Idempotency-Key is still in flight",
    413: "The body is too large",
    422: "Invalid fields (see `errors`), or an Idempotency-Key reused with another body",
}


def document(ops: list[Operation], *, server: str) -> dict[str, Any]:
    schemas, defs = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "WMS ERP API",
            "version": "1.0.0",
            "description": "Master data, stock and moves for ERP, MES and AGV systems.",
        },
        "servers": [{"url": server}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _models(ops: list[Operation]) -> list[tuple[type[BaseModel], str]]:
    seen: list[tuple[type[BaseModel], str]] = [(Problem, "serialization")]
    for op in ops:
        for model in (op.body, op.bulk, op.query):
            if model is not None:
                seen.append((model, "validation"))
        for model in op.responses.values():
            if model is not None:
                seen.append((model, "serialization"))
    return list(dict.fromkeys(seen))


def _schemas(ops: list[Operation]) -> tuple[dict[Any, Any], dict[str, Any]]:
    inputs = [(m, mode, TypeAdapter(m)) for m, mode in _models(ops)]
    by_key, top = TypeAdapter.json_schemas(inputs, ref_template=REF)  # type: ignore[arg-type]
    return by_key, top.get("$defs", {})


def _operation(op: Operation, schemas: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "x-scope": op.scope,
        "parameters": _path_params(op) + _query_params(op, schemas) + _header_params(op),
        "responses": _responses(op, schemas),
    }
    if op.description:
        out["description"] = f"{op.description}\n\nScope: `{op.scope}`."
    body = [schemas[(m, "validation")] for m in (op.body, op.bulk) if m is not None]
    if body:
        schema = body[0] if len(body) == 1 else {"oneOf": body}
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    return out


def _path_params(op: Operation) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64},
        }
        for name in _PATH_PARAM.findall(op.path)
    ]


def _query_params(op: Operation, schemas: dict[Any, Any]) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = schemas[(op.query, "validation")]
    if "$ref" in schema:  # pydantic may hoist the model itself into $defs
        return _query_from_fields(op.query)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _query_from_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = TypeAdapter(model).json_schema(ref_template=REF)
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _header_params(op: Operation) -> list[dict[str, Any]]:
    if not op.writes:
        return []
    return [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Same key and body: the stored answer is replayed. Keys live 48 h.",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "pattern": "^[\\x20-\\x7e]+$",
            },
        }
    ]


def _responses(op: Operation, schemas: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, model in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "OK")}
        if model is not None:
            entry["content"] = {"application/json": {"schema": schemas[(model, "serialization")]}}
        out[str(status)] = entry
    problem = schemas[(Problem, "serialization")]
    for status in op.error_statuses:
        out[str(status)] = {
            "description": _STATUS_TEXT.get(status, "Error"),
            "content": {"application/problem+json": {"schema": problem}},
        }
    return out
