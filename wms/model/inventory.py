"""Stock: quants (a projection), the append-only move ledger, reservations, applied requests."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    FetchedValue,
    ForeignKey,
    Index,
    String,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.errors import NegativeStockNotAllowed, ReservationExceeded
from wms.model.base import Base, IdMixin, utcnow
from wms.model.master import Item, Location, Lot, _enum


class StockStatus(enum.StrEnum):
    available = "available"
    quarantine = "quarantine"
    damaged = "damaged"
    hold = "hold"


class MoveReason(enum.StrEnum):
    receipt = "receipt"
    putaway = "putaway"
    pick = "pick"
    pack = "pack"
    ship = "ship"
    transfer = "transfer"
    replenish = "replenish"
    count_adjust = "count_adjust"
    adjustment = "adjustment"
    status_change = "status_change"
    issue = "issue"
    production = "production"
    return_ = "return"
    purchase_return = "purchase_return"
    scrap = "scrap"
    reversal = "reversal"
    initial = "initial"


def quant_key(
    item_id: int,
    location_id: int,
    lot_id: int | None,
    serial_id: int | None,
    container_id: int | None,
    status: StockStatus | str,
) -> str:
    """The business key of a quant; NULL-safe so it can carry a unique index."""
    return (
        f"{item_id}:{location_id}:{lot_id or ''}:{serial_id or ''}:{container_id or ''}:"
        f"{StockStatus(status).value}"
    )


class Quant(IdMixin, Base):
    """Quantity of one item at one location per lot, serial, container and status."""

    __tablename__ = "quant"
    __table_args__ = (
        Index("ix_quant_item_location", "item_id", "location_id"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    )

    key: Mapped[str] = mapped_column(String(120), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    serial_id: Mapped[int | None] = mapped_column(ForeignKey("serial.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"), index=True)
    status: Mapped[StockStatus] = mapped_column(_enum(StockStatus), default=StockStatus.available)
    on_hand: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(default=Decimal(0))
    #: When stock first arrived here (FIFO removal), kept across top-ups.
    in_date: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship()
    location: Mapped[Location] = relationship()
    lot: Mapped[Lot | None] = relationship()

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    def add(self, qty: Decimal) -> None:
        self.on_hand = self.on_hand + qty

    def take(
        self, qty: Decimal, *, allow_negative: bool = False, from_reserved: Decimal = Decimal(0)
    ) -> None:
        """Remove ``qty``; ``from_reserved`` of it consumes this quant's reservation."""
        if from_reserved > self.reserved:
            raise ReservationExceeded(
                f"cannot consume {from_reserved} reserved, only {self.reserved} is reserved"
            )
        free = self.on_hand - self.reserved + from_reserved
        if qty > free and not (allow_negative and self.reserved - from_reserved == 0):
            raise NegativeStockNotAllowed(
                f"only {free} available", available=str(free), requested=str(qty)
            )
        self.on_hand = self.on_hand - qty
        self.reserved = self.reserved - from_reserved

    def reserve(self, qty: Decimal) -> None:
        if self.reserved + qty > self.on_hand:
            raise ReservationExceeded(
                f"only {self.available} available to reserve",
                available=str(self.available),
                requested=str(qty),
            )
        self.reserved = self.reserved + qty

    def unreserve(self, qty: Decimal) -> None:
        if qty > self.reserved:
            raise ReservationExceeded(f"only {self.reserved} is reserved")
        self.reserved = self.reserved - qty


class StockMove(IdMixin, Base):
    """One ledger line. Append-only: a mistake is undone by a reversing move."""

    __tablename__ = "stock_move"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        Index("ix_stock_move_item_from", "item_id", "from_location_id"),
        Index("ix_stock_move_item_to", "item_id", "to_location_id"),
        Index("ix_stock_move_txid_id", "txid", "id"),
    )

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    #: Always in the item's base unit; ``entered_qty``/``entered_uom`` keep what was typed.
    qty: Mapped[Decimal]
    entered_qty: Mapped[Decimal | None]
    entered_uom: Mapped[str | None] = mapped_column(String(16))
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    serial_id: Mapped[int | None] = mapped_column(ForeignKey("serial.id"))
    from_container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    to_container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    from_status: Mapped[StockStatus] = mapped_column(_enum(StockStatus))
    to_status: Mapped[StockStatus] = mapped_column(_enum(StockStatus))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    document_type: Mapped[str | None] = mapped_column(String(32))
    document_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    task_id: Mapped[int | None] = mapped_column(index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    unit_cost: Mapped[Decimal | None]
    reverses_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    request_id: Mapped[str | None] = mapped_column(String(64), index=True)
    #: PostgreSQL: the writing transaction's id (``pg_current_xact_id()``), so the
    #: moves feed can wait for lines that commit out of id order. NULL on SQLite,
    #: where one writer at a time makes id order the commit order.
    txid: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())


#: The column default is PostgreSQL-only; a migration must set the same default.
STOCK_MOVE_TXID_DEFAULT = DDL(
    "ALTER TABLE stock_move ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint)"
).execute_if(dialect="postgresql")
event.listen(StockMove.__table__, "after_create", STOCK_MOVE_TXID_DEFAULT)


class Reservation(IdMixin, Base):
    """A claim of quantity on a quant by an order line or task."""

    __tablename__ = "reservation"

    quant_id: Mapped[int] = mapped_column(ForeignKey("quant.id"), index=True)
    qty: Mapped[Decimal]
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_reservation_owner", "owner_type", "owner_id"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )


class AppliedRequest(Base):
    """A scanner confirmation already applied: the same request id applies once."""

    __tablename__ = "applied_request"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(IdMixin, Base):
    """An ERP request by Idempotency-Key: in flight, then its stored response."""

    __tablename__ = "idempotency_record"
    __table_args__ = (Index("uq_idempotency_client_key", "client_id", "key", unique=True),)

    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="in_flight")  # in_flight | done
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    completed_at: Mapped[datetime | None]
