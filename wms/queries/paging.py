"""Keyset paging: a page is "the next N after this key", so page 2,000 costs what page 1 does.

OFFSET paging reads and throws away every row before the page; with 100k
locations that grows with the page number. A keyset page walks the index
from the last key seen, so each page is one index range scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    #: Key to ask for the following page (``after=``), None on the last page.
    next_key: Any = None
    #: Key to ask for the page before (``before=``), None on the first page.
    prev_key: Any = None


def keyset_page(
    session: Session,
    stmt: Select[tuple[T]],
    key: InstrumentedAttribute[Any],
    *,
    after: Any = None,
    before: Any = None,
    size: int = PAGE_SIZE,
    descending: bool = False,
) -> Page[T]:
    """One page of ``stmt`` ordered by the unique ``key``, after or before a key."""
    forward = before is None
    if after is not None and forward:
        stmt = stmt.where(key < after if descending else key > after)
    if not forward:
        stmt = stmt.where(key > before if descending else key < before)
    ascending = forward != descending
    stmt = stmt.order_by(key.asc() if ascending else key.desc()).limit(size + 1)
    rows = list(session.scalars(stmt))
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    first = getattr(rows[0], key.key) if rows else None
    last = getattr(rows[-1], key.key) if rows else None
    if forward:
        return Page(rows, next_key=last if more else None,
                    prev_key=first if after is not None and rows else None)
    return Page(rows, next_key=last if rows else None, prev_key=first if more else None)


def prefix_range(prefix: str) -> tuple[str, str] | None:
    """Bounds [low, high) of every string starting with ``prefix`` in byte order."""
    if not prefix:
        return None
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
