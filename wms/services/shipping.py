"""Shipping: carriers give tracking numbers; packages scanned at the dock leave through the ledger.

``CarrierAdapter`` is the port a real carrier integration implements;
``FakeCarrier`` gives deterministic tracking numbers for the demo and tests.
A tracking number can also be entered or scanned (``set_tracking``).
``ship_package`` moves a closed package's contents to the CUSTOMER virtual
location; when the last package of a packed order leaves, the order is
``shipped`` and the ERP hears ``sales_order.shipped``.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import Conflict, NotFound
from wms.model import (
    OrderStatus,
    Package,
    Quant,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    VirtualKind,
    exact,
    qty_str,
    utcnow,
)
from wms.services import ledger, masterdata, outbound_events
from wms.services.webhooks import emit_webhook


class CarrierAdapter(Protocol):
    def book(self, order: SalesOrder, package: Package) -> str:
        """Register the package with the carrier; return its tracking number."""
        ...


class FakeCarrier:
    """Tracking numbers from the package code: stable, unique, no network."""

    def book(self, order: SalesOrder, package: Package) -> str:
        return f"FK{package.id:010d}"


def carrier_adapter(carrier: str | None) -> CarrierAdapter:
    """The adapter for a carrier code; every carrier uses the fake until a real one is wired."""
    return FakeCarrier()


class PackageNotFound(NotFound):
    code = "package_not_found"


class PackageNotReady(Conflict):
    code = "package_not_ready"


def find_package(session: Session, code: str) -> Package:
    package = session.scalars(
        select(Package)
        .where((Package.code == code) | (Package.tracking_no == code))
        .with_for_update()
    ).first()
    if package is None:
        raise PackageNotFound(package=code)
    return package


def set_tracking(session: Session, package: Package, *, carrier: str, tracking_no: str) -> None:
    package.carrier, package.tracking_no = carrier, tracking_no


def ready_package(session: Session, code: str) -> Package:
    """The package by code or tracking number, refused unless closed and its order packed."""
    package = find_package(session, code)
    order = session.get(SalesOrder, package.order_id)
    assert order is not None
    if package.status != "closed" or order.status is not OrderStatus.packed:
        raise PackageNotReady(package=package.code, status=package.status)
    return package


def ship_package(
    session: Session,
    code: str,
    *,
    dock_location_id: int | None,
    user_id: int | None,
    request_id: str | None = None,
) -> Package:
    """Load one package: its stock goes to the customer; the order ships with its last one."""
    package = ready_package(session, code)
    order = session.get(SalesOrder, package.order_id)
    assert order is not None
    customer = masterdata.virtual_location(
        session, warehouse_id=order.warehouse_id, kind=VirtualKind.customer
    )
    quants = list(
        session.scalars(
            select(Quant)
            .where(Quant.container_id == package.container_id, Quant.on_hand > 0)
            .order_by(Quant.id)
        )
    )
    ledger.post_moves(
        session,
        [
            ledger.MoveRequest(
                item_id=q.item_id,
                qty=q.on_hand,
                from_location_id=q.location_id,
                to_location_id=customer.id,
                reason="ship",
                lot_id=q.lot_id,
                serial_id=q.serial_id,
                from_container_id=q.container_id,
                keep_container=False,
                document_type="sales_order",
                document_ref=order.external_id,
            )
            for q in quants
        ],
        operator_id=user_id,
        request_id=request_id,
    )
    for line_id, qty in package.contents.items():
        line = session.get(SalesOrderLine, int(line_id))
        assert line is not None
        line.shipped_qty = line.shipped_qty + exact(qty)
    package.status = "shipped"
    session.flush()
    if not session.scalars(
        select(Package.id).where(Package.order_id == order.id, Package.status != "shipped")
    ).first():
        _ship_order(session, order, package, dock_location_id, user_id)
    return package


def _ship_order(
    session: Session, order: SalesOrder, last: Package, dock: int | None, user_id: int | None
) -> None:
    shipment = Shipment(
        order_id=order.id, dock_location_id=dock, carrier=last.carrier, shipped_by=user_id
    )
    session.add(shipment)
    session.flush()
    packages = list(
        session.scalars(select(Package).where(Package.order_id == order.id).order_by(Package.id))
    )
    for p in packages:
        p.shipment_id = shipment.id
    order.shipped_at = utcnow()
    outbound_events.set_status(session, order, OrderStatus.shipped)
    emit_webhook(
        session,
        "sales_order.shipped",
        {
            "external_id": order.external_id,
            "lines": [
                {"line_no": ln.line_no, "shipped_qty": qty_str(ln.shipped_qty)}
                for ln in order.lines
            ],
            "packages": [
                {
                    "code": p.code,
                    "carrier": p.carrier,
                    "tracking_no": p.tracking_no,
                    "weight_g": p.weight_g,
                }
                for p in packages
            ],
        },
    )
