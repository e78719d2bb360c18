"""Running an upsert for one body or a bulk ``{"items": [...]}`` and shaping the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from wms.errors import FieldError, ValidationFailed
from wms.services.upserts import Upserted
from wms.web.api.framework import Call
from wms.web.api.schemas.common import BulkResult


@dataclass(frozen=True)
class Results:
    upserted: Sequence[Upserted[Any]]

    @property
    def rows(self) -> list[BulkResult]:
        return [
            BulkResult(index=i, key=u.key, result=u.result) for i, u in enumerate(self.upserted)
        ]


def answer(call: Call, run: Callable[[], Sequence[Upserted[Any]]]) -> Results:
    with single_errors(call):
        return Results(run())


@contextmanager
def single_errors(call: Call) -> Iterator[None]:
    """Services name fields ``items[i].x``; a single body is told ``x``."""
    try:
        yield
    except ValidationFailed as exc:
        if call.bulk:
            raise
        raise ValidationFailed([_single(e) for e in exc.errors]) from None


def _single(error: FieldError) -> FieldError:
    name = error.field.removeprefix("items[0]").removeprefix(".")
    return FieldError(name or "body", error.message, error.code)
