"""Outbound documents: sales orders, allocations, waves and trips, packages, shipments, returns."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.errors import InvalidTransition
from wms.model.base import Base, IdMixin, TimestampMixin, utcnow
from wms.model.master import _enum

ZERO = Decimal(0)


class OrderStatus(enum.StrEnum):
    received = "received"
    reviewed = "reviewed"
    allocated = "allocated"
    picking = "picking"
    picked = "picked"
    packed = "packed"
    shipped = "shipped"
    on_hold = "on_hold"
    short = "short"
    cancelled = "cancelled"


_O = OrderStatus
#: The order lifecycle (erp-api.md). ``short`` waits for stock; ``on_hold`` waits for a person.
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    _O.received: frozenset({_O.reviewed, _O.on_hold, _O.cancelled}),
    _O.on_hold: frozenset({_O.reviewed, _O.cancelled}),
    _O.reviewed: frozenset({_O.allocated, _O.short, _O.on_hold, _O.cancelled}),
    _O.short: frozenset({_O.allocated, _O.short, _O.on_hold, _O.cancelled}),
    _O.allocated: frozenset({_O.picking, _O.short, _O.on_hold, _O.cancelled}),
    _O.picking: frozenset({_O.picked, _O.cancelled}),
    _O.picked: frozenset({_O.packed, _O.cancelled}),
    _O.packed: frozenset({_O.shipped, _O.cancelled}),
    _O.shipped: frozenset(),
    _O.cancelled: frozenset(),
}


class ShortPolicy(enum.StrEnum):
    """What a line that cannot be fully allocated does."""

    ship_partial = "ship_partial"  # release what is there, drop the rest
    wait = "wait"  # the whole order waits in ``short`` until stock arrives
    backorder = "backorder"  # release what is there, keep the rest open for later


class SalesOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "sales_order"
    __table_args__ = (Index("ix_sales_order_wh_status", "warehouse_id", "status"),)

    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    priority: Mapped[int] = mapped_column(default=5)
    ship_by: Mapped[datetime | None]
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    carrier: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), default=OrderStatus.received)
    hold_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    short_policy: Mapped[ShortPolicy] = mapped_column(
        _enum(ShortPolicy), default=ShortPolicy.ship_partial
    )
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("wave.id"), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    shipped_at: Mapped[datetime | None]
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))

    lines: Mapped[list[SalesOrderLine]] = relationship(
        back_populates="order", order_by="SalesOrderLine.line_no", cascade="all, delete-orphan"
    )

    def move_to(self, status: OrderStatus) -> None:
        if status not in ORDER_TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"order {self.external_id} cannot go from {self.status} to {status}",
                order=self.external_id,
                status=self.status.value,
                to=status.value,
            )
        self.status = status

    @property
    def value(self) -> Decimal:
        return sum((ln.qty * (ln.unit_price or ZERO) for ln in self.lines), ZERO)


class SalesOrderLine(IdMixin, Base):
    __tablename__ = "sales_order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    #: In the item's base unit; ``entered_qty`` and ``uom`` keep what the ERP sent.
    qty: Mapped[Decimal]
    entered_qty: Mapped[Decimal]
    uom: Mapped[str] = mapped_column(String(16))
    lot_no: Mapped[str | None] = mapped_column(String(64))
    unit_price: Mapped[Decimal | None]
    allocated_qty: Mapped[Decimal] = mapped_column(default=ZERO)
    picked_qty: Mapped[Decimal] = mapped_column(default=ZERO)
    packed_qty: Mapped[Decimal] = mapped_column(default=ZERO)
    shipped_qty: Mapped[Decimal] = mapped_column(default=ZERO)
    #: Given up on (ship partial, short pick with nothing elsewhere, cancel).
    dropped_qty: Mapped[Decimal] = mapped_column(default=ZERO)

    order: Mapped[SalesOrder] = relationship(back_populates="lines")

    @property
    def open_qty(self) -> Decimal:
        """Still to allocate."""
        return self.qty - self.allocated_qty - self.dropped_qty


class Allocation(IdMixin, Base):
    """Stock reserved for one order line at one quant; one pick task picks it.

    ``reservation_id`` is the ledger's Reservation; the ledger deletes a
    reservation once consumed, so it is a plain id, not a foreign key.
    """

    __tablename__ = "allocation"

    line_id: Mapped[int] = mapped_column(ForeignKey("sales_order_line.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quant_id: Mapped[int] = mapped_column(ForeignKey("quant.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("container.id"))
    reservation_id: Mapped[int | None]
    qty: Mapped[Decimal]
    picked_qty: Mapped[Decimal] = mapped_column(default=ZERO)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    #: open | picked | short | released
    state: Mapped[str] = mapped_column(String(16), default="open")


class Wave(IdMixin, TimestampMixin, Base):
    __tablename__ = "wave"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="released")  # released | done
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    released_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    staging_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))

    trips: Mapped[list[PickTrip]] = relationship(order_by="PickTrip.seq")


class PickTrip(IdMixin, Base):
    """One cart trip of a wave: a TaskGroup of pick tasks in route order."""

    __tablename__ = "pick_trip"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    seq: Mapped[int]
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id"), unique=True)
    zone: Mapped[str | None] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16), default="cluster")  # discrete | cluster | zone
    length_m: Mapped[float] = mapped_column(default=0.0)
    lines: Mapped[int] = mapped_column(default=0)
    orders: Mapped[list[str]] = mapped_column(JSON, default=list)


class TripTote(IdMixin, Base):
    """Which tote of a trip's cart holds which order: one order per tote, one tote per order."""

    __tablename__ = "trip_tote"
    __table_args__ = (
        UniqueConstraint("trip_id", "order_id"),
        UniqueConstraint("trip_id", "container_id"),
    )

    trip_id: Mapped[int] = mapped_column(ForeignKey("pick_trip.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    container_id: Mapped[int] = mapped_column(ForeignKey("container.id"), index=True)


class Package(IdMixin, TimestampMixin, Base):
    """A closed carton of one order: weighed, labelled, later shipped."""

    __tablename__ = "package"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    container_id: Mapped[int] = mapped_column(ForeignKey("container.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed | shipped
    weight_g: Mapped[int | None]
    expected_weight_g: Mapped[int | None]
    carrier: Mapped[str | None] = mapped_column(String(32))
    tracking_no: Mapped[str | None] = mapped_column(String(64), index=True)
    label_job_id: Mapped[int | None] = mapped_column(ForeignKey("print_job.id"))
    station: Mapped[str | None] = mapped_column(String(64))
    packed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"))
    #: What was scanned in: {line_id: qty} as strings.
    contents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Shipment(IdMixin, Base):
    __tablename__ = "shipment"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    dock_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    carrier: Mapped[str | None] = mapped_column(String(32))
    shipped_at: Mapped[datetime] = mapped_column(default=utcnow)
    shipped_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ReturnAuthorization(IdMixin, TimestampMixin, Base):
    """A sales return (RMA) against one shipped order."""

    __tablename__ = "return_authorization"

    rma_no: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | received | closed
    reason: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="rma", order_by="ReturnLine.id", cascade="all, delete-orphan"
    )


class Disposition(enum.StrEnum):
    restock = "restock"
    quarantine = "quarantine"
    scrap = "scrap"


class ReturnLine(IdMixin, Base):
    __tablename__ = "return_line"

    rma_id: Mapped[int] = mapped_column(ForeignKey("return_authorization.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("sales_order_line.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    qty: Mapped[Decimal]
    disposition: Mapped[Disposition] = mapped_column(_enum(Disposition))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    #: The lot that came back (lot-tracked items): one that shipped on the order.
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    #: The serial numbers that came back (serial-tracked items), one per unit.
    serials: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    rma: Mapped[ReturnAuthorization] = relationship(back_populates="lines")
