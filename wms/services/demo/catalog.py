"""The demo catalogue: items, units, barcodes, partners; pure and seeded.

Every item counts in ``each``; ``inner``, ``case`` and ``pallet`` hold an
exact whole number of eaches. Barcodes use the GS1 example company prefix
0614141 (it appears in GS1's own documentation, so it belongs to no real
product): EAN-13 ``0614141`` + 5-digit item reference + check digit for the
each, GTIN-14 with indicator 1 (inner) and 2 (case) for the packs. Food
and cosmetics are lot-tracked with a shelf life, electronics
serial-tracked, the rest untracked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from wms.model import PartnerKind, Tracking
from wms.scanning.checkdigits import gs1_check_digit

COMPANY_PREFIX = "0614141"
MAX_ITEMS = 99_999

#: (category, tracking, shelf life days range, each weight kg range, nouns)
CATEGORIES = (
    ("food", Tracking.lot, (180, 720), (0.1, 1.5), ("tea", "rice", "noodles", "coffee", "oil")),
    ("cosmetics", Tracking.lot, (365, 1095), (0.05, 0.5), ("lotion", "shampoo", "soap")),
    ("electronics", Tracking.serial, None, (0.2, 4.0), ("router", "scanner", "tablet")),
    ("hardware", Tracking.none, None, (0.05, 3.0), ("hinge", "screws", "bracket", "drill")),
    ("stationery", Tracking.none, None, (0.01, 1.0), ("pen", "notebook", "stapler", "tape")),
)
# Category weights: mostly untracked, some lots, few serials.
CATEGORY_WEIGHTS = (3, 1, 1, 3, 3)
ADJECTIVES = ("green", "classic", "premium", "compact", "heavy", "light", "blue", "red", "eco")


def ean13(item_ref: int) -> str:
    body = f"{COMPANY_PREFIX}{item_ref:05d}"
    return body + gs1_check_digit(body)


def pack_gtin(each_ean13: str, indicator: int) -> str:
    """GTIN-14 of a pack of the each: indicator digit + the each's first 12 digits."""
    body = f"{indicator}{each_ean13[:12]}"
    return body + gs1_check_digit(body)


@dataclass(frozen=True)
class ItemSpec:
    sku: str
    name: str
    category: str
    tracking: Tracking
    shelf_life_days: int | None
    weight_kg: Decimal
    volume_l: Decimal
    abc_class: str
    #: uom → eaches per uom, exact.
    units: dict[str, Decimal] = field(default_factory=dict)
    #: (barcode, uom) pairs.
    barcodes: tuple[tuple[str, str], ...] = ()


def items(count: int, rng: random.Random) -> list[ItemSpec]:
    return [_item(n, rng) for n in range(1, count + 1)]


def _item(n: int, rng: random.Random) -> ItemSpec:
    category, tracking, life, (low, high), nouns = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
    weight = Decimal(str(round(rng.uniform(low, high), 3)))
    inner = Decimal(rng.choice((4, 6, 10, 12)))
    case = inner * rng.choice((2, 4, 6))
    pallet = case * rng.randint(20, 60)
    each = ean13(n)
    barcodes = [(each, "each"), (pack_gtin(each, 1), "inner"), (pack_gtin(each, 2), "case")]
    if n % 10 == 0:
        barcodes.append((f"IN{n:06d}", "each"))  # an internal label on some items
    return ItemSpec(
        sku=f"SKU-{n:05d}",
        name=f"{rng.choice(ADJECTIVES).title()} {rng.choice(nouns)} {n}",
        category=category,
        tracking=tracking,
        shelf_life_days=rng.randint(*life) if life else None,
        weight_kg=weight,
        volume_l=Decimal(str(round(float(weight) * rng.uniform(0.8, 3.0), 3))),
        abc_class=rng.choices("ABC", (2, 3, 5))[0],
        units={"inner": inner, "case": case, "pallet": pallet},
        barcodes=tuple(barcodes),
    )


def partners(rng: random.Random, *, suppliers: int = 5, customers: int = 10) -> list[dict]:
    """Suppliers and customers with role-like names, never people's names."""
    cities = ("Shanghai", "Suzhou", "Hangzhou", "Ningbo", "Wuxi", "Nanjing", "Hefei", "Jinan")
    rows = [
        {
            "code": f"SUP-{i:03d}",
            "name": f"{rng.choice(cities)} Supply Co. {i}",
            "kind": PartnerKind.supplier,
        }
        for i in range(1, suppliers + 1)
    ]
    rows += [
        {
            "code": f"CUS-{i:03d}",
            "name": f"{rng.choice(cities)} Retail Store {i}",
            "kind": PartnerKind.customer,
        }
        for i in range(1, customers + 1)
    ]
    return rows
