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
    from wms.web.api import items, locations, partners, purchase_orders, stock

    modules = (items, locations, partners, purchase_orders, stock)
    return [op for module in modules for op in module.router.operations]


def init_app(app: Flask) -> None:
    from wms.web.api.openapi import document
    from wms.web.api.runner import handler

    blueprint = Blueprint("api_v1", __name__, url_prefix=PREFIX)
    ops = operations()
    for op in ops:
        blueprint.add_url_rule(
            op.flask_rule, endpoint=op.operation_id, view_func=handler(op), methods=[op.method]
        )
    spec = document(ops, server=PREFIX)
    blueprint.add_url_rule("/openapi.json", "openapi", lambda: jsonify(spec))
    app.register_blueprint(blueprint)
