"""What inbound tells the world: the ``purchase_order.received`` payload and its delivery.

The payload lists, per order line, what this receipt brought (base units,
lots with expiry and quantity, serials) and the line's running total, so
an ERP can post its goods receipt from the webhook alone.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from wms import events
from wms.model import Lot, PurchaseOrder, Receipt, qty_str
from wms.services.webhooks import emit_webhook


def received_payload(session: Session, order: PurchaseOrder, receipt: Receipt) -> dict[str, Any]:
    per_line: dict[int, list] = defaultdict(list)
    for row in receipt.lines:
        per_line[row.order_line_id].append(row)
    lines = []
    for line in order.lines:
        rows = per_line.get(line.id)
        if not rows:
            continue
        lots: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.lot_id is None:
                continue
            lot = session.get(Lot, row.lot_id)
            assert lot is not None
            entry = lots.setdefault(
                lot.lot_no,
                {
                    "lot": lot.lot_no,
                    "qty": Decimal(0),
                    "expiry": lot.expiry_date.isoformat() if lot.expiry_date else None,
                },
            )
            entry["qty"] += row.qty
        lines.append(
            {
                "line_no": line.line_no,
                "sku": line.item.sku,
                "uom": line.item.base_uom,
                "qty": qty_str(sum((r.qty for r in rows), Decimal(0))),
                "received_qty": qty_str(line.received_base),
                "ordered_qty": qty_str(line.qty_base),
                "lots": [{**lot, "qty": qty_str(lot["qty"])} for lot in lots.values()],
                "serials": [s for r in rows for s in r.serials],
                "quarantined": any(r.status.value == "quarantine" for r in rows),
            }
        )
    return {
        "external_id": order.external_id,
        "supplier": order.supplier.code,
        "warehouse": order.warehouse.code,
        "status": order.status.value,
        "receipt_id": receipt.id,
        "lines": lines,
    }


def purchase_order_received(session: Session, order: PurchaseOrder, receipt: Receipt) -> None:
    """Tell the console now and the ERP by webhook, both after commit."""
    data = received_payload(session, order, receipt)
    events.record(
        session, "purchase_order.received", data, rooms=[f"warehouse:{order.warehouse_id}"]
    )
    emit_webhook(session, "purchase_order.received", data)
