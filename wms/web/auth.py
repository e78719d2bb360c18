"""Who is asking: terminal and console sessions, API keys, role checks and CSRF.

Session keys: ``user_id``, ``kind`` ("terminal" | "console"), ``device_id``,
``warehouse_id``, ``csrf``. Console forms and fetches send the CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``); the terminal's JSON
calls send the header too.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from wms.model import Role, User
from wms.web.context import read_session

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def current_user() -> User | None:
    """The signed-in user of this request, loaded once."""
    if "current_user" not in g:
        user = None
        user_id = session.get("user_id")
        if user_id is not None:
            user = read_session().get(User, user_id)
            if user is not None and not user.active:
                user = None
        g.current_user = user
    return g.current_user


def sign_in(
    user: User, *, kind: str, device_id: str | None = None, warehouse_id: int | None = None
) -> None:
    session.clear()
    session["user_id"] = user.id
    session["kind"] = kind
    session["device_id"] = device_id
    session["warehouse_id"] = warehouse_id or (user.warehouses[0].id if user.warehouses else None)
    session["locale"] = user.locale
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True
    g.pop("current_user", None)


def sign_out() -> None:
    session.clear()
    g.pop("current_user", None)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_ok() -> bool:
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    return bool(expected) and hmac.compare_digest(str(expected), str(sent))


def _wants_json() -> bool:
    return request.is_json or request.path.startswith(("/t/api/", "/console/api/", "/devices/api/"))


def _deny(status: int, message: str, login_endpoint: str | None) -> Any:
    if _wants_json() or login_endpoint is None:
        response = jsonify(
            {
                "code": "authentication_failed" if status == 401 else "permission_denied",
                "detail": message,
                "status": status,
            }
        )
        response.status_code = status
        return response
    if status == 401:
        return redirect(url_for(login_endpoint, next=request.full_path))
    abort(status, message)


def deny(status: int, message: str) -> Any:
    """The JSON refusal ``login_required`` answers (401: sign in; 403: not allowed)."""
    return _deny(status, message, None)


def login_required(
    *,
    kind: str,
    role: Role = Role.operator,
    login_endpoint: str | None = None,
    view_reads_user: bool = False,
) -> Callable[[F], F]:
    """Require a signed-in user of ``kind`` with at least ``role``; check CSRF on writes.

    ``view_reads_user``: the view reads the signed-in user itself, with its own
    first statement (the scan step reads it with the flow session's lock), and
    answers ``deny(401, ...)`` when that user is gone or inactive. Only the
    session cookie (``user_id``, ``kind``) and CSRF are checked here; every
    user has the operator role, so only ``role=Role.operator`` may defer.
    """
    if view_reads_user and role is not Role.operator:
        raise ValueError("only the operator role needs no look at the user")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if view_reads_user:
                if session.get("user_id") is None or session.get("kind") != kind:
                    return _deny(401, "please sign in", login_endpoint)
            else:
                user = current_user()
                if user is None or session.get("kind") != kind:
                    return _deny(401, "please sign in", login_endpoint)
                if not user.has_role(role):
                    return _deny(403, f"this needs the {role.value} role", login_endpoint)
            if request.method not in SAFE_METHODS and not csrf_ok():
                return _deny(403, "missing or wrong CSRF token; reload the page", None)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key set.

    Flask builds it on every request (twice when the session is saved), which
    costs about as much as the rest of opening an empty session.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"current_user": current_user, "csrf_token": csrf_token}
