"""What an upsert by business key answers per row: created, updated or unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")
Result = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Upserted(Generic[T]):
    key: str
    row: T
    result: Result


def assign(row: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
