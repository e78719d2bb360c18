"""Upserting items by SKU, with exact units and check-digit-verified barcodes.

A batch is checked whole before anything is written: every problem of every
item is collected and raised once, so a bad batch writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wms.errors import FieldError, ValidationFailed
from wms.model import Item, ItemBarcode, ItemUnit, StockMove, Tracking
from wms.scanning.checkdigits import is_gtin
from wms.services.upserts import Upserted, assign

_GTIN_LENGTHS = (8, 12, 13, 14)
#: Plain attributes copied from the spec onto the item.
_ATTRS = (
    "name",
    "tracking",
    "shelf_life_days",
    "weight_kg",
    "volume_l",
    "safety_stock",
    "abc_class",
    "active",
)


@dataclass(frozen=True)
class ItemSpec:
    sku: str
    name: str
    uom: str = "each"
    #: (uom, base units per uom)
    units: tuple[tuple[str, Decimal], ...] = ()
    #: (barcode, uom or None for the base unit)
    barcodes: tuple[tuple[str, str | None], ...] = ()
    tracking: Tracking = Tracking.none
    shelf_life_days: int | None = None
    weight_kg: Decimal | None = None
    volume_l: Decimal | None = None
    safety_stock: Decimal | None = None
    abc_class: str | None = None
    active: bool = True


def upsert_items(session: Session, specs: Sequence[ItemSpec]) -> list[Upserted[Item]]:
    """Create or update each item by SKU; all or nothing."""
    existing = _existing(session, [s.sku for s in specs])
    errors = _duplicates(specs) + _spec_errors(specs)
    errors += _barcode_owner_errors(session, specs)
    errors += _locked_field_errors(session, specs, existing)
    if errors:
        raise ValidationFailed(errors)
    dropped = _drop_barcodes(session, specs, existing)
    return [_apply(session, spec, existing.get(spec.sku), spec.sku in dropped) for spec in specs]


def _existing(session: Session, skus: list[str]) -> dict[str, Item]:
    rows = session.scalars(
        select(Item)
        .where(Item.sku.in_(skus))
        .options(selectinload(Item.units), selectinload(Item.barcodes))
    )
    return {item.sku: item for item in rows}


def _duplicates(specs: Sequence[ItemSpec]) -> list[FieldError]:
    errors, seen_sku, seen_code = [], {}, {}
    for i, spec in enumerate(specs):
        if spec.sku in seen_sku:
            errors.append(
                FieldError(
                    f"items[{i}].sku",
                    f"SKU {spec.sku} is also item {seen_sku[spec.sku]} of this request",
                    "duplicate",
                )
            )
        seen_sku.setdefault(spec.sku, i)
        for j, (code, _uom) in enumerate(spec.barcodes):
            if code in seen_code:
                errors.append(
                    FieldError(
                        f"items[{i}].barcodes[{j}]",
                        f"barcode {code} appears twice in this request",
                        "duplicate",
                    )
                )
            seen_code.setdefault(code, i)
    return errors


def _spec_errors(specs: Sequence[ItemSpec]) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, spec in enumerate(specs):
        uoms = [spec.uom]
        for j, (uom, _factor) in enumerate(spec.units):
            if uom in uoms:
                errors.append(
                    FieldError(
                        f"items[{i}].units[{j}].uom", f"unit {uom} is listed twice", "duplicate"
                    )
                )
            uoms.append(uom)
        for j, (code, uom) in enumerate(spec.barcodes):
            where = f"items[{i}].barcodes[{j}]"
            if uom is not None and uom not in uoms:
                errors.append(
                    FieldError(f"{where}.uom", f"item {spec.sku} has no unit {uom}", "unknown_unit")
                )
            if code.isdigit() and len(code) in _GTIN_LENGTHS and not is_gtin(code):
                errors.append(
                    FieldError(
                        where,
                        f"{code} is not a valid GTIN: wrong check digit",
                        "invalid_check_digit",
                    )
                )
    return errors


def _barcode_owner_errors(session: Session, specs: Sequence[ItemSpec]) -> list[FieldError]:
    codes = {code for spec in specs for code, _ in spec.barcodes}
    if not codes:
        return []
    owners = dict(
        session.execute(
            select(ItemBarcode.barcode, Item.sku)
            .join(Item, Item.id == ItemBarcode.item_id)
            .where(ItemBarcode.barcode.in_(codes))
        ).all()
    )
    # A barcode may move between items of the same request.
    released = {
        code
        for code, sku in owners.items()
        for spec in specs
        if spec.sku == sku and code not in dict(spec.barcodes)
    }
    errors = []
    for i, spec in enumerate(specs):
        for j, (code, _uom) in enumerate(spec.barcodes):
            owner = owners.get(code)
            if owner is not None and owner != spec.sku and code not in released:
                errors.append(
                    FieldError(
                        f"items[{i}].barcodes[{j}]",
                        f"barcode {code} belongs to item {owner}",
                        "duplicate",
                    )
                )
    return errors


def _locked_field_errors(
    session: Session, specs: Sequence[ItemSpec], existing: dict[str, Item]
) -> list[FieldError]:
    """The base unit and tracking mode of an item with stock history cannot change."""
    changing = {
        spec.sku: existing[spec.sku].id
        for spec in specs
        if spec.sku in existing
        and (
            existing[spec.sku].base_uom != spec.uom or existing[spec.sku].tracking != spec.tracking
        )
    }
    if not changing:
        return []
    moved = set(
        session.scalars(
            select(StockMove.item_id).where(StockMove.item_id.in_(changing.values())).distinct()
        )
    )
    errors = []
    for i, spec in enumerate(specs):
        if changing.get(spec.sku) in moved:
            item = existing[spec.sku]
            field_name = "uom" if item.base_uom != spec.uom else "tracking"
            errors.append(
                FieldError(
                    f"items[{i}].{field_name}",
                    f"item {spec.sku} has stock history; its {field_name} cannot change",
                    "locked",
                )
            )
    return errors


def _drop_barcodes(
    session: Session, specs: Sequence[ItemSpec], existing: dict[str, Item]
) -> set[str]:
    """Remove dropped barcodes first, so one can move to another item in the same flush."""
    dropped: set[str] = set()
    for spec in specs:
        item = existing.get(spec.sku)
        if item is None:
            continue
        wanted = {code for code, _ in spec.barcodes}
        for barcode in [b for b in item.barcodes if b.barcode not in wanted]:
            item.barcodes.remove(barcode)
            dropped.add(spec.sku)
    if dropped:
        session.flush()
    return dropped


def _apply(session: Session, spec: ItemSpec, item: Item | None, dropped: bool) -> Upserted[Item]:
    created = item is None
    if item is None:
        item = Item(sku=spec.sku, name=spec.name, base_uom=spec.uom)
        session.add(item)
    changed = dropped
    changed |= assign(item, {a: getattr(spec, a) for a in _ATTRS} | {"base_uom": spec.uom})
    changed |= _sync_units(item, spec)
    changed |= _sync_barcodes(item, spec)
    session.flush()
    return Upserted(spec.sku, item, "created" if created else "updated" if changed else "unchanged")


def _sync_units(item: Item, spec: ItemSpec) -> bool:
    wanted = dict(spec.units)
    current = {u.uom: u for u in item.units}
    changed = False
    for uom, unit in current.items():
        if uom not in wanted:
            item.units.remove(unit)
            changed = True
    for uom, factor in wanted.items():
        if uom not in current:
            item.units.append(ItemUnit(uom=uom, factor=factor))
            changed = True
        elif current[uom].factor != factor:
            current[uom].factor = factor
            changed = True
    return changed


def _sync_barcodes(item: Item, spec: ItemSpec) -> bool:
    current = {b.barcode: b for b in item.barcodes}
    changed = False
    for code, uom in spec.barcodes:
        unit = uom or spec.uom
        if code not in current:
            item.barcodes.append(ItemBarcode(barcode=code, uom=unit))
            changed = True
        elif current[code].uom != unit:
            current[code].uom = unit
            changed = True
    return changed
