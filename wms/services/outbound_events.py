"""How outbound changes are told: a console event and an ERP webhook, both after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from wms import events
from wms.model import OrderStatus, SalesOrder
from wms.services.webhooks import emit_webhooks


def set_status(session: Session, order: SalesOrder, status: OrderStatus) -> None:
    """Move the order along its lifecycle and tell the console and the ERP."""
    set_statuses(session, [(order, status)])


def set_statuses(session: Session, changes: Sequence[tuple[SalesOrder, OrderStatus]]) -> None:
    """``set_status`` for many orders; the ERP's webhooks are written in one batch."""
    told = []
    for order, status in changes:
        before = order.status
        if before is status:
            continue
        order.move_to(status)
        data = {
            "external_id": order.external_id,
            "from": before.value,
            "to": status.value,
            "hold_reasons": list(order.hold_reasons or []),
        }
        told.append(data)
        events.record(
            session,
            "sales_order.status_changed",
            data,
            rooms=[f"warehouse:{order.warehouse_id}"],
            namespaces=["/console"],
        )
    emit_webhooks(session, "sales_order.status_changed", told)


def tell_supervisor(session: Session, warehouse_id: int, name: str, data: dict[str, Any]) -> None:
    """A floor exception the supervisors should see now (short pick, cancel during picking)."""
    events.record(session, name, data, rooms=[f"warehouse:{warehouse_id}"], namespaces=["/console"])
