"""Console test helpers: people with roles, and a signed-in browser-like session per person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from wms.model import AuditLog, Role, User, Warehouse
from wms.services import access
from wms.services.access import create_user

PASSWORD = "correct-horse-1"


class Desk:
    """One person at the console, with their own cookies, like a browser."""

    def __init__(self, app, username: str | None = None) -> None:
        self.client = app.test_client()
        self.username = username

    def csrf(self) -> str:
        with self.client.session_transaction() as sess:
            if "csrf" not in sess:
                self.client.get("/console/login")
        with self.client.session_transaction() as sess:
            return sess["csrf"]

    def sign_in(self, password: str = PASSWORD, username: str | None = None, **extra):
        data = {"username": username or self.username, "password": password,
                "csrf_token": self.csrf(), **extra}
        return self.client.post("/console/login", data=data)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf()
        return self.client.post(url, data=data, **kw)

    def page(self, url: str, **kw) -> str:
        response = self.get(url, **kw)
        assert response.status_code == 200, (url, response.status_code, response.text[:500])
        return response.text


class People:
    """Creates users the way an admin would have, each in its own transaction."""

    def __init__(self, factory: sessionmaker[Session], floor) -> None:
        self.factory = factory
        self.floor = floor

    def add(self, username: str, role: Role = Role.operator, *, warehouses=("WH1",),
            password: str | None = PASSWORD, **kw) -> User:
        for code in warehouses:
            self.floor.warehouse(code)
        with self.factory() as s, s.begin():
            whs = list(s.scalars(select(Warehouse).where(Warehouse.code.in_(warehouses))))
            return create_user(s, username=username, role=role, password=password,
                               warehouses=whs, **kw)

    def get(self, username: str) -> User:
        with self.factory() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            user.warehouses  # noqa: B018 (load before the session closes)
            return user

    def audit(self, action_prefix: str = "") -> list[AuditLog]:
        with self.factory() as s:
            stmt = select(AuditLog).order_by(AuditLog.id)
            return [a for a in s.scalars(stmt) if a.action.startswith(action_prefix)]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch) -> None:
    """Real argon2, with the smallest cost: the tests are about the console, not hashing."""
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=1, memory_cost=8,
                                                          parallelism=1))


@pytest.fixture
def people(session_factory, floor) -> People:
    return People(session_factory, floor)


@pytest.fixture
def admin(app, people) -> Desk:
    """An admin of WH1, signed in to the console."""
    people.add("ada", Role.admin)
    desk = Desk(app, "ada")
    assert desk.sign_in().status_code == 302
    return desk


@pytest.fixture
def supervisor(app, people) -> Desk:
    """A supervisor of WH1, signed in to the console."""
    people.add("sam", Role.supervisor)
    desk = Desk(app, "sam")
    assert desk.sign_in().status_code == 302
    return desk


@pytest.fixture
def desk(app) -> Desk:
    """Someone at the console who has not signed in yet."""
    return Desk(app)


@contextmanager
def counted_queries(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the block sends to the database."""
    statements: list[str] = []

    def _count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def flash_text(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip()
            for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)]
