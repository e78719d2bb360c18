"""The PDA terminal pages at /t: sign-in by badge or user + PIN, home, the flow screen, lock.

The pages are thin: ``terminal.js`` talks to the terminal JSON API
(``/t/api/...``, see docs/terminal.md) and to the ``/terminal`` Socket.IO
namespace. This module renders the pages, signs operators in and out and
locks a terminal session that has been idle (no step, no page) for
``settings.terminal_idle_lock_minutes``.
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from wms.errors import AuthenticationFailed
from wms.model import User
from wms.services.access import login_with_badge, login_with_pin
from wms.web.auth import csrf_ok, csrf_token, current_user, login_required, sign_in, sign_out
from wms.web.context import transaction, wms
from wms.web.terminal import texts

WEB_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = WEB_DIR / "static"

bp = Blueprint(
    "terminal",
    __name__,
    url_prefix="/t",
    template_folder=str(WEB_DIR / "templates"),
    # Served at /t/static/ until the shared /static/ route is in; asset_url() prefers that one.
    static_folder=str(STATIC_DIR),
    static_url_path="/static",
)

#: A PDA's own id, made by terminal.js and kept in localStorage.
DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
#: An AIM symbology identifier (``]C0``, ``]Q1`` ...) a scanner may put before a badge.
AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
#: API calls a page makes on its own (event polling, acks): they do not count as activity.
BACKGROUND_PATHS = ("/events", "/events/ack")
SESSION_ACTIVE = "terminal_active_at"
#: How stale the activity stamp may get before a request renews it (see ``_check_idle``).
STAMP_SECONDS = 10.0
SESSION_LOCKED = "terminal_locked_user"

terminal_required = login_required(kind="terminal", login_endpoint="terminal.login")


# -- language -----------------------------------------------------------------
def page_locale() -> str:
    """Flask-Babel's choice when it is set up, otherwise ?lang=, the session, the default."""
    if "babel" in current_app.extensions:
        from flask_babel import get_locale

        return texts.normalise(str(get_locale())) or "zh_CN"
    asked = texts.normalise(request.args.get("lang"))
    if asked:
        session["locale"] = asked
    return (
        asked
        or texts.normalise(session.get("locale"))
        or texts.normalise(wms().settings.default_locale)
        or "zh_CN"
    )


def gettext(message: str, **params: object) -> str:
    """Babel's translation when its catalog has one, else the terminal's own table."""
    if "babel" in current_app.extensions:
        from flask_babel import gettext as babel_gettext

        translated = babel_gettext(message)
        if translated != message:
            return translated % params if params else translated
    return texts.translate(message, page_locale(), **params)


# -- assets -------------------------------------------------------------------
@lru_cache(maxsize=64)
def _fingerprint(filename: str, mtime: float) -> str:
    return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """A cache-busting URL for a file under wms/web/static, on the shared route if present."""
    path = STATIC_DIR / filename
    version = _fingerprint(filename, path.stat().st_mtime) if path.exists() else "0"
    endpoint = "static" if "static" in current_app.view_functions else "terminal.static"
    return url_for(endpoint, filename=filename, v=version)


# -- rendering ----------------------------------------------------------------
def _page_config(page: str, user: User | None) -> dict[str, Any]:
    settings = wms().settings
    locale = page_locale()
    return {
        "page": page,
        "locale": locale,
        "api": current_app.config["WMS_TERMINAL_API"],
        "namespace": current_app.config["WMS_TERMINAL_NAMESPACE"],
        "csrf": csrf_token(),
        "user": {"id": user.id, "name": user.display_name} if user else None,
        "urls": {
            "home": url_for("terminal.home"),
            "flow": url_for("terminal.flow"),
            "login": url_for("terminal.login"),
            "lock": url_for("terminal.lock"),
        },
        "scan": {
            "silenceMs": settings.terminal.scan_silence_ms,
            "maxGapMs": settings.terminal.wedge_max_gap_ms,
        },
        "pollSeconds": settings.terminal.poll_seconds,
        "retrySeconds": settings.terminal.retry_seconds,
        "idleLockMinutes": settings.terminal_idle_lock_minutes,
        "texts": texts.JS_TEXTS.get(locale, texts.JS_TEXTS["en"]),
    }


def render_page(template: str, page: str, *, status: int = 200, **context: Any) -> Any:
    user = current_user() if session.get("kind") == "terminal" else None
    html = render_template(
        template,
        _=gettext,
        asset_url=asset_url,
        locale=page_locale(),
        page_config=_page_config(page, user),
        user=user,
        **context,
    )
    return html, status


# -- sign-in ------------------------------------------------------------------
def _safe_next(target: str | None) -> str:
    """Only a terminal path on this site (no open redirect)."""
    if target and target.startswith("/t/") and not target.startswith("//"):
        return target
    return url_for("terminal.home")


def _device_id() -> str | None:
    value = (request.form.get("device_id") or "").strip()
    return value if DEVICE_ID.match(value) else None


def _authenticate(badge: str, username: str, pin: str, device_id: str | None) -> tuple[bool, str]:
    """Sign in; on failure return the explained message. The attempt is audited either way."""
    ctx = {"remote_addr": request.remote_addr, "device_id": device_id}
    failure = ""
    # The failure is caught inside the transaction so its audit row and the
    # failed-attempt counter are committed, not rolled back with the error.
    with transaction() as db:
        try:
            if badge:
                user = login_with_badge(db, badge=AIM_PREFIX.sub("", badge), **ctx)
            else:
                user = login_with_pin(db, username=username, pin=pin, **ctx)
            sign_in(user, kind="terminal", device_id=device_id)
        except AuthenticationFailed as exc:
            if "too many" in exc.detail:
                failure = gettext("Too many failed attempts; try again in a few minutes.")
            elif badge:
                failure = gettext(
                    "Badge not recognised: %(scanned)s. Scan your own badge or sign in "
                    "with user and PIN.",
                    scanned=badge[:64],
                )
            else:
                failure = gettext(
                    "Wrong user or PIN for %(username)s. Try again or scan your badge.",
                    username=username[:64],
                )
    if not failure:
        session[SESSION_ACTIVE] = time.time()
    return not failure, failure


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    notice = ""
    locked = session.get(SESSION_LOCKED)
    if locked:
        notice = gettext(
            "Locked after %(minutes)s minutes without a scan. Scan your badge to continue.",
            minutes=wms().settings.terminal_idle_lock_minutes,
        )
    if request.method == "GET":
        return render_page("terminal/login.html", "login", notice=notice, error="",
                           mode=request.args.get("mode", "badge"), username=locked or "")
    badge = request.form.get("badge", "")
    username = request.form.get("username", "").strip()
    pin = request.form.get("pin", "")
    mode = "pin" if not badge and username else "badge"
    if not csrf_ok():
        error = gettext("Reload the page and try again.")
        return render_page("terminal/login.html", "login", status=400, notice="", error=error,
                           mode=mode, username=username)
    ok, error = (False, "") if not (badge or username) else _authenticate(
        badge, username, pin, _device_id())
    if ok:
        return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 400
    return render_page("terminal/login.html", "login", status=status, notice="", error=error,
                       mode=mode, username=username)


@bp.post("/logout")
@terminal_required
def logout() -> Any:
    sign_out()
    return redirect(url_for("terminal.login"))


@bp.post("/lock")
@terminal_required
def lock() -> Any:
    """The page locks itself after the idle time; the server enforces the same rule."""
    _lock_session()
    return jsonify({"locked": True, "login": url_for("terminal.login")})


def _lock_session() -> None:
    user = current_user()
    locale = session.get("locale")
    sign_out()
    session[SESSION_LOCKED] = user.username if user else ""
    if locale:
        session["locale"] = locale


# -- pages --------------------------------------------------------------------
@bp.get("/")
@terminal_required
def home() -> Any:
    return render_page("terminal/home.html", "home")


@bp.get("/flow")
@terminal_required
def flow() -> Any:
    return render_page("terminal/flow.html", "flow")


# -- idle lock and headers ----------------------------------------------------
def _check_idle() -> Any:
    """Lock a terminal session idle for longer than the configured minutes."""
    if session.get("kind") != "terminal" or not request.path.startswith("/t/"):
        return None
    if request.path.startswith("/t/static/"):
        return None
    api = current_app.config["WMS_TERMINAL_API"]
    is_api = request.path.startswith(api)
    # Activity is what the operator does: a page, or a write that is not a background ack.
    active = (request.method == "POST" and request.path[len(api):] not in BACKGROUND_PATHS
              if is_api else True)
    now = time.time()
    last = session.get(SESSION_ACTIVE, now)
    limit = wms().settings.terminal_idle_lock_minutes * 60
    if now - last > limit:
        _lock_session()
        if is_api or request.path == url_for("terminal.lock"):
            response = jsonify({"code": "session_locked", "status": 401,
                                "detail": "the terminal was idle and is locked; sign in again"})
            response.status_code = 401
            return response
        return redirect(url_for("terminal.login"))
    # Restamped at most every few seconds: a changed session is a newly signed cookie on
    # every scan step otherwise. The lock may so come up to that much early.
    if active and (SESSION_ACTIVE not in session or now - last >= min(STAMP_SECONDS, limit / 10)):
        session[SESSION_ACTIVE] = now
    return None


def _security_headers(response: Any) -> Any:
    """Terminal pages load nothing from another host: the CSP says so too."""
    if request.path.startswith("/t/") and response.mimetype == "text/html":
        host = request.host
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; media-src 'self' data:; "
            f"connect-src 'self' ws://{host} wss://{host}; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("WMS_TERMINAL_API", "/t/api")
    app.config.setdefault("WMS_TERMINAL_NAMESPACE", "/terminal")
    app.register_blueprint(bp)
    app.before_request(_check_idle)
    app.after_request(_security_headers)
    if "_" not in app.jinja_env.globals:
        app.jinja_env.globals["_"] = gettext

