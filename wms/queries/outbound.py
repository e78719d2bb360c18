"""Read models of outbound documents for the API and the console."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.model import Item, Package, Partner, SalesOrder, Warehouse, qty_str


def describe_order(session: Session, order: SalesOrder) -> dict[str, Any]:
    items = {i.id: i for i in session.scalars(
        select(Item).where(Item.id.in_({ln.item_id for ln in order.lines})))}
    customer = session.get(Partner, order.customer_id)
    warehouse = session.get(Warehouse, order.warehouse_id)
    packages = session.scalars(select(Package).where(Package.order_id == order.id)
                               .order_by(Package.id))
    return {
        "external_id": order.external_id, "customer": customer.code if customer else "",
        "warehouse": warehouse.code if warehouse else "", "status": order.status.value,
        "hold_reasons": list(order.hold_reasons or []), "priority": order.priority,
        "carrier": order.carrier,
        "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None,
        "lines": [{
            "line_no": ln.line_no, "sku": items[ln.item_id].sku, "qty": qty_str(ln.entered_qty),
            "uom": ln.uom, "qty_base": qty_str(ln.qty), "lot": ln.lot_no,
            "allocated_qty": qty_str(ln.allocated_qty), "picked_qty": qty_str(ln.picked_qty),
            "packed_qty": qty_str(ln.packed_qty), "shipped_qty": qty_str(ln.shipped_qty),
            "dropped_qty": qty_str(ln.dropped_qty)} for ln in order.lines],
        "packages": [{"code": p.code, "status": p.status, "carrier": p.carrier,
                      "tracking_no": p.tracking_no, "weight_g": p.weight_g} for p in packages],
    }
