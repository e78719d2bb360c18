"""An inbound floor for tests: dock, QC, returns and storage, a supplier, items, orders.

Each helper is its own transaction, as an entrypoint would be.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tests.factories import Floor
from tests.taskfloor import person
from wms.model import (
    Container,
    ItemInboundProfile,
    Partner,
    PartnerKind,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    SupplierProfile,
    Task,
    TaskType,
    Tracking,
    User,
    ZoneKind,
)
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import purchase_orders, receiving
from wms.services.purchase_orders import LineInput, OrderInput

TODAY = date(2025, 6, 1)


class Dock:
    """A warehouse ready for inbound: ``dock.order("PO-1", [("SKU-A", 10)])``."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self.factory = floor.factory
        floor.zone("DOCK", ZoneKind.receiving)
        floor.zone("QC", ZoneKind.qc)
        floor.zone("RET", ZoneKind.returns)
        floor.location("DOCK-01", zone="DOCK", storable=False)
        floor.location("QC-01", zone="QC", storable=False)
        floor.location("RET-01", zone="RET", storable=False)
        for i in (1, 2, 3):
            floor.location(f"A-01-0{i}-1", zone="A", x=Decimal(i), y=Decimal(0), max_containers=1)
        self.supplier_id = self.partner("SUP1").id
        floor.item("SKU-A", units={"case": 12}, barcodes=[("4006381333931", "each")])
        floor.item("SKU-LOT", tracking=Tracking.lot, shelf_life_days=365)
        floor.item("SKU-SER", tracking=Tracking.serial)
        floor.item("SKU-X")
        self.receiver: User = person(floor, "rita")
        self.driver: User = person(floor, "fred")

    def partner(self, code: str, kind: PartnerKind = PartnerKind.supplier) -> Partner:
        with self.factory() as s, s.begin():
            found = s.scalar(select(Partner).where(Partner.code == code))
            if found is None:
                found = Partner(code=code, name=f"Supplier {code}", kind=kind)
                s.add(found)
                s.flush()
            return found

    def supplier_rules(self, **fields: Any) -> None:
        with self.factory() as s, s.begin():
            s.merge(SupplierProfile(partner_id=self.supplier_id, **fields))

    def item_rules(self, sku: str, **fields: Any) -> None:
        item_id = self.floor.item(sku).id
        with self.factory() as s, s.begin():
            s.merge(ItemInboundProfile(item_id=item_id, **fields))

    def order(self, external_id: str, lines: list[tuple], **kw: Any) -> PurchaseOrder:
        """Lines are (sku, qty) or (sku, qty, uom) or (sku, qty, uom, lot)."""
        data = OrderInput(
            external_id=external_id, supplier=kw.pop("supplier", "SUP1"),
            warehouse=self.floor.warehouse_code,
            lines=[LineInput(i + 1, ln[0], Decimal(str(ln[1])),
                             *(ln[2:] if len(ln) > 2 else ())) for i, ln in enumerate(lines)],
            **kw,
        )
        with self.factory() as s, s.begin():
            order, _ = purchase_orders.upsert_purchase_order(s, data)
            return order

    def start(self, order: PurchaseOrder) -> Receipt:
        with self.factory() as s, s.begin():
            return receiving.start_receipt(s, order_id=order.id, operator_id=self.receiver.id)

    def receive(self, receipt: Receipt, sku: str, qty: Any, uom: str | None = None,
                **kw: Any) -> ReceiptLine:
        item = self.floor.item(sku)
        arrival = receiving.Arrival(item_id=item.id, qty=Decimal(str(qty)),
                                    uom=uom or item.base_uom, **kw)
        with self.factory() as s, s.begin():
            return receiving.receive(s, receipt_id=receipt.id, arrival=arrival,
                                     operator_id=self.receiver.id, today=TODAY)

    def close(self, receipt: Receipt) -> receiving.ClosedReceipt:
        with self.factory() as s, s.begin():
            return receiving.close_receipt(s, receipt_id=receipt.id,
                                           operator_id=self.receiver.id)

    def pallet(self, code: str) -> Container:
        return self.floor.container(code)

    def fetch_order(self, external_id: str) -> dict[str, Any]:
        with self.factory() as s:
            order = s.scalar(select(PurchaseOrder).where(PurchaseOrder.external_id == external_id))
            assert order is not None
            return purchase_orders.describe_order(order)

    def received(self, external_id: str) -> dict[int, str]:
        return {ln["line_no"]: ln["received_qty"] for ln in self.fetch_order(external_id)["lines"]}

    def putaway_tasks(self) -> list[Task]:
        with self.factory() as s:
            return list(s.scalars(select(Task).where(Task.type == TaskType.putaway)
                                  .order_by(Task.id)))

    def code(self, location_id: int | None) -> str | None:
        from wms.model import Location

        with self.factory() as s:
            loc = s.get(Location, location_id) if location_id else None
            return loc.code if loc else None

    def ledger_ok(self) -> None:
        with self.factory() as s:
            assert [str(d) for d in ledger_discrepancies(s)] == []

