"""What every console page shares: access decorators, form reading, one-transaction writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from flask import abort, flash, g, request
from flask import session as http_session
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from wms.errors import FieldError, InvalidQuantity, ValidationFailed, WmsError
from wms.model import Role, User, Warehouse, exact
from wms.web.auth import current_user, login_required
from wms.web.context import read_session, transaction

T = TypeVar("T")

#: Supervisor pages; the admin-only ones (users, API clients) use ``admin_page``.
console_page = login_required(kind="console", role=Role.supervisor, login_endpoint="console.login")
admin_page = login_required(kind="console", role=Role.admin, login_endpoint="console.login")


def me() -> User:
    user = current_user()
    if user is None:  # login_required ran first; this only narrows the type
        raise RuntimeError("no signed-in user")
    return user


def audit_ctx() -> dict[str, object]:
    """Where a change came from, for the audit log."""
    return {"remote_addr": request.remote_addr, "request_id": g.get("request_id")}


def tr(message: str) -> str:
    """A service message in the reader's language (unchanged if the catalog lacks it)."""
    return gettext(message) if message else message


@dataclass
class Outcome(Generic[T]):
    ok: bool
    value: T | None = None
    errors: dict[str, str] = field(default_factory=dict)


def attempt(work: Callable[[Session], T]) -> Outcome[T]:
    """Run ``work`` in one transaction. A business error writes nothing and is explained."""
    try:
        with transaction() as session:
            return Outcome(True, work(session))
    except ValidationFailed as exc:
        errors = {e.field: _field_message(e) for e in exc.errors}
        flash(gettext("Nothing was saved. Please correct the marked fields."), "error")
        return Outcome(False, errors=errors)
    except WmsError as exc:
        message = tr(exc.detail)
        codes = exc.params.get("codes")
        if codes:
            message += ": " + ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
        flash(message, "error")
        return Outcome(False)


def _field_message(error: FieldError) -> str:
    if error.code == "duplicate":
        return gettext("already in use")
    return tr(error.message)


class Form:
    """Reads a submitted form; collects every problem at once instead of stopping at the first."""

    def __init__(self, data: MultiDict[str, str] | None = None) -> None:
        self.data = data if data is not None else request.form
        self.errors: list[FieldError] = []

    def text(self, name: str, *, required: bool = False, max_len: int = 200) -> str:
        value = (self.data.get(name) or "").strip()
        if required and not value:
            self.errors.append(FieldError(name, "required"))
        elif len(value) > max_len:
            self.errors.append(FieldError(name, "too long"))
        return value

    def optional(self, name: str, *, max_len: int = 200) -> str | None:
        return self.text(name, max_len=max_len) or None

    def decimal(self, name: str, *, positive: bool = True) -> Decimal | None:
        return self.decimal_of(name, self.text(name, max_len=40), positive=positive)

    def decimal_of(self, name: str, raw: str, *, positive: bool = True) -> Decimal | None:
        """An exact decimal from ``raw``; a problem is reported under ``name``."""
        raw = raw.strip()
        if not raw:
            return None
        try:
            value = exact(raw, field=name)
        except InvalidQuantity:
            self.errors.append(FieldError(name, "not an exact number"))
            return None
        if positive and value <= 0:
            self.errors.append(FieldError(name, "must be above zero"))
        return value

    def integer(self, name: str, *, minimum: int = 0) -> int | None:
        raw = self.text(name, max_len=12)
        if not raw:
            return None
        if not raw.isdigit() or int(raw) < minimum:
            self.errors.append(FieldError(name, "a whole number is needed"))
            return None
        return int(raw)

    def flag(self, name: str) -> bool:
        return self.data.get(name) in ("1", "on", "true", "yes")

    def many(self, name: str) -> list[str]:
        return [v for v in self.data.getlist(name) if v]

    def ids(self, name: str) -> tuple[int, ...]:
        return tuple(int(v) for v in self.many(name) if v.isdigit())

    def check(self) -> None:
        """Raise every collected problem at once (inside ``attempt``, so nothing is written)."""
        if self.errors:
            raise ValidationFailed(list(self.errors))


def warehouses_for(user: User, session: Session | None = None) -> list[Warehouse]:
    """The warehouses this user may manage: all for an admin, their own otherwise."""
    session = session or read_session()
    if user.role is Role.admin:
        return list(session.scalars(select(Warehouse).order_by(Warehouse.code)))
    return sorted(user.warehouses, key=lambda w: w.code)


def chosen_warehouse(user: User, wanted: Any) -> Warehouse | None:
    """The warehouse asked for (``?warehouse=id``), else the session's, else the first."""
    choices = warehouses_for(user)
    by_id = {w.id: w for w in choices}
    for candidate in (wanted, http_session.get("warehouse_id")):
        if candidate is not None and str(candidate).isdigit() and int(candidate) in by_id:
            return by_id[int(candidate)]
    return choices[0] if choices else None


def working_warehouse() -> Warehouse:
    """The warehouse a page is about (``?warehouse=id`` or the remembered one); 403 if none."""
    warehouse = chosen_warehouse(me(), request.values.get("warehouse"))
    if warehouse is None:
        abort(403, gettext("You do not work in this warehouse."))
    return warehouse


def checked(values: Iterable[Any], value: Any) -> bool:
    return str(value) in {str(v) for v in values}


def require_warehouse(warehouse_id: int) -> None:
    """Supervisors manage only their own warehouses; admins manage all."""
    if not me().can_access(warehouse_id):
        abort(403, gettext("You do not work in this warehouse."))


def actor(db: Session) -> User:
    """The signed-in user, loaded in the write's own session (for audit entries)."""
    user = db.get(User, me().id)
    if user is None:
        raise RuntimeError("signed-in user vanished")
    return user
