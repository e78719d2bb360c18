"""Pick-face settings: min/max of one item at one pick-face location."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wms.model.base import Base, IdMixin, TimestampMixin


class PickFaceSetting(IdMixin, TimestampMixin, Base):
    """Replenish ``location`` with ``item`` when it falls below ``min_qty``, up to ``max_qty``.

    ``unit_qty`` is the whole unit reserve stock moves in (a case of 12):
    replenishment quantities are multiples of it and never exceed max.
    """

    __tablename__ = "pick_face_setting"
    __table_args__ = (
        UniqueConstraint("location_id", "item_id"),
        CheckConstraint("min_qty >= 0 AND max_qty > min_qty", name="min_below_max"),
        CheckConstraint("unit_qty > 0", name="unit_positive"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    min_qty: Mapped[Decimal]
    max_qty: Mapped[Decimal]
    unit_qty: Mapped[Decimal] = mapped_column(default=Decimal(1))
    active: Mapped[bool] = mapped_column(default=True)
