"""Signing in and out of the console, and the dashboard home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from sqlalchemy import func, select

from wms.errors import AuthenticationFailed
from wms.model import ApiClient, Item, Role, User
from wms.queries.locations import count_locations
from wms.services.access import audit, login_with_password
from wms.web.auth import csrf_ok, current_user, sign_in, sign_out
from wms.web.console.common import audit_ctx, chosen_warehouse, console_page, me, tr
from wms.web.context import read_session, transaction
from wms.web.i18n import safe_next


def login() -> Any:
    user = current_user()
    if request.method == "GET":
        if user is not None and session.get("kind") == "console" and user.has_role(
            Role.supervisor
        ):
            return redirect(url_for("console.dashboard"))
        return render_template("console/login.html", next=request.args.get("next", ""))
    return _login_post()


def _login_post() -> Any:
    username = (request.form.get("username") or "").strip()
    target = request.form.get("next", "")
    if not csrf_ok():
        flash(gettext("The form expired. Please sign in again."), "error")
        return render_template("console/login.html", next=target, username=username), 400
    failure, user, timezone = None, None, None
    with transaction() as db:
        try:
            user = login_with_password(db, username=username,
                                       password=request.form.get("password") or "",
                                       kind="console", **audit_ctx())
            if not user.has_role(Role.supervisor):
                audit(db, action="login.refused", actor=user, target=user.username,
                      success=False, reason="role", **audit_ctx())
                failure = gettext("This account may not use the console.")
            timezone = user.warehouses[0].timezone if user.warehouses else None
        except AuthenticationFailed as exc:
            # Caught inside the transaction: the failed attempt and the lockout count are kept.
            failure = tr(exc.detail)
    if failure or user is None:
        flash(failure or "", "error")
        return render_template("console/login.html", next=target, username=username), 401
    sign_in(user, kind="console")
    session["timezone"] = timezone or "UTC"
    return redirect(safe_next(target) if target else url_for("console.dashboard"))


@console_page
def logout() -> Any:
    with transaction() as db:
        audit(db, action="logout", actor=db.get(User, me().id), target=me().username,
              **audit_ctx())
    sign_out()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("console.login"))


@console_page
def dashboard() -> Any:
    db = read_session()
    warehouse = chosen_warehouse(me(), request.args.get("warehouse"))
    counts = {
        "items": db.scalar(select(func.count()).select_from(Item).where(Item.active)) or 0,
        "users": db.scalar(select(func.count()).select_from(User).where(User.active)) or 0,
        "api_clients": db.scalar(
            select(func.count()).select_from(ApiClient).where(ApiClient.active)
        ) or 0,
        "locations": 0,
        "blocked": 0,
    }
    if warehouse is not None:
        counts["locations"] = count_locations(db, warehouse_id=warehouse.id)
        counts["blocked"] = count_locations(db, warehouse_id=warehouse.id, blocked=True)
    return render_template("console/dashboard.html", counts=counts, warehouse=warehouse)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])
    bp.add_url_rule("/", "dashboard", dashboard)
