"""Location code patterns such as ``A-01..20-1..5``: pure parsing, no database.

A pattern has up to four parts separated by ``-``, read as aisle, bay, level
and position (the order of a location code, ``A-03-12-2``). Each part is a
comma list of values; a value is a literal (``A``, ``07``) or a range
(``01..20``, ``A..D``). A numeric range keeps the width of its first number,
so ``01..20`` gives ``01`` … ``20`` and ``1..20`` gives ``1`` … ``20``.

Routing coordinates come from the parts: the aisle index (``A``/``01`` → 0,
the leftmost aisle), and the distance along the aisle from the bay number.
With ``sides="both"`` odd bays face even bays across the aisle (bay 1 and 2
at the same distance, side 0 and 1); with ``sides="one"`` every bay is on
side 0, one bay width after the other.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from math import prod

from wms.errors import FieldError, ValidationFailed

PARTS = ("aisle", "bay", "level", "position")
MAX_CODE_LENGTH = 64
_LITERAL = re.compile(r"^[A-Z0-9]+$")
_NUMBER_RANGE = re.compile(r"^(\d+)\.\.(\d+)$")
_LETTER_RANGE = re.compile(r"^([A-Z])\.\.([A-Z])$")


@dataclass(frozen=True)
class LocationSpec:
    """One location a pattern describes, with its routing coordinates."""

    code: str
    aisle: str | None
    bay: str | None
    level: str | None
    position: str | None
    aisle_index: int | None
    x: Decimal | None
    side: int | None


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("pattern", message)])


def _values(part: str) -> list[str]:
    """Every value of one part, in the order written."""
    values: list[str] = []
    for chunk in part.split(","):
        if numbers := _NUMBER_RANGE.match(chunk):
            low, high = numbers.groups()
            if int(low) > int(high):
                raise _fail("a range runs from low to high, like 01..20")
            values.extend(str(n).zfill(len(low)) for n in range(int(low), int(high) + 1))
        elif letters := _LETTER_RANGE.match(chunk):
            low, high = letters.groups()
            if low > high:
                raise _fail("a range runs from low to high, like 01..20")
            values.extend(chr(c) for c in range(ord(low), ord(high) + 1))
        elif _LITERAL.match(chunk):
            values.append(chunk)
        else:
            raise _fail("write the pattern like A-01..20-1..5 (letters, digits, ranges a..b)")
    if len(set(values)) != len(values):
        raise _fail("a value appears twice in one part")
    return values


def parse_pattern(pattern: str) -> list[list[str]]:
    """The values of each part; raises ValidationFailed with a clear message."""
    text = pattern.strip().upper()
    if not text:
        raise _fail("write the pattern like A-01..20-1..5 (letters, digits, ranges a..b)")
    parts = text.split("-")
    if len(parts) > len(PARTS):
        raise _fail("at most 4 parts: aisle-bay-level-position")
    return [_values(part) for part in parts]


def count_pattern(pattern: str) -> int:
    """How many locations the pattern describes, without building them."""
    return prod(len(values) for values in parse_pattern(pattern))


def aisle_index(aisle: str) -> int | None:
    """The 0-based aisle index: ``A``/``1``/``01`` → 0, ``B`` → 1, ``AA`` → 26."""
    if aisle.isdigit():
        return max(int(aisle) - 1, 0)
    if aisle.isalpha():
        index = 0
        for ch in aisle:
            index = index * 26 + (ord(ch) - ord("A") + 1)
        return index - 1
    return None


def bay_place(bay: str, *, bay_width: Decimal, sides: str) -> tuple[Decimal | None, int | None]:
    """Distance along the aisle of the bay's middle (metres) and its side."""
    if not bay.isdigit() or int(bay) < 1:
        return None, None
    number = int(bay)
    if sides == "both":
        slot = (number + 1) // 2
        return (slot - Decimal("0.5")) * bay_width, (number + 1) % 2
    return (number - Decimal("0.5")) * bay_width, 0


def expand_pattern(
    pattern: str, *, bay_width: Decimal = Decimal(1), sides: str = "one"
) -> Iterator[LocationSpec]:
    """Every location of the pattern in code order, with coordinates."""
    if sides not in ("one", "both"):
        raise ValidationFailed([FieldError("sides", "choose one side or both sides")])
    if bay_width <= 0:
        raise ValidationFailed([FieldError("bay_width", "the bay width must be above zero")])
    parts = parse_pattern(pattern)
    for combo in itertools.product(*parts):
        code = "-".join(combo)
        if len(code) > MAX_CODE_LENGTH:
            raise _fail("a location code has at most 64 characters")
        named = dict(zip(PARTS, combo, strict=False))
        x, side = (None, None)
        if "bay" in named:
            x, side = bay_place(named["bay"], bay_width=bay_width, sides=sides)
        yield LocationSpec(
            code=code,
            aisle=named.get("aisle"),
            bay=named.get("bay"),
            level=named.get("level"),
            position=named.get("position"),
            aisle_index=aisle_index(named["aisle"]) if len(parts) > 1 else None,
            x=x,
            side=side,
        )
