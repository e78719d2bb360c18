"""Count selection: which locations are due for a cycle count, and when.

Pure: plain frozen dataclasses in, a list of ``CountDue`` out.

* ``AbcCountPlanner``: a location is counted every ``days[abc_class]``
  days (A monthly, B quarterly, C yearly by default, configurable per plan
  or warehouse). A location without a class counts as ``default_class``.
* ``FrequencyCountPlanner``: every selected location (a zone, a code
  prefix, the locations holding an item) every ``days`` days.

Never counted means due now. The most overdue come first; ``limit`` caps a
run so a big plan is spread over days instead of landing on one shift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, NamedTuple

DEFAULT_ABC_DAYS: Mapping[str, int] = {"A": 30, "B": 91, "C": 365}


class LocationToCount(NamedTuple):
    """A named tuple, not a dataclass: plans read 100,000 of these at a time."""

    location_id: int
    code: str
    abc_class: str | None = None
    last_counted_at: datetime | None = None


class CountDue(NamedTuple):
    location_id: int
    code: str
    due_at: datetime
    overdue_days: int


def _pick(dues: list[CountDue], limit: int | None) -> list[CountDue]:
    dues.sort(key=lambda d: (d.due_at, d.code))
    return dues if limit is None else dues[:limit]


def _due(loc: LocationToCount, days: int, now: datetime) -> CountDue | None:
    last = loc.last_counted_at
    if last is None:
        return CountDue(loc.location_id, loc.code, now, 0)
    if last > now - timedelta(days=days):
        return None
    due_at = last + timedelta(days=days)
    return CountDue(loc.location_id, loc.code, due_at, (now - due_at).days)


@dataclass(frozen=True)
class AbcCountPlanner:
    name: ClassVar[str] = "abc"
    days: Mapping[str, int] | None = None
    default_class: str = "C"

    def __post_init__(self) -> None:
        days = dict(DEFAULT_ABC_DAYS)
        days.update({k.upper(): int(v) for k, v in (self.days or {}).items()})
        if any(v <= 0 for v in days.values()):
            raise ValueError("count frequencies must be at least one day")
        object.__setattr__(self, "days", days)

    def due(self, locations: Iterable[LocationToCount], *, now: datetime,
            limit: int | None = None) -> list[CountDue]:
        days = self.days_by_class()
        default = days[self.default_class]
        out = []
        for loc in locations:
            hit = _due(loc, days.get((loc.abc_class or self.default_class).upper(), default), now)
            if hit is not None:
                out.append(hit)
        return _pick(out, limit)

    def days_by_class(self) -> dict[str, int]:
        """Days between counts per class, the default class included."""
        return dict(self.days or {})


@dataclass(frozen=True)
class FrequencyCountPlanner:
    name: ClassVar[str] = "frequency"
    days: int = 90

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise ValueError("count frequency must be at least one day")

    def due(self, locations: Iterable[LocationToCount], *, now: datetime,
            limit: int | None = None) -> list[CountDue]:
        out = [hit for loc in locations if (hit := _due(loc, self.days, now)) is not None]
        return _pick(out, limit)
