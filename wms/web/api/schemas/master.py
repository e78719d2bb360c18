"""Master data bodies and answers: items, locations, partners."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from wms.model import LocationType, PartnerKind, Tracking, VirtualKind, ZoneKind
from wms.web.api.schemas.common import (
    MAX_BULK,
    AbcClass,
    ApiModel,
    Code,
    Decimal6,
    Name,
    NonNegativeQty,
    OutModel,
    PageQuery,
    PositiveQty,
    QtyOut,
    Short,
    Uom,
)

Barcode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]
#: Physical location types; virtual locations are made by the warehouse, not by the API.
PhysicalType = Literal[tuple(t.value for t in LocationType if t is not LocationType.virtual)]  # type: ignore[valid-type]


class UnitIn(ApiModel):
    uom: Uom
    factor: PositiveQty = Field(description="Base units in one of this unit, exact.")


class BarcodeIn(ApiModel):
    barcode: Barcode
    uom: Uom | None = Field(
        None, description="Unit this barcode stands for; default the base unit."
    )


class ItemFields(ApiModel):
    name: Name
    uom: Uom = Field("each", description="Base unit: every stock quantity is counted in it.")
    units: list[UnitIn] = Field(default_factory=list, max_length=20)
    barcodes: list[BarcodeIn | Barcode] = Field(
        default_factory=list,
        max_length=50,
        description="Numeric barcodes of GTIN length (8, 12, 13, 14) need a valid check digit.",
    )
    tracking: Tracking = Tracking.none
    shelf_life_days: StrictInt | None = Field(None, ge=0, le=36500)
    weight_kg: NonNegativeQty | None = None
    volume_l: NonNegativeQty | None = None
    safety_stock: NonNegativeQty | None = None
    abc_class: AbcClass | None = None
    active: StrictBool = True


class ItemIn(ItemFields):
    sku: Code


class ItemBulkIn(ApiModel):
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_BULK)


class UnitOut(OutModel):
    uom: str
    factor: QtyOut


class BarcodeOut(OutModel):
    barcode: str
    uom: str


class ItemOut(OutModel):
    sku: str
    name: str
    uom: str
    units: list[UnitOut]
    barcodes: list[BarcodeOut]
    tracking: Tracking
    shelf_life_days: int | None
    weight_kg: QtyOut | None
    volume_l: QtyOut | None
    safety_stock: QtyOut | None
    abc_class: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class ItemPage(OutModel):
    items: list[ItemOut]
    next_cursor: str | None


class ItemQuery(PageQuery):
    sku: Code | None = Field(None, description="Only SKUs starting with this text.")
    active: bool | None = None


class LocationIn(ApiModel):
    warehouse: Code
    code: Code
    zone: Code | None = Field(None, description="Zone code; created on first use.")
    zone_kind: ZoneKind | None = Field(None, description="Kind of a zone created on first use.")
    type: PhysicalType = "shelf"  # type: ignore[valid-type]
    aisle: Short | None = None
    bay: Short | None = None
    level: Short | None = None
    position: Short | None = None
    aisle_index: StrictInt | None = Field(None, ge=0, le=100000)
    x: Decimal6 | None = None
    y: Decimal6 | None = None
    side: Literal[0, 1] | None = None
    max_volume_l: NonNegativeQty | None = None
    max_weight_kg: NonNegativeQty | None = None
    max_containers: StrictInt | None = Field(None, ge=0, le=100000)
    max_skus: StrictInt | None = Field(None, ge=0, le=100000)
    storable: StrictBool = True
    pickable: StrictBool = True
    blocked: StrictBool = False
    blocked_reason: Annotated[str, StringConstraints(max_length=200)] | None = None
    abc_class: AbcClass | None = None


class LocationBulkIn(ApiModel):
    items: list[LocationIn] = Field(min_length=1, max_length=MAX_BULK)


class LocationOut(OutModel):
    warehouse: str
    code: str
    zone: str | None
    type: LocationType
    virtual_kind: VirtualKind | None
    aisle: str | None
    bay: str | None
    level: str | None
    position: str | None
    aisle_index: int | None
    x: QtyOut | None
    y: QtyOut | None
    side: int | None
    max_volume_l: QtyOut | None
    max_weight_kg: QtyOut | None
    max_containers: int | None
    max_skus: int | None
    storable: bool
    pickable: bool
    blocked: bool
    blocked_reason: str | None
    abc_class: str | None
    check_digits: str = Field(description="Two digits printed on the location label.")


class LocationPage(OutModel):
    items: list[LocationOut]
    next_cursor: str | None


class LocationQuery(PageQuery):
    warehouse: Code | None = None
    zone: Code | None = None
    virtual: bool | None = Field(None, description="Only virtual (true) or physical (false).")


class PartnerIn(ApiModel):
    code: Code
    name: Name
    kind: PartnerKind
    active: StrictBool = True


class PartnerBulkIn(ApiModel):
    items: list[PartnerIn] = Field(min_length=1, max_length=MAX_BULK)


class PartnerOut(OutModel):
    code: str
    name: str
    kind: PartnerKind
    active: bool


class PartnerPage(OutModel):
    items: list[PartnerOut]
    next_cursor: str | None


class PartnerQuery(PageQuery):
    kind: PartnerKind | None = None
