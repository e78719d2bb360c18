"""What a scan means to a flow: a location, an item (with its unit), a container, or nothing known.

``interpret`` is the one place flows ask; it is deliberately small (a
location by its code, with or without the two check digits appended; an
item by barcode or SKU; a container by code) and will be pointed at the
shared scan resolver (``wms.scanning.resolver.resolve``) without touching
the flows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, bindparam, literal, or_, select
from sqlalchemy.orm import Session

from wms.errors import WmsError
from wms.model import Container, Item, ItemBarcode, Location
from wms.services import pgraw


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


#: Everything a scan could name, in one round trip: each kind is outer-joined to a single
#: row, so a miss reads as None and the usual scan returns one row. One item join serves
#: both the barcode and the SKU (the row tells which matched).
_RESOLVE = (
    select(Location, Item, ItemBarcode.item_id, ItemBarcode.uom, Container)
    .select_from(select(literal(1).label("one")).subquery("scan"))
    .outerjoin(
        Location,
        and_(
            Location.warehouse_id == bindparam("warehouse_id"),
            Location.code.in_([bindparam("raw"), bindparam("raw_short")]),
        ),
    )
    .outerjoin(ItemBarcode, ItemBarcode.barcode == bindparam("raw"))
    .outerjoin(Item, or_(Item.id == ItemBarcode.item_id, Item.sku == bindparam("raw")))
    .outerjoin(
        Container,
        and_(
            Container.code == bindparam("raw"), Container.warehouse_id == bindparam("warehouse_id")
        ),
    )
)


#: PostgreSQL's hot path (see ``wms.services.pgraw``): the same outer joins as plain SQL,
#: hung on a one-row ``base`` relation; ``warehouse`` is that row's warehouse id (the flow
#: runner hangs them on its lock of the flow session: one round trip for both).
_LOCATIONS, _ITEMS, _CONTAINERS = (
    pgraw.Entities(Location),
    pgraw.Entities(Item),
    pgraw.Entities(Container),
)
#: The width of ``pg_resolve_columns``.
PG_RESOLVE_WIDTH = _LOCATIONS.width + _ITEMS.width + 2 + _CONTAINERS.width
PG_RESOLVE_COLUMNS = ", ".join(
    (
        _LOCATIONS.columns("sl"),
        _ITEMS.columns("si"),
        "sb.item_id, sb.uom",
        _CONTAINERS.columns("sc"),
    )
)


def pg_resolve_joins(warehouse: str, guard: str = "true") -> str:
    """The outer joins of ``PG_RESOLVE_COLUMNS``; parameters ``raw`` and ``raw_short``.

    ``guard``: a condition on the base row; where it is false nothing is resolved.
    """
    return (
        f" LEFT JOIN location AS sl ON {guard} AND sl.warehouse_id = {warehouse}"
        " AND sl.code IN (%(raw)s, %(raw_short)s)"
        f" LEFT JOIN item_barcode AS sb ON {guard} AND sb.barcode = %(raw)s"
        f" LEFT JOIN item AS si ON {guard} AND (si.id = sb.item_id OR si.sku = %(raw)s)"
        f" LEFT JOIN container AS sc ON {guard} AND sc.code = %(raw)s"
        f" AND sc.warehouse_id = {warehouse}"
    )


_PG_RESOLVE = f"SELECT {PG_RESOLVE_COLUMNS} FROM (SELECT 1) AS scan" + pg_resolve_joins(
    "%(warehouse_id)s::integer"
)


def pg_resolved(session: Session, cur: Any, rows: list[Any], offset: int) -> list[tuple]:
    """The rows of a plain-SQL resolve (``PG_RESOLVE_COLUMNS`` from ``offset``) as the Core
    resolve gives them: (location, item, barcode item id, barcode unit, container)."""
    out = []
    for row in rows:
        at = offset + _LOCATIONS.width
        location = _LOCATIONS.load(session, cur, row, offset)
        item = _ITEMS.load(session, cur, row, at)
        at += _ITEMS.width
        barcode_item_id, uom = row[at], row[at + 1]
        container = _CONTAINERS.load(session, cur, row, at + 2)
        out.append((location, item, barcode_item_id, uom, container))
    return out


def interpret(session: Session, raw: str, *, warehouse_id: int) -> Scan:
    """Resolve ``raw`` (already stripped) to what it names in this warehouse.

    In this order: a location (by its code, or its code with the check digits
    typed after it), an item by barcode (in that barcode's unit), an item by
    SKU (in its base unit), a container by code.
    """
    raw = raw.strip()
    params = {"warehouse_id": warehouse_id, "raw": raw, "raw_short": raw[:-2]}
    cur = pgraw.cursor(session)
    if cur is not None:
        session.flush()  # as autoflush would before a query
        found = pgraw.execute(cur, _PG_RESOLVE, params).fetchall()
        return scan_of(raw, pg_resolved(session, cur, found, 0))
    return scan_of(raw, session.execute(_RESOLVE, params).all())


def scan_params(raw: str) -> dict[str, str]:
    """The parameters ``pg_resolve_joins`` needs for the scan ``raw``."""
    raw = raw.strip()
    return {"raw": raw, "raw_short": raw[:-2]}


def scan_of(raw: str, rows: Sequence[Any]) -> Scan:
    """What the resolve's rows say ``raw`` (stripped) names."""
    locations = {row[0] for row in rows if row[0] is not None}
    for loc in sorted(locations, key=lambda loc: loc.code != raw):  # the exact code first
        if raw in (loc.code, loc.code + loc.check_digits):
            return Scan(raw, location=loc)
    for _loc, item, barcode_item_id, uom, _container in rows:
        if item is not None and item.id == barcode_item_id:
            return Scan(raw, item=item, uom=uom)
    for _loc, item, _barcode_item_id, _uom, _container in rows:
        if item is not None and item.sku == raw:
            return Scan(raw, item=item, uom=item.base_uom)
    found = next((row[4] for row in rows if row[4] is not None), None)
    return Scan(raw, container=found)


def location_of(scan: Scan) -> Location:
    if scan.location is None:
        raise ExpectedLocation(f"{scan.raw} is not a location", scanned=scan.raw)
    return scan.location
