"""Master data: warehouses, zones, locations, items, units, lots, serials, containers, partners."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.model.base import Base, IdMixin, TimestampMixin


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class ZoneKind(enum.StrEnum):
    receiving = "receiving"
    qc = "qc"
    storage = "storage"
    pick_face = "pick_face"
    packing = "packing"
    shipping = "shipping"
    quarantine = "quarantine"
    production = "production"
    returns = "returns"


class LocationType(enum.StrEnum):
    shelf = "shelf"
    pallet_rack = "pallet_rack"
    floor = "floor"
    dock = "dock"
    staging = "staging"
    station = "station"
    virtual = "virtual"


class VirtualKind(enum.StrEnum):
    """Virtual locations stand for the outside world; they hold no quants."""

    supplier = "supplier"
    customer = "customer"
    production = "production"
    inventory_loss = "inventory_loss"
    in_transit = "in_transit"


class Tracking(enum.StrEnum):
    none = "none"
    lot = "lot"
    serial = "serial"


class PartnerKind(enum.StrEnum):
    supplier = "supplier"
    customer = "customer"
    both = "both"


class ContainerKind(enum.StrEnum):
    pallet = "pallet"
    tote = "tote"
    carton = "carton"


class Warehouse(IdMixin, TimestampMixin, Base):
    __tablename__ = "warehouse"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    allow_negative_stock: Mapped[bool] = mapped_column(default=False)
    #: GS1 company prefix used to build SSCCs for our own containers.
    gs1_company_prefix: Mapped[str | None] = mapped_column(String(12))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class Zone(IdMixin, TimestampMixin, Base):
    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ZoneKind] = mapped_column(_enum(ZoneKind), default=ZoneKind.storage)

    warehouse: Mapped[Warehouse] = relationship()


class Location(IdMixin, TimestampMixin, Base):
    """The smallest addressable place, e.g. A-03-12-2 (aisle-bay-level-position)."""

    __tablename__ = "location"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "code"),
        Index("ix_location_warehouse_virtual", "warehouse_id", "virtual_kind"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)
    #: Byte-order collation on PostgreSQL, as SQLite's default: codes sort the same on both,
    #: and a code prefix is an index range (``A-01`` ≤ code < ``A-02``) whatever the locale.
    code: Mapped[str] = mapped_column(String(64).with_variant(String(64, collation="C"),
                                                              "postgresql"))
    type: Mapped[LocationType] = mapped_column(_enum(LocationType), default=LocationType.shelf)
    virtual_kind: Mapped[VirtualKind | None] = mapped_column(_enum(VirtualKind))
    aisle: Mapped[str | None] = mapped_column(String(16))
    bay: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[str | None] = mapped_column(String(16))
    # Routing coordinates: aisle index, distance along the aisle (m), side 0/1.
    aisle_index: Mapped[int | None]
    x: Mapped[Decimal | None]
    y: Mapped[Decimal | None]
    side: Mapped[int | None]
    max_volume_l: Mapped[Decimal | None]
    max_weight_kg: Mapped[Decimal | None]
    max_containers: Mapped[int | None]
    max_skus: Mapped[int | None]
    storable: Mapped[bool] = mapped_column(default=True)
    pickable: Mapped[bool] = mapped_column(default=True)
    blocked: Mapped[bool] = mapped_column(default=False)
    blocked_reason: Mapped[str | None] = mapped_column(String(200))
    abc_class: Mapped[str | None] = mapped_column(String(1))
    #: Two digits printed on the location label; scanning them proves presence.
    check_digits: Mapped[str] = mapped_column(String(2), default="00")

    warehouse: Mapped[Warehouse] = relationship()
    zone: Mapped[Zone | None] = relationship()

    @property
    def is_virtual(self) -> bool:
        return self.virtual_kind is not None


class Partner(IdMixin, TimestampMixin, Base):
    __tablename__ = "partner"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(_enum(PartnerKind))
    active: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class Item(IdMixin, TimestampMixin, Base):
    __tablename__ = "item"

    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The base unit every quantity in the ledger is counted in.
    base_uom: Mapped[str] = mapped_column(String(16), default="each")
    tracking: Mapped[Tracking] = mapped_column(_enum(Tracking), default=Tracking.none)
    shelf_life_days: Mapped[int | None]
    weight_kg: Mapped[Decimal | None]
    volume_l: Mapped[Decimal | None]
    abc_class: Mapped[str | None] = mapped_column(String(1))
    safety_stock: Mapped[Decimal | None]
    active: Mapped[bool] = mapped_column(default=True)

    units: Mapped[list[ItemUnit]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemUnit.factor"
    )
    barcodes: Mapped[list[ItemBarcode]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )

    def factor(self, uom: str) -> Decimal:
        """How many base units one ``uom`` holds (exact)."""
        from wms.errors import UnknownUnit

        if uom == self.base_uom:
            return Decimal(1)
        for unit in self.units:
            if unit.uom == uom:
                return unit.factor
        raise UnknownUnit(f"{self.sku} has no unit {uom!r}", sku=self.sku, uom=uom)

    def to_base(self, qty: Decimal, uom: str) -> Decimal:
        return qty * self.factor(uom)


class ItemUnit(IdMixin, Base):
    """A unit of measure of one item with an exact factor to the base unit."""

    __tablename__ = "item_unit"
    __table_args__ = (UniqueConstraint("item_id", "uom"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    uom: Mapped[str] = mapped_column(String(16))
    factor: Mapped[Decimal]
    weight_kg: Mapped[Decimal | None]
    volume_l: Mapped[Decimal | None]

    item: Mapped[Item] = relationship(back_populates="units")


class ItemBarcode(IdMixin, Base):
    """A barcode (EAN/UPC/GTIN-14/internal) that means one unit of one item."""

    __tablename__ = "item_barcode"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    uom: Mapped[str] = mapped_column(String(16))

    item: Mapped[Item] = relationship(back_populates="barcodes")


class Lot(IdMixin, TimestampMixin, Base):
    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("item_id", "lot_no"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    lot_no: Mapped[str] = mapped_column(String(64))
    expiry_date: Mapped[date | None]
    production_date: Mapped[date | None]

    item: Mapped[Item] = relationship()


class Serial(IdMixin, TimestampMixin, Base):
    __tablename__ = "serial"
    __table_args__ = (UniqueConstraint("item_id", "serial_no"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    serial_no: Mapped[str] = mapped_column(String(64))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))


class Container(IdMixin, TimestampMixin, Base):
    """A pallet, tote or carton (LPN); SSCC-18 where GS1 is used."""

    __tablename__ = "container"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[ContainerKind] = mapped_column(_enum(ContainerKind), default=ContainerKind.pallet)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    is_sscc: Mapped[bool] = mapped_column(default=False)
