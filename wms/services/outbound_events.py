"""How outbound changes are told: a console event and an ERP webhook, both after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wms import events
from wms.model import OrderStatus, SalesOrder
from wms.services.webhooks import emit_webhook


def set_status(session: Session, order: SalesOrder, status: OrderStatus) -> None:
    """Move the order along its lifecycle and tell the console and the ERP."""
    before = order.status
    if before is status:
        return
    order.move_to(status)
    data = {
        "external_id": order.external_id,
        "from": before.value,
        "to": status.value,
        "hold_reasons": list(order.hold_reasons or []),
    }
    emit_webhook(session, "sales_order.status_changed", data)
    events.record(
        session,
        "sales_order.status_changed",
        data,
        rooms=[f"warehouse:{order.warehouse_id}"],
        namespaces=["/console"],
    )


def tell_supervisor(session: Session, warehouse_id: int, name: str, data: dict[str, Any]) -> None:
    """A floor exception the supervisors should see now (short pick, cancel during picking)."""
    events.record(session, name, data, rooms=[f"warehouse:{warehouse_id}"], namespaces=["/console"])
