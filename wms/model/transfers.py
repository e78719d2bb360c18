"""Warehouse-to-warehouse transfer orders: lines shipped and received by scan, discrepancies."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.model.base import Base, IdMixin, TimestampMixin
from wms.model.master import _enum


class TransferStatus(enum.StrEnum):
    open = "open"
    shipping = "shipping"
    in_transit = "in_transit"
    receiving = "receiving"
    received = "received"
    discrepancy = "discrepancy"  # received, but not what was shipped: a person must look
    cancelled = "cancelled"


class TransferOrder(IdMixin, TimestampMixin, Base):
    """Stock leaves ``from_warehouse`` into in-transit and arrives at ``to_warehouse``."""

    __tablename__ = "transfer_order"

    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    from_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    status: Mapped[TransferStatus] = mapped_column(_enum(TransferStatus),
                                                   default=TransferStatus.open)
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    shipped_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    lines: Mapped[list[TransferLine]] = relationship(
        back_populates="order", order_by="TransferLine.line_no", cascade="all, delete-orphan"
    )


class TransferLine(IdMixin, Base):
    __tablename__ = "transfer_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("transfer_order.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    qty: Mapped[Decimal]
    shipped_qty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    received_qty: Mapped[Decimal] = mapped_column(default=Decimal(0))

    order: Mapped[TransferOrder] = relationship(back_populates="lines")

    @property
    def in_transit(self) -> Decimal:
        return self.shipped_qty - self.received_qty


class TransferDiscrepancy(IdMixin, TimestampMixin, Base):
    """Received ≠ shipped on one line, recorded when receiving is closed; never fixed silently."""

    __tablename__ = "transfer_discrepancy"

    order_id: Mapped[int] = mapped_column(ForeignKey("transfer_order.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("transfer_line.id"))
    shipped_qty: Mapped[Decimal]
    received_qty: Mapped[Decimal]
    diff_qty: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(String(500))
