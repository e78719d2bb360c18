"""The supervisor/admin console at /console: master data, inbound, users, API clients, audit.

``init_app`` builds the blueprint when the app is created (nothing at import
time). Pages extend ``console/base.html`` (blocks ``title``, ``content``,
``scripts``); the live task board of the task engine extends it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, render_template, request
from flask_babel import format_datetime, get_locale, gettext
from werkzeug.exceptions import HTTPException

from wms.errors import WmsError
from wms.messages import translate
from wms.model import qty_str
from wms.web.console import (
    api_clients,
    audit_log,
    counts,
    devices,
    inbound,
    inbound_rules,
    items,
    locations,
    outbound,
    signin,
    sites,
    stock_control,
    users,
)
from wms.web.console.common import tr
from wms.web.console.labels import label, options, words

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MODULES = (
    signin,
    users,
    sites,
    locations,
    items,
    inbound,
    inbound_rules,
    outbound,
    counts,
    stock_control,
    devices,
    api_clients,
    audit_log,
)


def init_app(app: Flask) -> None:
    bp = Blueprint("console", __name__, url_prefix="/console", template_folder=str(TEMPLATES))
    for module in MODULES:
        module.register(bp)
    bp.before_request(_refuse_nul)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(WmsError, _wms_error)
    app.register_blueprint(bp)
    app.add_template_filter(_when, "when")
    app.add_template_global(label, "label")
    app.add_template_global(options, "options")
    app.add_template_global(words, "label_words")
    app.add_template_filter(lambda v: "" if v is None else qty_str(v), "qty")
    app.add_template_filter(_task_status, "task_status")


def _task_status(value: Any) -> str:
    """A task status in the page's language (released → 待领取), as the board shows it."""
    if value is None:
        return ""
    code = getattr(value, "value", value)
    return translate(f"board.status.{code}", str(get_locale() or "zh_CN"))


def _refuse_nul() -> None:
    """A NUL character is never part of a code or a name, and PostgreSQL refuses it."""
    values = [*request.args.values(), *request.form.values()]
    if any("\x00" in v for v in values):
        abort(400, gettext("The request contains a character that is not allowed."))


def _when(value: Any) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm:ss") if value else ""


def _http_error(exc: HTTPException) -> Any:
    titles = {403: gettext("You may not open this page"), 404: gettext("Page not found")}
    title = titles.get(exc.code or 500, exc.name)
    return render_template(
        "console/error.html", title=title, detail=tr(exc.description or "")
    ), exc.code or 500


def _wms_error(exc: WmsError) -> Any:
    """A last net: the transaction was rolled back, the page says why, never a 500."""
    return render_template(
        "console/error.html", title=tr(exc.title), detail=tr(exc.detail)
    ), exc.http_status
