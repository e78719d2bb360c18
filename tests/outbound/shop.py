"""Outbound test builders: an aisle warehouse, customers, orders; each call commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tests.factories import Floor
from wms.model import LocationType, Partner, PartnerKind, SalesOrder, Warehouse, ZoneKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import orders


def customer(floor: Floor, code: str = "C1", **settings: Any) -> Partner:
    with floor.factory() as s, s.begin():
        found = s.scalar(select(Partner).where(Partner.code == code))
        if found is None:
            found = Partner(code=code, name=f"Customer {code}", kind=PartnerKind.customer,
                            settings=settings)
            s.add(found)
            s.flush()
        return found


def configure(floor: Floor, **settings: Any) -> None:
    with floor.factory() as s, s.begin():
        wh = s.get(Warehouse, floor.warehouse_id)
        assert wh is not None
        wh.settings = {**(wh.settings or {}), **settings}


def bin(floor: Floor, code: str, aisle: int, y: int | str, zone: str = "A") -> None:
    """A pick location ``code`` in aisle ``aisle`` at ``y`` metres from the front."""
    floor.location(code, zone=zone, aisle_index=aisle, y=Decimal(str(y)), side=0)


def staging(floor: Floor, code: str = "PACK-01") -> None:
    floor.zone("PK", ZoneKind.packing)
    floor.location(code, zone="PK", type=LocationType.staging, pickable=False)


def order(floor: Floor, external_id: str, *lines: tuple[str, int | str], cust: str = "C1",
          **kw: Any) -> SalesOrder:
    """Push an order like the ERP does: ``order(floor, "SO-1", ("SKU-1", 3))``."""
    customer(floor, cust)
    kw.setdefault("ship_to", {"name": "Shop", "address": "1 Road"})
    data = orders.OrderInput(
        external_id=external_id, customer=cust, warehouse=floor.warehouse_code,
        lines=[orders.LineInput(line_no=i + 1, sku=sku, qty=Decimal(str(q)))
               for i, (sku, q) in enumerate(lines)], **kw)
    with floor.factory() as s, s.begin():
        so, _ = orders.upsert_order(s, data)
        return so


def fetch(floor: Floor, external_id: str) -> SalesOrder:
    with floor.factory() as s:
        so = orders.get_order(s, external_id)
        _ = list(so.lines)
        return so


def ledger_ok(floor: Floor) -> list:
    with floor.factory() as s:
        return ledger_discrepancies(s)
