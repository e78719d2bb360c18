"""Receiving rules and their errors: lot format, shelf life, serials, tolerance, QC flags.

Each check raises one error with a stable code; the PDA shows the catalogued
message, the API a problem+json, and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import Conflict, WmsError
from wms.model import (
    Item,
    ItemInboundProfile,
    PurchaseOrderLine,
    Quant,
    Serial,
    SupplierProfile,
    Tracking,
    Warehouse,
    qty_str,
)

#: GS1 AI 10 allows up to 20 characters of this set; anything else is a misread.
_LOT_CHARS = re.compile(r"[A-Za-z0-9\-_./]{1,20}")
HUNDRED = Decimal(100)


class ItemNotOnOrder(Conflict):
    code = "item_not_on_order"
    title = "This item is not on the purchase order"


class LotNotOnOrder(Conflict):
    code = "lot_not_on_order"
    title = "This lot is not the one the purchase order announces"


class InvalidLotFormat(WmsError):
    code = "invalid_lot_format"
    http_status = 422
    title = "Lot number has the wrong format"


class LotRequired(WmsError):
    code = "lot_required"
    http_status = 422
    title = "This item needs a lot number"


class ExpiryRequired(WmsError):
    code = "expiry_required"
    http_status = 422
    title = "This item needs an expiry date"


class GoodsExpired(Conflict):
    code = "goods_expired"
    title = "The goods are expired"


class ShelfLifeTooShort(Conflict):
    code = "shelf_life_too_short"
    title = "The goods have too little shelf life left"


class DuplicateSerial(Conflict):
    code = "duplicate_serial"
    title = "This serial number is already in stock"


class SerialCountMismatch(WmsError):
    code = "serial_count_mismatch"
    http_status = 422
    title = "One serial number is needed per unit"


class OverTolerance(Conflict):
    code = "over_tolerance"
    title = "More than the order allows"


class LocationFull(Conflict):
    code = "location_full"
    title = "Location is full"


class OrderNotReceivable(Conflict):
    code = "order_not_receivable"
    title = "This purchase order cannot be received"


class ReceiptClosed(Conflict):
    code = "receipt_closed"
    title = "This receipt is closed"


@dataclass(frozen=True)
class InboundRules:
    """What applies to one item from one supplier."""

    qc_required: bool
    lot_pattern: str | None
    min_remaining_days: int | None
    over_pct: Decimal
    under_pct: Decimal


def rules_for(session: Session, *, item: Item, supplier_id: int, warehouse_id: int) -> InboundRules:
    item_rules = session.get(ItemInboundProfile, item.id)
    supplier = session.get(SupplierProfile, supplier_id)
    warehouse = session.get(Warehouse, warehouse_id)
    settings = (warehouse.settings or {}).get("inbound", {}) if warehouse else {}
    min_days = item_rules.min_remaining_shelf_life_days if item_rules else None
    if min_days is None:
        min_days = settings.get("min_remaining_shelf_life_days")
    return InboundRules(
        qc_required=bool(
            (item_rules and item_rules.qc_required) or (supplier and supplier.qc_required)
        ),
        lot_pattern=item_rules.lot_pattern if item_rules else None,
        min_remaining_days=min_days,
        over_pct=supplier.over_tolerance_pct if supplier else Decimal(0),
        under_pct=supplier.under_tolerance_pct if supplier else Decimal(0),
    )


def check_lot(item: Item, lot_no: str | None, rules: InboundRules) -> None:
    if lot_no is None:
        if item.tracking is Tracking.lot:
            raise LotRequired(f"{item.sku} needs a lot number", sku=item.sku)
        return
    if not _LOT_CHARS.fullmatch(lot_no) or (
        rules.lot_pattern and not re.fullmatch(rules.lot_pattern, lot_no)
    ):
        raise InvalidLotFormat(
            f"lot {lot_no} does not have the format of {item.sku}", lot=lot_no, sku=item.sku
        )


def check_expiry(item: Item, expiry: date | None, rules: InboundRules, today: date) -> None:
    if expiry is None:
        if item.shelf_life_days and item.tracking is not Tracking.none:
            raise ExpiryRequired(f"{item.sku} needs an expiry date", sku=item.sku)
        return
    days_left = (expiry - today).days
    if days_left < 0:
        raise GoodsExpired(
            f"{item.sku} expired on {expiry.isoformat()}", sku=item.sku, expiry=expiry.isoformat()
        )
    if rules.min_remaining_days is not None and days_left < rules.min_remaining_days:
        raise ShelfLifeTooShort(
            f"{item.sku} has {days_left} days left, {rules.min_remaining_days} needed",
            sku=item.sku,
            days_left=str(days_left),
            min_days=str(rules.min_remaining_days),
            expiry=expiry.isoformat(),
        )


def check_serials(session: Session, item: Item, serials: Sequence[str], qty_base: Decimal) -> None:
    """A serial item needs one new serial per unit; none may already be in stock."""
    if item.tracking is not Tracking.serial:
        if serials:
            raise SerialCountMismatch(f"{item.sku} is not serial-tracked", sku=item.sku)
        return
    if Decimal(len(serials)) != qty_base:
        raise SerialCountMismatch(
            f"{qty_str(qty_base)} units need {qty_str(qty_base)} serials, got {len(serials)}",
            sku=item.sku,
            needed=qty_str(qty_base),
            got=str(len(serials)),
        )
    seen: set[str] = set()
    for serial in serials:
        if serial in seen:
            raise DuplicateSerial(f"serial {serial} scanned twice", serial=serial, sku=item.sku)
        seen.add(serial)
    in_stock = session.scalar(
        select(Serial.serial_no)
        .join(Quant, Quant.serial_id == Serial.id)
        .where(Serial.item_id == item.id, Serial.serial_no.in_(serials), Quant.on_hand > 0)
        .limit(1)
    )
    if in_stock is not None:
        raise DuplicateSerial(
            f"serial {in_stock} of {item.sku} is already in stock", serial=in_stock, sku=item.sku
        )


def max_receivable(line: PurchaseOrderLine, rules: InboundRules) -> Decimal:
    """Base units the line may still take, over-delivery tolerance included."""
    allowed = line.qty_base + line.qty_base * rules.over_pct / HUNDRED
    return max(Decimal(0), allowed - line.received_base)


def line_complete(line: PurchaseOrderLine, rules: InboundRules) -> bool:
    """Received enough, within the under-delivery tolerance, to call the line done."""
    if line.cancelled:
        return True
    needed = line.qty_base - line.qty_base * rules.under_pct / HUNDRED
    return line.received_base >= needed
