"""What a scan means to a flow: a location, an item (with its unit), a container, or nothing known.

``interpret`` is the one place flows ask; it is deliberately small (a
location by its code, with or without the two check digits appended; an
item by barcode or SKU; a container by code) and will be pointed at the
shared scan resolver (``wms.scanning.resolver.resolve``) without touching
the flows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import WmsError
from wms.model import Container, Item, ItemBarcode, Location


class ExpectedLocation(WmsError):
    code = "expected_location"
    http_status = 422
    title = "Scan a location"


class ExpectedItem(WmsError):
    code = "expected_item"
    http_status = 422
    title = "Scan an item or container"


@dataclass(frozen=True)
class Scan:
    raw: str
    location: Location | None = None
    item: Item | None = None
    uom: str | None = None
    container: Container | None = None

    @property
    def kind(self) -> str:
        if self.location is not None:
            return "location"
        if self.item is not None:
            return "item"
        return "container" if self.container is not None else "unknown"

    def number(self) -> Decimal | None:
        """The scan read as a keyed quantity, if it is one."""
        try:
            value = Decimal(self.raw.replace(",", "."))
        except InvalidOperation:
            return None
        return value if value.is_finite() else None


def interpret(session: Session, raw: str, *, warehouse_id: int) -> Scan:
    """Resolve ``raw`` (already stripped) to what it names in this warehouse."""
    raw = raw.strip()
    # A code, or a code with its check digits typed after it: both use the unique index.
    for loc in session.scalars(
        select(Location).where(
            Location.warehouse_id == warehouse_id, Location.code.in_({raw, raw[:-2]})
        )
    ):
        if raw in (loc.code, loc.code + loc.check_digits):
            return Scan(raw, location=loc)
    barcode = session.scalars(select(ItemBarcode).where(ItemBarcode.barcode == raw)).first()
    if barcode is not None:
        return Scan(raw, item=barcode.item, uom=barcode.uom)
    item = session.scalars(select(Item).where(Item.sku == raw)).first()
    if item is not None:
        return Scan(raw, item=item, uom=item.base_uom)
    container = session.scalars(
        select(Container).where(Container.code == raw, Container.warehouse_id == warehouse_id)
    ).first()
    return Scan(raw, container=container)


def location_of(scan: Scan) -> Location:
    if scan.location is None:
        raise ExpectedLocation(f"{scan.raw} is not a location", scanned=scan.raw)
    return scan.location
