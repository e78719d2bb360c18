"""Every failure becomes a clear answer: problem+json on the API, never a 500 page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from wms.errors import ValidationFailed, WmsError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://wms.invalid/problems/"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str,
    errors: list[dict] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    if g.get("request_id"):
        body["request_id"] = g.request_id
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def problem_from(exc: WmsError) -> Response:
    errors = None
    if isinstance(exc, ValidationFailed):
        errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
    extra: dict[str, Any] = {}
    shortages = getattr(exc, "shortages", None)
    if shortages:
        extra["shortages"] = shortages
        if len(shortages) == 1:
            extra["available"] = shortages[0].get("available")
    return problem(exc.http_status, exc.title, exc.detail, code=exc.code, errors=errors, **extra)


def init_app(app: Flask) -> None:
    @app.errorhandler(WmsError)
    def _wms_error(exc: WmsError) -> Response:
        return problem_from(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            code = (exc.name or "error").lower().replace(" ", "_")
            return problem(exc.code or 500, exc.name or "Error", exc.description or "", code=code)
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return problem(
            500,
            "Internal error",
            "An unexpected error occurred; it was logged.",
            code="internal_error",
        )
