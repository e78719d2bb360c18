"""Declaring API operations once: the same declaration routes, validates and documents.

A resource module owns a ``Router`` and decorates its views::

    @router.operation("POST", "/items", scope="master:write", body=ItemIn,
                      bulk=ItemBulkIn, responses={200: ItemOut, 201: ItemOut})
    def upsert_items(session, call): ...

The view gets a session (in the request's one transaction for writes) and a
``Call`` (who, validated body and query, path parameters) and returns a
``Reply`` whose body is a pydantic model, so the answer always matches the
OpenAPI document generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from wms.model import ApiClient

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Error statuses every authenticated operation can answer.
COMMON_ERRORS = (400, 401, 403, 422)


@dataclass(frozen=True)
class Caller:
    """The API client of this request, detached from any session."""

    client: ApiClient
    scopes: frozenset[str]
    #: Empty means every warehouse.
    warehouse_ids: frozenset[int]

    @property
    def id(self) -> int:
        return self.client.id

    def can_access(self, warehouse_id: int) -> bool:
        return not self.warehouse_ids or warehouse_id in self.warehouse_ids


@dataclass(frozen=True)
class Call:
    caller: Caller
    body: Any
    query: Any
    path: dict[str, str]
    request_id: str | None
    remote_addr: str | None
    #: True when the body came as ``{"items": [...]}``.
    bulk: bool = False


@dataclass(frozen=True)
class Reply:
    status: int
    body: BaseModel | None
    #: What the audit log names as the target of a write ("item SKU-1").
    target: str | None = None
    #: Response headers (``Location``).
    headers: dict[str, str] = field(default_factory=dict)


View = Callable[[Session, Call], Reply]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    scope: str
    summary: str
    tag: str
    view: View
    body: type[BaseModel] | None = None
    bulk: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    description: str = ""

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def operation_id(self) -> str:
        return self.view.__name__

    @property
    def flask_rule(self) -> str:
        return self.path.replace("{", "<").replace("}", ">")

    @property
    def error_statuses(self) -> tuple[int, ...]:
        extra = (409, 413) if self.writes else ()
        return tuple(sorted(set(COMMON_ERRORS + extra + self.errors)))


class Router:
    """The operations of one resource module, collected by ``wms.web.api.init_app``."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        path: str,
        *,
        scope: str,
        summary: str,
        responses: dict[int, type[BaseModel] | None],
        body: type[BaseModel] | None = None,
        bulk: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        errors: tuple[int, ...] = (),
    ) -> Callable[[View], View]:
        def register(view: View) -> View:
            self.operations.append(
                Operation(
                    method=method,
                    path=path,
                    scope=scope,
                    summary=summary,
                    tag=self.tag,
                    view=view,
                    body=body,
                    bulk=bulk,
                    query=query,
                    responses=responses,
                    errors=errors,
                    description=(view.__doc__ or "").strip(),
                )
            )
            return view

        return register
