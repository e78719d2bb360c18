"""Removal strategies: which quants an order line is allocated from, and how much from each.

Every strategy takes plain ``QuantCandidate`` rows and a requested Decimal
quantity and returns an ``Allocation``: ``(candidate, qty)`` lines plus the
quantity it could not cover. Quantities stay exact Decimals; a candidate
never gives more than its ``available``.

Constraints are the same for every strategy and come before the order:
only the requested lot when one is asked for, never expired stock, and
with a customer's minimum remaining shelf life of N days only stock whose
expiry is at least N days after ``today`` (stock without an expiry always
passes). Ties keep the caller's order, so a caller that lists candidates
nearest-first gets nearest-first among equals.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

ZERO = Decimal(0)
_LATEST_DATE = date.max
_LATEST_TIME = datetime.max


@dataclass(frozen=True)
class QuantCandidate:
    """Stock that could serve a line: one quant's available quantity at a location."""

    id: int | str
    location: str
    available: Decimal
    lot: str | None = None
    expiry: date | None = None
    in_date: datetime | None = None
    container: str | None = None


@dataclass(frozen=True)
class Allocation:
    """What to take from where, and what is still missing."""

    lines: tuple[tuple[QuantCandidate, Decimal], ...]
    short: Decimal

    @property
    def allocated(self) -> Decimal:
        return sum((qty for _, qty in self.lines), ZERO)

    @property
    def complete(self) -> bool:
        return self.short == ZERO


def eligible(
    candidates: Iterable[QuantCandidate],
    *,
    lot: str | None = None,
    today: date | None = None,
    min_shelf_life_days: int = 0,
) -> list[QuantCandidate]:
    """Candidates with stock that the line is allowed to take, in the caller's order."""
    earliest_expiry = None if today is None else today + timedelta(days=min_shelf_life_days)
    return [
        c
        for c in candidates
        if c.available > ZERO
        and (lot is None or c.lot == lot)
        and (earliest_expiry is None or c.expiry is None or c.expiry >= earliest_expiry)
    ]


def _check_qty(qty: Decimal) -> None:
    if not isinstance(qty, Decimal) or qty < ZERO:
        raise ValueError(f"requested quantity must be a Decimal >= 0, got {qty!r}")


def take_in_order(ordered: Sequence[QuantCandidate], qty: Decimal) -> Allocation:
    """Fill ``qty`` from ``ordered`` front to back; only the last line may be partial."""
    remaining, lines = qty, []
    for candidate in ordered:
        if remaining == ZERO:
            break
        take = min(candidate.available, remaining)
        lines.append((candidate, take))
        remaining -= take
    return Allocation(tuple(lines), remaining)


def _fifo_key(c: QuantCandidate):
    return (c.in_date is None, c.in_date or _LATEST_TIME)


def _fefo_key(c: QuantCandidate):
    return (c.expiry is None, c.expiry or _LATEST_DATE, *_fifo_key(c))


class OrderedRemoval(ABC):
    """A removal rule that is a sort order; subclasses give ``order``."""

    name: ClassVar[str] = ""

    @abstractmethod
    def order(self, candidates: Sequence[QuantCandidate]) -> list[QuantCandidate]:
        """The candidates in the order this rule takes stock from them."""

    def allocate(
        self,
        candidates: Iterable[QuantCandidate],
        qty: Decimal,
        *,
        lot: str | None = None,
        today: date | None = None,
        min_shelf_life_days: int = 0,
    ) -> Allocation:
        _check_qty(qty)
        allowed = eligible(
            candidates, lot=lot, today=today, min_shelf_life_days=min_shelf_life_days
        )
        return take_in_order(self.order(allowed), qty)


class FifoRemoval(OrderedRemoval):
    """First in, first out: oldest ``in_date`` first, unknown dates last (``fifo``)."""

    name: ClassVar[str] = "fifo"

    def order(self, candidates: Sequence[QuantCandidate]) -> list[QuantCandidate]:
        return sorted(candidates, key=_fifo_key)


class FefoRemoval(OrderedRemoval):
    """First expired, first out: earliest expiry first, then FIFO (``fefo``).

    Stock without an expiry goes last. Combine with ``today`` and the
    customer's ``min_shelf_life_days`` so short-dated lots are skipped.
    """

    name: ClassVar[str] = "fefo"

    def order(self, candidates: Sequence[QuantCandidate]) -> list[QuantCandidate]:
        return sorted(candidates, key=_fefo_key)


class EmptyLocationFirstRemoval(OrderedRemoval):
    """Take from the location holding the least first, to free locations (``empty_location_first``).

    Locations are ranked by the total the line may take there; within a
    location, FIFO.
    """

    name: ClassVar[str] = "empty_location_first"

    def order(self, candidates: Sequence[QuantCandidate]) -> list[QuantCandidate]:
        totals: dict[str, Decimal] = {}
        for c in candidates:
            totals[c.location] = totals.get(c.location, ZERO) + c.available
        rank = {loc: k for k, loc in enumerate(sorted(totals, key=totals.__getitem__))}
        return sorted(candidates, key=lambda c: (rank[c.location], *_fifo_key(c)))


class LeastContainersRemoval:
    """Touch as few containers as possible; whole containers first (``least_containers``).

    Quants that share a container count as one; loose quants count one
    each. While no single container covers what is left, the largest is
    taken whole; then the smallest container that covers the rest is
    broken. That touches the fewest containers possible (the largest ones
    are the quickest to add up) and breaks at most one. Ties go FIFO.
    """

    name: ClassVar[str] = "least_containers"

    def allocate(
        self,
        candidates: Iterable[QuantCandidate],
        qty: Decimal,
        *,
        lot: str | None = None,
        today: date | None = None,
        min_shelf_life_days: int = 0,
    ) -> Allocation:
        _check_qty(qty)
        allowed = eligible(
            candidates, lot=lot, today=today, min_shelf_life_days=min_shelf_life_days
        )
        pool = _containers(sorted(allowed, key=_fifo_key))
        remaining, lines = qty, []
        while remaining > ZERO and pool:
            totals = [_total(group) for group in pool]
            covering = [k for k, total in enumerate(totals) if total >= remaining]
            # min/max return the first of equals, so ties go FIFO.
            best = (
                min(covering, key=totals.__getitem__)
                if covering
                else max(range(len(pool)), key=totals.__getitem__)
            )
            taken = take_in_order(pool.pop(best), remaining)
            lines.extend(taken.lines)
            remaining = taken.short
        return Allocation(tuple(lines), remaining)


def _containers(ordered: list[QuantCandidate]) -> list[list[QuantCandidate]]:
    """Group quants by container, keeping first-seen order; loose quants stand alone."""
    groups: dict[object, list[QuantCandidate]] = {}
    for position, c in enumerate(ordered):
        key = ("container", c.container) if c.container is not None else ("loose", position)
        groups.setdefault(key, []).append(c)
    return list(groups.values())


def _total(group: list[QuantCandidate]) -> Decimal:
    return sum((c.available for c in group), ZERO)
