"""Cutting query results into ``{items, next_cursor}`` pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wms.web.api import cursors

T = TypeVar("T")


def after_id(cursor: str | None) -> int:
    position = cursors.decode(cursor)
    return position[0] if position else 0


def page(rows: Sequence[T], limit: int, out: Callable[[T], Any]) -> dict[str, Any]:
    """``rows`` holds up to ``limit + 1`` rows ordered by id; the extra one means more."""
    shown = rows[:limit]
    more = len(rows) > limit
    return {
        "items": [out(row) for row in shown],
        "next_cursor": cursors.encode(shown[-1].id) if more and shown else None,  # type: ignore[attr-defined]
    }
