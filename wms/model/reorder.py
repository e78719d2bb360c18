"""Reorder rules per item and warehouse, and purchase requisitions (采购需求) for a buyer."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wms.errors import Conflict, InvalidQuantity
from wms.model.base import Base, IdMixin, TimestampMixin, utcnow
from wms.model.master import _enum


class ReorderRule(IdMixin, TimestampMixin, Base):
    """Safety stock, reorder point and either a fixed reorder quantity or an order-up-to max."""

    __tablename__ = "reorder_rule"
    __table_args__ = (UniqueConstraint("item_id", "warehouse_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    safety_stock: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reorder_point: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reorder_qty: Mapped[Decimal | None]
    max_qty: Mapped[Decimal | None]
    active: Mapped[bool] = mapped_column(default=True)


class RequisitionStatus(enum.StrEnum):
    suggested = "suggested"
    approved = "approved"
    rejected = "rejected"
    exported = "exported"


OPEN_REQUISITION = (RequisitionStatus.suggested, RequisitionStatus.approved)


class PurchaseRequisition(IdMixin, TimestampMixin, Base):
    """A reorder suggestion; the buyer edits the quantity, approves or rejects it."""

    __tablename__ = "purchase_requisition"
    __table_args__ = (Index("ix_purchase_requisition_status", "status", "id"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    status: Mapped[RequisitionStatus] = mapped_column(
        _enum(RequisitionStatus), default=RequisitionStatus.suggested)
    suggested_qty: Mapped[Decimal]
    qty: Mapped[Decimal]
    #: What was seen when it was suggested.
    available_qty: Mapped[Decimal]
    safety_stock: Mapped[Decimal]
    reorder_point: Mapped[Decimal]
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    exported_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    def edit(self, qty: Decimal) -> None:
        if self.status is not RequisitionStatus.suggested:
            raise Conflict(f"requisition {self.id} is {self.status}", requisition=self.id)
        if qty <= 0:
            raise InvalidQuantity("quantity must be greater than zero")
        self.qty = qty

    def decide(self, status: RequisitionStatus, *, buyer_id: int, note: str | None) -> None:
        if self.status is not RequisitionStatus.suggested:
            raise Conflict(f"requisition {self.id} is {self.status}", requisition=self.id)
        self.status, self.buyer_id, self.decided_at = status, buyer_id, utcnow()
        self.note = note or self.note

    def exported(self) -> None:
        if self.status is not RequisitionStatus.approved:
            raise Conflict(f"requisition {self.id} is {self.status}", requisition=self.id)
        self.status, self.exported_at = RequisitionStatus.exported, utcnow()
