"""ERP API v1 under /api/v1: bearer keys with scopes, idempotent writes, problem+json errors.

Each resource module declares its operations on a ``Router``; ``init_app``
turns every declaration into a Flask route and serves the OpenAPI document
generated from the same declarations at /api/v1/openapi.json.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from wms.web.api.framework import Operation

PREFIX = "/api/v1"


def operations() -> list[Operation]:
    from wms.web.api import (
        inventory,
        items,
        locations,
        partners,
        purchase_orders,
        sales_orders,
        stock,
        webhooks,
    )

    modules = (
        items,
        locations,
        partners,
        stock,
        webhooks,
        purchase_orders,
        sales_orders,
        inventory,
    )
    return [op for module in modules for op in module.router.operations]


def init_app(app: Flask) -> None:
    from wms.web.api.openapi import document
    from wms.web.api.parsing import KeyCache
    from wms.web.api.runner import handler
    from wms.web.context import wms

    blueprint = Blueprint("api_v1", __name__, url_prefix=PREFIX)
    ops = operations()
    for op in ops:
        blueprint.add_url_rule(
            op.flask_rule, endpoint=op.operation_id, view_func=handler(op), methods=[op.method]
        )
    spec = document(ops, server=PREFIX)
    blueprint.add_url_rule("/openapi.json", "openapi", lambda: jsonify(spec))
    app.register_blueprint(blueprint)
    app.extensions["wms.api_keys"] = KeyCache(wms(app).settings.api.key_cache_seconds)
    _webhook_worker(app)


def _webhook_worker(app: Flask) -> None:
    """Deliveries wake on commit; the thread starts unless settings say not to (tests)."""
    from wms.web.api.worker import WebhookWorker
    from wms.web.context import wms

    ctx = wms(app)
    worker = WebhookWorker(ctx.session_factory, ctx.settings.api)
    ctx.publishers.append(worker.publish)
    ctx.workers.append(worker)
    app.extensions["wms.webhook_worker"] = worker
    if ctx.settings.api.start_webhook_worker:
        worker.start()
