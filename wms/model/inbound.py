"""Inbound documents: purchase orders (ASNs), receipts, QC inspections, purchase returns,
and the supplier and item settings that govern receiving."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.model.base import Base, IdMixin, TimestampMixin, utcnow
from wms.model.inventory import StockStatus
from wms.model.master import Item, Location, Partner, Warehouse, _enum

ZERO = Decimal(0)


class PurchaseOrderStatus(enum.StrEnum):
    open = "open"
    receiving = "receiving"
    received = "received"
    closed = "closed"
    cancelled = "cancelled"


class ReceiptStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class QcStatus(enum.StrEnum):
    pending = "pending"
    done = "done"


class DecisionStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    refused = "refused"


class ReturnStatus(enum.StrEnum):
    open = "open"
    shipped = "shipped"
    cancelled = "cancelled"


class SupplierProfile(TimestampMixin, Base):
    """How goods from one supplier are received: tolerances and incoming inspection."""

    __tablename__ = "supplier_profile"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), primary_key=True)
    #: Percent of a line's quantity that may be received above it (0 = exact).
    over_tolerance_pct: Mapped[Decimal] = mapped_column(default=ZERO)
    #: Percent below the line's quantity at which the line still counts as complete.
    under_tolerance_pct: Mapped[Decimal] = mapped_column(default=ZERO)
    qc_required: Mapped[bool] = mapped_column(default=False)
    #: Share of a received quantity an inspector samples, in percent.
    qc_sample_pct: Mapped[Decimal] = mapped_column(default=Decimal(10))

    partner: Mapped[Partner] = relationship()


class ItemInboundProfile(TimestampMixin, Base):
    """Receiving rules of one item: QC, lot format, shelf life on arrival, where it is stored."""

    __tablename__ = "item_inbound_profile"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    qc_required: Mapped[bool] = mapped_column(default=False)
    #: A regular expression every lot number of this item must match in full.
    lot_pattern: Mapped[str | None] = mapped_column(String(200))
    #: Goods with fewer days left until expiry are refused at the dock.
    min_remaining_shelf_life_days: Mapped[int | None]
    fixed_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    putaway_zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"))

    item: Mapped[Item] = relationship()


class PurchaseOrder(IdMixin, TimestampMixin, Base):
    """A purchase order from the ERP; its expected lines make it the ASN as well."""

    __tablename__ = "purchase_order"

    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    expected_at: Mapped[datetime | None]
    status: Mapped[PurchaseOrderStatus] = mapped_column(
        _enum(PurchaseOrderStatus), default=PurchaseOrderStatus.open, index=True
    )
    #: Raised by every change the ERP pushes.
    version: Mapped[int] = mapped_column(default=1)
    #: What an ERP change after receiving started could not apply, for the ERP to see.
    conflicts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(500))

    supplier: Mapped[Partner] = relationship()
    warehouse: Mapped[Warehouse] = relationship()
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="PurchaseOrderLine.line_no"
    )


class PurchaseOrderLine(IdMixin, Base):
    __tablename__ = "purchase_order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    #: As ordered, in ``uom``; ``qty_base`` is the same in the item's base unit.
    qty: Mapped[Decimal]
    uom: Mapped[str] = mapped_column(String(16))
    qty_base: Mapped[Decimal]
    received_base: Mapped[Decimal] = mapped_column(default=ZERO)
    lot_no: Mapped[str | None] = mapped_column(String(64))
    expiry_date: Mapped[date | None]
    #: The supplier's SSCC for this line's pallet, when the ASN announces one.
    sscc: Mapped[str | None] = mapped_column(String(18), index=True)
    #: Added by a supervisor's decision on an unexpected item, not by the ERP.
    added_by_decision: Mapped[bool] = mapped_column(default=False)
    #: The ERP dropped the line after receiving started; what was received stays.
    cancelled: Mapped[bool] = mapped_column(default=False)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()

    @property
    def open_base(self) -> Decimal:
        return max(ZERO, self.qty_base - self.received_base)


class Receipt(IdMixin, TimestampMixin, Base):
    """One receiving session on one purchase order at the dock."""

    __tablename__ = "receipt"

    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    status: Mapped[ReceiptStatus] = mapped_column(_enum(ReceiptStatus), default=ReceiptStatus.open)
    #: Where received goods are put down (the dock or receiving location).
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]

    order: Mapped[PurchaseOrder] = relationship()
    location: Mapped[Location] = relationship()
    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.id"
    )


class ReceiptLine(IdMixin, Base):
    """What was received: base quantity and as entered, lot, expiry, serials, container."""

    __tablename__ = "receipt_line"

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    qty: Mapped[Decimal]
    entered_qty: Mapped[Decimal]
    entered_uom: Mapped[str] = mapped_column(String(16))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    expiry_date: Mapped[date | None]
    serials: Mapped[list[str]] = mapped_column(JSON, default=list)
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    status: Mapped[StockStatus] = mapped_column(_enum(StockStatus))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()


class UnexpectedItem(IdMixin, TimestampMixin, Base):
    """An item found in a delivery that the PO does not list: waits for a supervisor."""

    __tablename__ = "unexpected_item"

    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    qty: Mapped[Decimal]
    uom: Mapped[str] = mapped_column(String(16))
    lot_no: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[DecisionStatus] = mapped_column(
        _enum(DecisionStatus), default=DecisionStatus.pending, index=True
    )
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))
    #: The PO line a supervisor added when accepting it.
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_line.id"))

    order: Mapped[PurchaseOrder] = relationship()
    item: Mapped[Item] = relationship()


class QcInspection(IdMixin, TimestampMixin, Base):
    """Incoming inspection of one received line held in quarantine."""

    __tablename__ = "qc_inspection"

    receipt_line_id: Mapped[int] = mapped_column(ForeignKey("receipt_line.id"), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[Decimal]
    status: Mapped[QcStatus] = mapped_column(_enum(QcStatus), default=QcStatus.pending, index=True)
    sample_size: Mapped[Decimal | None]
    accepted: Mapped[Decimal | None]
    rejected: Mapped[Decimal | None]
    note: Mapped[str | None] = mapped_column(String(500))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    inspected_at: Mapped[datetime | None]

    item: Mapped[Item] = relationship()
    receipt_line: Mapped[ReceiptLine] = relationship()


class PutawayReason(Base):
    """Why a putaway task goes where it goes (a message code and its parameters)."""

    __tablename__ = "putaway_reason"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class PurchaseReturn(IdMixin, TimestampMixin, Base):
    """Goods going back to a supplier: rejected at QC or surplus."""

    __tablename__ = "purchase_return"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(_enum(ReturnStatus), default=ReturnStatus.open)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    shipped_at: Mapped[datetime | None]
    shipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    supplier: Mapped[Partner] = relationship()
    order: Mapped[PurchaseOrder | None] = relationship()
    lines: Mapped[list[PurchaseReturnLine]] = relationship(
        back_populates="purchase_return",
        cascade="all, delete-orphan",
        order_by="PurchaseReturnLine.id",
    )


class PurchaseReturnLine(IdMixin, Base):
    __tablename__ = "purchase_return_line"
    __table_args__ = (Index("ix_purchase_return_line_return", "return_id"),)

    return_id: Mapped[int] = mapped_column(ForeignKey("purchase_return.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    serial_id: Mapped[int | None] = mapped_column(ForeignKey("serial.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    status: Mapped[StockStatus] = mapped_column(_enum(StockStatus))
    qty: Mapped[Decimal]
    #: Filled when shipped: the quantity that left by scan.
    shipped_qty: Mapped[Decimal] = mapped_column(default=ZERO)

    purchase_return: Mapped[PurchaseReturn] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()
