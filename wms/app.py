"""The application factory: wires settings, database, edges, Socket.IO and workers."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import Engine

from wms import events
from wms.db import make_engine, make_session_factory
from wms.serving import use_gevent_wait
from wms.settings import Settings, load_settings
from wms.web.context import WmsContext, close_read_session
from wms.web.logs import configure_logging, init_request_ids

#: Edge modules; each exposes ``init_app(app)``. Order matters only for realtime first.
EDGES = (
    "wms.web.errors",
    "wms.web.assets",
    "wms.web.i18n",
    "wms.web.realtime",
    "wms.web.auth",
    "wms.web.api",
    "wms.web.terminal",
    "wms.web.flows_api",
    "wms.web.board",
    "wms.web.inventory_api",
    "wms.web.console",
    "wms.web.devices",
    "wms.web.scheduler",
)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the app. Nothing is created at import time; tests build their own."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    if settings.socketio.async_mode == "gevent":
        use_gevent_wait()  # psycopg straight on the hub; nothing where gevent has not patched
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    engine = engine or make_engine(settings.database_url)
    factory = make_session_factory(engine)
    ctx = WmsContext(settings=settings, engine=engine, session_factory=factory)
    events.install(factory, ctx.publishers)
    app.extensions["wms"] = ctx
    ctx.socketio = _socketio(app, settings)
    init_request_ids(app)
    app.teardown_appcontext(close_read_session)
    for name in EDGES:
        importlib.import_module(name).init_app(app)
    return app


def _socketio(app: Flask, settings: Settings) -> SocketIO:
    options: dict[str, Any] = {
        "async_mode": settings.socketio.async_mode,
        "ping_interval": settings.socketio.ping_interval,
        "ping_timeout": settings.socketio.ping_timeout,
        "cors_allowed_origins": [],
        "manage_session": False,
    }
    if settings.socketio.message_queue:
        options["message_queue"] = settings.socketio.message_queue
    return SocketIO(app, **options)
