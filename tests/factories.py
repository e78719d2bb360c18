"""Factories that build a warehouse the way a test sentence reads.

Each call is its own transaction, like an entrypoint: ``floor.stock("SKU-1",
"A-01-01-1", 10)`` receives ten units from the supplier through the ledger.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from wms.model import (
    Container,
    Item,
    Location,
    Lot,
    Quant,
    StockStatus,
    Tracking,
    VirtualKind,
    Warehouse,
    Zone,
    ZoneKind,
)
from wms.services import ledger, masterdata


class Floor:
    def __init__(self, factory: sessionmaker[Session], warehouse_code: str = "WH1") -> None:
        self.factory = factory
        self.warehouse_code = warehouse_code
        self._warehouse_id: int | None = None

    # -- places -------------------------------------------------------------
    @property
    def warehouse_id(self) -> int:
        if self._warehouse_id is None:
            self._warehouse_id = self.warehouse().id
        return self._warehouse_id

    def warehouse(self, code: str | None = None, **kw: object) -> Warehouse:
        code = code or self.warehouse_code
        with self.factory() as s, s.begin():
            found = s.scalar(select(Warehouse).where(Warehouse.code == code))
            if found is None:
                found = masterdata.create_warehouse(s, code=code, name=f"Warehouse {code}", **kw)
            return found

    def zone(self, code: str, kind: ZoneKind = ZoneKind.storage) -> Zone:
        wh_id = self.warehouse_id
        with self.factory() as s, s.begin():
            found = s.scalar(select(Zone).where(Zone.warehouse_id == wh_id, Zone.code == code))
            if found is None:
                wh = s.get(Warehouse, wh_id)
                assert wh is not None
                found = masterdata.create_zone(s, warehouse=wh, code=code, kind=kind)
            return found

    def location(self, code: str, zone: str | None = None, **kw: object) -> Location:
        zone_obj = self.zone(zone or code.split("-")[0]) if zone != "" else None
        wh_id = self.warehouse_id
        with self.factory() as s, s.begin():
            found = s.scalar(
                select(Location).where(Location.warehouse_id == wh_id, Location.code == code)
            )
            if found is None:
                wh = s.get(Warehouse, wh_id)
                assert wh is not None
                found = masterdata.create_location(s, warehouse=wh, code=code, zone=zone_obj, **kw)
            return found

    def virtual(self, kind: VirtualKind) -> Location:
        with self.factory() as s:
            return masterdata.virtual_location(s, warehouse_id=self.warehouse_id, kind=kind)

    # -- things -------------------------------------------------------------
    def item(
        self,
        sku: str,
        *,
        units: dict[str, Decimal | int] | None = None,
        barcodes: list[tuple[str, str]] | None = None,
        tracking: Tracking = Tracking.none,
        **kw: object,
    ) -> Item:
        with self.factory() as s, s.begin():
            found = s.scalar(select(Item).where(Item.sku == sku))
            if found is None:
                found = masterdata.create_item(
                    s,
                    sku=sku,
                    name=kw.pop("name", f"Item {sku}"),  # type: ignore[arg-type]
                    units={k: Decimal(v) for k, v in (units or {}).items()},
                    barcodes=barcodes or [],
                    tracking=tracking,
                    **kw,
                )
            return found

    def lot(self, sku: str, lot_no: str, expiry: date | None = None) -> Lot:
        item = self.item(sku)
        with self.factory() as s, s.begin():
            found = s.scalar(select(Lot).where(Lot.item_id == item.id, Lot.lot_no == lot_no))
            if found is None:
                found = Lot(item_id=item.id, lot_no=lot_no, expiry_date=expiry)
                s.add(found)
                s.flush()
            return found

    def container(self, code: str, location: str | None = None) -> Container:
        loc = self.location(location) if location else None
        with self.factory() as s, s.begin():
            found = s.scalar(select(Container).where(Container.code == code))
            if found is None:
                found = Container(
                    code=code, warehouse_id=self.warehouse_id, location_id=loc.id if loc else None
                )
                s.add(found)
                s.flush()
            return found

    # -- stock --------------------------------------------------------------
    def stock(
        self,
        sku: str,
        location: str,
        qty: Decimal | int | str,
        *,
        lot: str | None = None,
        status: StockStatus = StockStatus.available,
        container: str | None = None,
    ) -> Quant:
        """Receive ``qty`` from the supplier into ``location`` through the ledger."""
        item = self.item(sku)
        loc = self.location(location)
        lot_id = self.lot(sku, lot).id if lot else None
        cont_id = self.container(container, location).id if container else None
        supplier = self.virtual(VirtualKind.supplier)
        with self.factory() as s, s.begin():
            ledger.post_moves(
                s,
                [
                    ledger.MoveRequest(
                        item_id=item.id,
                        qty=Decimal(str(qty)),
                        from_location_id=supplier.id,
                        to_location_id=loc.id,
                        lot_id=lot_id,
                        to_container_id=cont_id,
                        from_status=status,
                        reason="receipt",
                    )
                ],
            )
        return self.quant(sku, location, lot=lot, status=status, container=container)

    def quant(
        self,
        sku: str,
        location: str,
        *,
        lot: str | None = None,
        status: StockStatus = StockStatus.available,
        container: str | None = None,
    ) -> Quant:
        item, loc = self.item(sku), self.location(location)
        with self.factory() as s:
            stmt = select(Quant).where(
                Quant.item_id == item.id, Quant.location_id == loc.id, Quant.status == status
            )
            if lot:
                stmt = stmt.where(Quant.lot_id == self.lot(sku, lot).id)
            if container:
                stmt = stmt.where(Quant.container_id == self.container(container).id)
            quant = s.scalars(stmt).first()
            assert quant is not None, f"no stock of {sku} at {location}"
            return quant

    def on_hand(self, sku: str, location: str) -> Decimal:
        item, loc = self.item(sku), self.location(location)
        with self.factory() as s:
            total = s.scalar(
                select(func.coalesce(func.sum(Quant.on_hand), 0)).where(
                    Quant.item_id == item.id, Quant.location_id == loc.id
                )
            )
            return Decimal(total or 0)
