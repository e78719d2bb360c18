"""Replenishment: which pick faces need stock from reserve, and how much, in whole units.

Pure. ``MinMaxReplenishment.plan(faces)`` looks at each face's projection
(on hand + already on its way − demand of the released picks or wave):

* projected below ``min_qty`` → fill it up to ``max_qty`` now, rounded
  *down* to whole ``unit_qty`` (a face never overflows its max);
* demand larger than what is there and coming → a shortage: the quantity is
  at least the shortage rounded *up* to whole units (the wave must be
  picked, even past max), and the replenishment is ``urgent`` so it is done
  before the picks that need it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import ClassVar, NamedTuple

ZERO = Decimal(0)


class PickFace(NamedTuple):
    setting_id: int
    location_id: int
    item_id: int
    min_qty: Decimal
    max_qty: Decimal
    unit_qty: Decimal
    on_hand: Decimal
    incoming: Decimal = ZERO
    demand: Decimal = ZERO


class Replenishment(NamedTuple):
    setting_id: int
    location_id: int
    item_id: int
    qty: Decimal
    shortage: Decimal
    urgent: bool


def _whole(qty: Decimal, unit: Decimal, rounding: str) -> Decimal:
    return (qty / unit).to_integral_value(rounding=rounding) * unit


@dataclass(frozen=True)
class MinMaxReplenishment:
    name: ClassVar[str] = "min_max"

    def need(self, face: PickFace) -> Replenishment | None:
        there = face.on_hand + face.incoming
        projected = there - face.demand
        shortage = max(face.demand - there, ZERO)
        if projected >= face.min_qty and shortage == 0:
            return None
        qty = max(_whole(face.max_qty - there, face.unit_qty, ROUND_FLOOR), ZERO)
        if shortage > 0:
            qty = max(qty, _whole(shortage, face.unit_qty, ROUND_CEILING))
        if qty <= 0:
            return None
        return Replenishment(face.setting_id, face.location_id, face.item_id, qty, shortage,
                             shortage > 0)

    def plan(self, faces: Iterable[PickFace]) -> list[Replenishment]:
        """Every face that needs stock, urgent (shortages) first, then the emptiest."""
        out = [r for f in faces if (r := self.need(f)) is not None]
        out.sort(key=lambda r: (not r.urgent, -r.shortage, r.location_id))
        return out
