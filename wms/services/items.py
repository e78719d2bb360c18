"""Items as the console edits them: units with exact factors, checked barcodes, tracking.

A barcode made only of digits with a GTIN length (8, 12, 13, 14) must carry
a valid GS1 check digit: a mistyped EAN would otherwise match nothing on the
floor, or worse, another item. Other barcodes are internal codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import Conflict, FieldError, NotFound, ValidationFailed
from wms.model import Item, ItemBarcode, ItemUnit, StockMove, Tracking
from wms.scanning.checkdigits import is_gtin

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_UOM = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff]{1,16}$")


@dataclass(frozen=True)
class UnitRow:
    uom: str
    factor: Decimal
    weight_kg: Decimal | None = None
    volume_l: Decimal | None = None


@dataclass(frozen=True)
class ItemForm:
    sku: str
    name: str
    base_uom: str = "each"
    tracking: str = "none"
    shelf_life_days: int | None = None
    weight_kg: Decimal | None = None
    volume_l: Decimal | None = None
    abc_class: str | None = None
    safety_stock: Decimal | None = None
    active: bool = True
    units: list[UnitRow] = field(default_factory=list)
    barcodes: list[tuple[str, str]] = field(default_factory=list)


def _item_errors(session: Session, form: ItemForm, item_id: int | None) -> list[FieldError]:
    errors = []
    if not _SKU.match(form.sku):
        errors.append(FieldError("sku", "letters, digits, '.', '_', '/' or '-', at most 64"))
    elif session.scalar(select(Item.id).where(Item.sku == form.sku, Item.id != (item_id or 0))):
        errors.append(FieldError("sku", "already in use", "duplicate"))
    if not form.name.strip():
        errors.append(FieldError("name", "required"))
    if not _UOM.match(form.base_uom):
        errors.append(FieldError("base_uom", "a unit is 1 to 16 letters or digits"))
    if form.tracking not in Tracking.__members__:
        errors.append(FieldError("tracking", "unknown tracking"))
    if form.abc_class not in (None, "A", "B", "C"):
        errors.append(FieldError("abc_class", "ABC class is A, B or C"))
    if form.safety_stock is not None and form.safety_stock < 0:
        errors.append(FieldError("safety_stock", "cannot be negative"))
    return errors + _unit_errors(form) + _barcode_errors(session, form, item_id)


def _unit_errors(form: ItemForm) -> list[FieldError]:
    errors, seen = [], {form.base_uom}
    for i, unit in enumerate(form.units):
        if not _UOM.match(unit.uom):
            errors.append(FieldError(f"units-{i}-uom", "a unit is 1 to 16 letters or digits"))
        elif unit.uom in seen:
            errors.append(FieldError(f"units-{i}-uom", "each unit appears once"))
        if unit.factor <= 0:
            errors.append(FieldError(f"units-{i}-factor", "must be above zero"))
        seen.add(unit.uom)
    return errors


def _barcode_errors(session: Session, form: ItemForm, item_id: int | None) -> list[FieldError]:
    errors, seen = [], set()
    uoms = {form.base_uom} | {u.uom for u in form.units}
    for i, (code, uom) in enumerate(form.barcodes):
        name = f"barcodes-{i}-barcode"
        if not code or len(code) > 64 or any(ch.isspace() for ch in code):
            errors.append(FieldError(name, "a barcode has 1 to 64 characters, no spaces"))
        elif code.isdigit() and len(code) in (8, 12, 13, 14) and not is_gtin(code):
            errors.append(FieldError(name, "wrong GTIN check digit; check the number"))
        elif code in seen:
            errors.append(FieldError(name, "each barcode appears once"))
        elif session.scalar(select(ItemBarcode.id).where(
            ItemBarcode.barcode == code, ItemBarcode.item_id != (item_id or 0)
        )):
            errors.append(FieldError(name, "already in use", "duplicate"))
        if uom not in uoms:
            errors.append(FieldError(f"barcodes-{i}-uom", "not a unit of this item"))
        seen.add(code)
    return errors


def save_item(session: Session, form: ItemForm, *, item_id: int | None = None) -> Item:
    """Create (``item_id`` None) or update an item with its units and barcodes."""
    errors = _item_errors(session, form, item_id)
    if errors:
        raise ValidationFailed(errors)
    item = Item() if item_id is None else session.get(Item, item_id)
    if item is None:
        raise NotFound("unknown item")
    if item_id is not None and item.base_uom != form.base_uom and _has_moves(session, item_id):
        raise Conflict("the base unit cannot change once the item has stock moves")
    item.sku, item.name, item.base_uom = form.sku, form.name.strip(), form.base_uom
    item.tracking = Tracking(form.tracking)
    item.shelf_life_days, item.abc_class = form.shelf_life_days, form.abc_class
    item.weight_kg, item.volume_l = form.weight_kg, form.volume_l
    item.safety_stock, item.active = form.safety_stock, form.active
    _replace_units(item, form.units)
    _replace_barcodes(item, form.barcodes)
    session.add(item)
    session.flush()
    return item


def _has_moves(session: Session, item_id: int) -> bool:
    return session.scalar(select(StockMove.id).where(StockMove.item_id == item_id).limit(1)) \
        is not None


def _replace_units(item: Item, rows: list[UnitRow]) -> None:
    by_uom = {u.uom: u for u in item.units}
    kept = []
    for row in rows:
        unit = by_uom.get(row.uom) or ItemUnit(uom=row.uom)
        unit.factor, unit.weight_kg, unit.volume_l = row.factor, row.weight_kg, row.volume_l
        kept.append(unit)
    item.units = kept


def _replace_barcodes(item: Item, rows: list[tuple[str, str]]) -> None:
    by_code = {b.barcode: b for b in item.barcodes}
    kept = []
    for code, uom in rows:
        barcode = by_code.get(code) or ItemBarcode(barcode=code)
        barcode.uom = uom
        kept.append(barcode)
    item.barcodes = kept
