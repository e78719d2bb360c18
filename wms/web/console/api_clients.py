"""API clients (admin only): create with scopes and warehouses, show the key once, revoke."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from wms.errors import FieldError
from wms.model import Warehouse
from wms.queries.directory import list_api_clients
from wms.services.access import SCOPES, create_api_key, revoke_api_key
from wms.web.console.common import Form, actor, admin_page, attempt, me, warehouses_for
from wms.web.context import read_session


def _list_page(errors: dict[str, str] | None = None, status: int = 200) -> Any:
    return render_template(
        "console/api_clients/list.html", clients=list_api_clients(read_session()),
        scopes=SCOPES, warehouse_options=[(w.id, w.code) for w in warehouses_for(me())],
        errors=errors or {}, form=request.form if errors is not None else {},
    ), status


@admin_page
def api_clients() -> Any:
    return _list_page()


@admin_page
def api_client_new() -> Any:
    form = Form()

    def work(db: Any) -> tuple[str, str]:
        name = form.text("name", required=True)
        scopes = form.many("scopes")
        if not scopes:
            form.errors.append(FieldError("scopes", "choose at least one scope"))
        ids = form.ids("warehouses")
        form.check()
        warehouses = list(db.scalars(select(Warehouse).where(Warehouse.id.in_(ids))))
        client, key = create_api_key(db, name=name, scopes=scopes, warehouses=warehouses,
                                     actor=actor(db))
        return client.name, key

    outcome = attempt(work)
    if not outcome.ok or outcome.value is None:
        return _list_page(outcome.errors, 422)
    name, key = outcome.value
    # The clear key exists only in this response: never cached, never stored.
    response = make_response(render_template("console/api_clients/created.html",
                                             name=name, key=key))
    response.headers["Cache-Control"] = "no-store"
    return response


@admin_page
def api_client_revoke(client_id: int) -> Any:
    outcome = attempt(lambda db: revoke_api_key(db, client_id=client_id, actor=actor(db)).name)
    if outcome.ok:
        flash(gettext("Key of %(name)s revoked; it no longer works.", name=outcome.value),
              "success")
    return redirect(url_for("console.api_clients"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/api-clients", "api_clients", api_clients)
    bp.add_url_rule("/api-clients/new", "api_client_new", api_client_new, methods=["POST"])
    bp.add_url_rule("/api-clients/<int:client_id>/revoke", "api_client_revoke",
                    api_client_revoke, methods=["POST"])


