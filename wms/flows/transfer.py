"""Ship and receive a warehouse-to-warehouse transfer order by scan.

::

    scan_order ──order ready to ship──► scan_location ──► scan_item ──► scan_quantity ─┐
        │                                   ▲  F5 dispatch ──► done                    │
        │                                   └──────────────────────────────────────────┘
        └──order in transit──► scan_item ──► scan_quantity ──► scan_location ─┐
                                  ▲  F5 close receipt ──► done                │
                                  └───────────────────────────────────────────┘

The sending side takes stock from a location into in-transit; the receiving
side books what it really counts; closing the receipt records every line
whose received quantity differs from the shipped one as a discrepancy.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from wms.errors import InvalidQuantity, LocationNotAllowed, NotFound
from wms.flows.base import Flow, Message, Screen
from wms.flows.move import ExpectedQuantity
from wms.flows.scans import ExpectedItem, Scan, location_of
from wms.model import TransferOrder, exact, qty_str
from wms.services import transfers
from wms.services.transfers import RECEIVABLE, SHIPPABLE, TransferNotReady


class S(StrEnum):
    scan_order = "scan_order"
    scan_location = "scan_location"
    scan_item = "scan_item"
    scan_quantity = "scan_quantity"
    done = "done"


class TransferFlow(Flow):
    name = "transfer"
    title = "transfer.title"
    initial = S.scan_order
    TRANSITIONS = {
        S.scan_order: frozenset({S.scan_location, S.scan_item}),
        S.scan_location: frozenset({S.scan_item, S.done}),
        S.scan_item: frozenset({S.scan_quantity, S.scan_location, S.done}),
        S.scan_quantity: frozenset({S.scan_location, S.scan_item}),
        S.done: frozenset(),
    }

    def screen(self, state: str) -> Screen:
        d = self.data
        fields = tuple(
            (k, d[v])
            for k, v in (("field.order", "order"), ("field.from", "source"), ("field.item", "sku"))
            if d.get(v)
        )
        ship = d.get("mode") == "ship"
        match state:
            case S.scan_order:
                return Screen(S.scan_order, "transfer.scan_order", {}, "order")
            case S.scan_location:
                prompt = "transfer.scan_source" if ship else "transfer.scan_destination"
                return Screen(
                    S.scan_location,
                    prompt,
                    {},
                    "location",
                    fields,
                    actions=("dispatch",) if ship and d.get("lines") else (),
                )
            case S.scan_item:
                return Screen(
                    S.scan_item,
                    "move.scan_item",
                    {},
                    "item",
                    fields,
                    actions=() if ship or not d.get("lines") else ("close",),
                )
            case S.scan_quantity:
                return Screen(
                    S.scan_quantity, "transfer.scan_quantity", {"sku": d["sku"]}, "quantity", fields
                )
        return Screen(S.done, "transfer.done", {"order": d["order"]}, None, fields, done=True)

    def on_scan_order(self, scan: Scan) -> Screen:
        order = self.session.scalars(
            select(TransferOrder).where(TransferOrder.external_id == scan.raw.strip())
        ).first()
        if order is None:
            raise NotFound(f"no transfer {scan.raw}", scanned=scan.raw)
        here = self.ctx.warehouse_id
        if order.status in SHIPPABLE and order.from_warehouse_id == here:
            mode = "ship"
        elif order.status in RECEIVABLE and order.to_warehouse_id == here:
            mode = "receive"
        else:
            raise TransferNotReady(order=order.external_id, status=order.status.value)
        self.data.update(order=order.external_id, order_id=order.id, mode=mode, lines=0)
        return self.screen(S.scan_location if mode == "ship" else S.scan_item)

    def on_scan_location(self, scan: Scan) -> Screen:
        loc, d = location_of(scan), self.data
        if loc.is_virtual or loc.blocked:
            raise LocationNotAllowed(location=loc.code)
        self.ctx.here_location_id = loc.id
        if d["mode"] == "ship":
            d.update(source=loc.code, source_id=loc.id)
            return self.screen(S.scan_item)
        transfers.receive(
            self.session,
            order_id=d["order_id"],
            item_id=d["item_id"],
            location_id=loc.id,
            qty=Decimal(d["qty"]),
            operator_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
        )
        return self._booked(S.scan_item, loc.code)

    def on_scan_item(self, scan: Scan) -> Screen:
        if scan.item is None:
            raise ExpectedItem(scanned=scan.raw)
        item = scan.item
        self.data.update(
            sku=item.sku, item_id=item.id, factor=qty_str(item.factor(scan.uom or item.base_uom))
        )
        return self.screen(S.scan_quantity)

    def on_scan_quantity(self, scan: Scan) -> Screen:
        d = self.data
        number = scan.number() if scan.kind == "unknown" else None
        if number is None:
            raise ExpectedQuantity(sku=d["sku"], scanned=scan.raw)
        qty = exact(number) * Decimal(d["factor"])
        if qty <= 0:
            raise InvalidQuantity("quantity must be greater than zero")
        d["qty"] = qty_str(qty)
        if d["mode"] == "receive":
            return self.screen(S.scan_location)
        transfers.ship(
            self.session,
            order_id=d["order_id"],
            item_id=d["item_id"],
            location_id=d["source_id"],
            qty=qty,
            operator_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
        )
        return self._booked(S.scan_location, d["source"])

    def _booked(self, state: S, location: str) -> Screen:
        d = self.data
        d["lines"] += 1
        message = Message(
            "transfer_booked", "success", {"qty": d["qty"], "sku": d["sku"], "location": location}
        )
        for key in ("sku", "item_id", "qty", "factor", "source", "source_id"):
            d.pop(key, None)
        return replace(self.screen(state), message=message)

    def act_dispatch(self) -> Screen:
        transfers.dispatch(self.session, order_id=self.data["order_id"])
        return replace(
            self.screen(S.done),
            message=Message("transfer_dispatched", "success", {"order": self.data["order"]}),
        )

    def act_close(self) -> Screen:
        found = transfers.close_receipt(
            self.session, order_id=self.data["order_id"], user_id=self.ctx.user.id
        )
        code = "transfer_discrepancy" if found else "transfer_received"
        return replace(
            self.screen(S.done),
            message=Message(
                code,
                "warning" if found else "success",
                {"order": self.data["order"], "lines": len(found)},
            ),
        )
