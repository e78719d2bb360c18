"""Items by SKU: list, read, upsert one or many."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wms.errors import FieldError, UnknownItem, ValidationFailed
from wms.model import Item
from wms.queries import master as queries
from wms.services.item_upserts import ItemSpec, upsert_items
from wms.web.api.bulk import answer
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id, page
from wms.web.api.schemas.common import BulkReply
from wms.web.api.schemas.master import (
    BarcodeIn,
    ItemBulkIn,
    ItemFields,
    ItemIn,
    ItemOut,
    ItemPage,
    ItemQuery,
)

router = Router("items")


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        sku=item.sku,
        name=item.name,
        uom=item.base_uom,
        units=[{"uom": u.uom, "factor": u.factor} for u in item.units],  # type: ignore[misc]
        barcodes=[{"barcode": b.barcode, "uom": b.uom} for b in item.barcodes],  # type: ignore[misc]
        tracking=item.tracking,
        shelf_life_days=item.shelf_life_days,
        weight_kg=item.weight_kg,
        volume_l=item.volume_l,
        safety_stock=item.safety_stock,
        abc_class=item.abc_class,
        active=item.active,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def spec(sku: str, body: ItemFields) -> ItemSpec:
    return ItemSpec(
        sku=sku,
        name=body.name,
        uom=body.uom,
        units=tuple((u.uom, u.factor) for u in body.units),
        barcodes=tuple(
            (b.barcode, b.uom) if isinstance(b, BarcodeIn) else (b, None) for b in body.barcodes
        ),
        tracking=body.tracking,
        shelf_life_days=body.shelf_life_days,
        weight_kg=body.weight_kg,
        volume_l=body.volume_l,
        safety_stock=body.safety_stock,
        abc_class=body.abc_class,
        active=body.active,
    )


@router.operation(
    "GET",
    "/items",
    scope="master:read",
    summary="List items",
    query=ItemQuery,
    responses={200: ItemPage},
)
def list_items(session: Session, call: Call) -> Reply:
    """Items ordered by creation, a page at a time."""
    q: ItemQuery = call.query
    rows = queries.items_page(
        session, after_id=after_id(q.cursor), limit=q.limit, sku_prefix=q.sku, active=q.active
    )
    return Reply(200, ItemPage(**page(rows, q.limit, item_out)))


@router.operation(
    "GET",
    "/items/{sku}",
    scope="master:read",
    summary="Read one item",
    responses={200: ItemOut},
    errors=(404,),
)
def get_item(session: Session, call: Call) -> Reply:
    item = queries.item(session, call.path["sku"])
    if item is None:
        raise UnknownItem(f"unknown item {call.path['sku']}", sku=call.path["sku"])
    return Reply(200, item_out(item))


@router.operation(
    "POST",
    "/items",
    scope="master:write",
    summary="Create or update items by SKU",
    body=ItemIn,
    bulk=ItemBulkIn,
    responses={200: BulkReply, 201: ItemOut},
)
def upsert_items_view(session: Session, call: Call) -> Reply:
    """One item answers the item (201 created, 200 updated); `{"items": [...]}` answers per item."""
    bodies = call.body.items if call.bulk else [call.body]
    results = answer(call, lambda: upsert_items(session, [spec(b.sku, b) for b in bodies]))
    if call.bulk:
        return Reply(200, BulkReply(items=results.rows), target=f"{len(bodies)} items")
    (one,) = results.upserted
    return Reply(201 if one.result == "created" else 200, item_out(one.row), f"item {one.key}")


@router.operation(
    "PUT",
    "/items/{sku}",
    scope="master:write",
    summary="Create or replace one item",
    body=ItemFields,
    responses={200: ItemOut, 201: ItemOut},
)
def put_item(session: Session, call: Call) -> Reply:
    """The item as sent: lists (units, barcodes) replace what was there."""
    sku = call.path["sku"]
    if len(sku) > 64 or sku != sku.strip() or not sku.isprintable():
        raise ValidationFailed([FieldError("sku", "a SKU is 1 to 64 printable characters")])
    results = answer(call, lambda: upsert_items(session, [spec(sku, call.body)]))
    (one,) = results.upserted
    return Reply(201 if one.result == "created" else 200, item_out(one.row), f"item {sku}")
