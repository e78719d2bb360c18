"""Weights to whole grams, exactly (Decimal in, int out, half up)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

GRAMS_PER = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "mg": Decimal("0.001"),
    "t": Decimal(1_000_000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}


def to_grams(value: Decimal, unit: str) -> int:
    """``to_grams(Decimal("12.34"), "kg") == 12340``; ValueError for an unknown unit."""
    try:
        factor = GRAMS_PER[unit.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown weight unit {unit!r}") from None
    return int((value * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))
