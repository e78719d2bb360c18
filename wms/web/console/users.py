"""Users (admin only): list, create, edit role/skills/warehouses, badge, PIN, deactivate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from wms.model import SKILLS, Role, User
from wms.queries.directory import search_users
from wms.services import users as service
from wms.services.users import UserForm
from wms.web.console.common import (
    Form,
    actor,
    admin_page,
    attempt,
    audit_ctx,
    me,
    warehouses_for,
)
from wms.web.context import read_session


def _form(*, new: bool) -> UserForm:
    """The submitted user; the service checks every field at once."""
    form = Form()
    return UserForm(
        username=form.text("username", max_len=200) if new else "",
        display_name=form.text("display_name", max_len=1000),
        role=form.text("role"),
        skills=tuple(form.many("skills")),
        warehouse_ids=form.ids("warehouses"),
        locale=form.text("locale") or "zh_CN",
        password=(form.optional("password", max_len=1000) if new else None),
        pin=(form.optional("pin", max_len=100) if new else None),
        badge=(form.optional("badge", max_len=100) if new else None),
        ctx=audit_ctx(),
    )


def _page(template: str, user: User | None = None, errors: dict[str, str] | None = None,
          status: int = 200) -> Any:
    return render_template(
        template, user=user, errors=errors or {}, form=request.form, roles=list(Role),
        skills=SKILLS, warehouse_options=[(w.id, w.code) for w in warehouses_for(me())],
    ), status


@admin_page
def users() -> Any:
    page = search_users(read_session(), q=request.args.get("q", ""),
                        after=request.args.get("after"), before=request.args.get("before"))
    return render_template("console/users/list.html", page=page, q=request.args.get("q", ""))


@admin_page
def user_new() -> Any:
    if request.method == "GET":
        return _page("console/users/new.html")
    outcome = attempt(lambda db: service.add_user(db, _form(new=True), actor=actor(db)).id)
    if not outcome.ok:
        return _page("console/users/new.html", errors=outcome.errors, status=422)
    flash(gettext("User created."), "success")
    return redirect(url_for("console.user_edit", user_id=outcome.value))


@admin_page
def user_edit(user_id: int) -> Any:
    user = service.get_user(read_session(), user_id)
    if request.method == "GET":
        return _page("console/users/edit.html", user)
    outcome = attempt(lambda db: service.update_user(
        db, user_id=user_id, form=_form(new=False), actor=actor(db)))
    if not outcome.ok:
        return _page("console/users/edit.html", user, outcome.errors, 422)
    flash(gettext("Changes saved."), "success")
    return redirect(url_for("console.user_edit", user_id=user_id))


@admin_page
def user_credentials(user_id: int, what: str) -> Any:
    """One of: badge (set or clear), pin, password, deactivate, reactivate."""
    user = service.get_user(read_session(), user_id)
    value = (request.form.get("value") or "").strip()
    actions = {
        "badge": lambda db: service.set_badge(
            db, user_id=user_id, badge=value or None, actor=actor(db), **audit_ctx()),
        "pin": lambda db: service.reset_pin(
            db, user_id=user_id, pin=value, actor=actor(db), **audit_ctx()),
        "password": lambda db: service.reset_password(
            db, user_id=user_id, password=request.form.get("value") or "", actor=actor(db),
            **audit_ctx()),
        "deactivate": lambda db: service.set_active(
            db, user_id=user_id, active=False, actor=actor(db), **audit_ctx()),
        "reactivate": lambda db: service.set_active(
            db, user_id=user_id, active=True, actor=actor(db), **audit_ctx()),
    }
    if what not in actions:
        return _page("console/users/edit.html", user, status=404)
    outcome = attempt(actions[what])
    if not outcome.ok:
        return _page("console/users/edit.html", user, outcome.errors, 422)
    flash(gettext("Changes saved."), "success")
    return redirect(url_for("console.user_edit", user_id=user_id))



def register(bp: Blueprint) -> None:
    bp.add_url_rule("/users", "users", users)
    bp.add_url_rule("/users/new", "user_new", user_new, methods=["GET", "POST"])
    bp.add_url_rule("/users/<int:user_id>", "user_edit", user_edit, methods=["GET", "POST"])
    bp.add_url_rule("/users/<int:user_id>/<what>", "user_credentials", user_credentials,
                    methods=["POST"])
