"""An ERP talking to the API: keys with scopes, JSON calls, problem+json checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import func, select

from wms.model import Warehouse
from wms.services.access import SCOPES, create_api_key

PREFIX = "/api/v1"


class Erp:
    """An integrated system holding one API key."""

    def __init__(self, client: Any, key: str | None) -> None:
        self.client = client
        self.key = key

    def _headers(self, key: str | None, idem: str | None, extra: dict | None) -> dict:
        headers = dict(extra or {})
        if self.key is not None:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        if idem is not None:
            headers["Idempotency-Key"] = idem
        return headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(
            PREFIX + path, query_string=params, headers=self._headers(None, None, None)
        )

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        raw: str | bytes | None = None,
        headers: dict | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {"headers": self._headers(None, key, headers)}
        if raw is not None:
            kwargs["data"] = raw
            kwargs["content_type"] = "application/json"
        elif body is not None:
            kwargs["json"] = body
        return self.client.open(PREFIX + path, method=method, **kwargs)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.send("DELETE", path, **kw)


@pytest.fixture
def new_key(floor) -> Callable[..., str]:
    """``new_key(scopes=[...], warehouses=["WH1"])`` makes an API client and returns its key."""
    counter = iter(range(1, 10_000))

    def make(scopes: Iterable[str] = SCOPES, warehouses: Iterable[str] = ()) -> str:
        with floor.factory() as s, s.begin():
            whs = [s.scalar(select(Warehouse).where(Warehouse.code == c)) for c in warehouses]
            _client, key = create_api_key(
                s, name=f"erp-{next(counter)}", scopes=scopes, warehouses=[w for w in whs if w]
            )
        return key

    return make


@pytest.fixture
def erp(client, new_key) -> Erp:
    """An ERP with every scope on every warehouse."""
    return Erp(client, new_key())


@pytest.fixture
def erp_as(client, new_key) -> Callable[..., Erp]:
    def make(scopes: Iterable[str] = SCOPES, warehouses: Iterable[str] = ()) -> Erp:
        return Erp(client, new_key(scopes, warehouses))

    return make


def assert_problem(response: Any, status: int, code: str | None = None) -> dict:
    """A problem+json answer with this status (and code); returns the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def fields(problem: dict) -> dict[str, str]:
    return {e["field"]: e["message"] for e in problem.get("errors", [])}


def count(floor, model: Any) -> int:
    with floor.factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0
