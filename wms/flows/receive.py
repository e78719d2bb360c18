"""Receive goods at the dock against a purchase order (ASN), by scan.

::

    scan_order ──PO / SSCC / item──► scan_item ◄──────────────────────────────┐
                                      │  │ not on the order                   │ received
                       item or GS1    │  └──► report_unexpected ──qty──► scan_item (reported)
                                      ▼                                       │
                                scan_quantity ◄─┐ same item again: +1         │
                                      │ qty ────┘                             │
                                      ▼ (what the item still needs)           │
                     scan_lot ──► scan_expiry ──► scan_serial (one per unit)   │
                                      │                                       │
                                      ▼                                       │
                                scan_container ──LPN / print new / skip───────┘
    scan_item ──close──► done (putaway tasks and QC inspections created)

    F1 back: every state after scan_item goes back to scan_item and forgets the item.

One GS1 scan fills item, lot, expiry, quantity (AI 30/37) and serial, and
the screens it makes unnecessary are skipped. Each value is checked when it
is entered (lot format, shelf life, duplicate serial, tolerance), and again
when the line is booked; a refusal answers the same screen and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from wms.errors import InvalidQuantity
from wms.flows.base import Flow, Message, Screen
from wms.flows.inbound_input import (
    ContainerInUse,
    ExpectedContainer,
    ExpectedItem,
    OrderNotFound,
    parse_date,
    parse_number,
)
from wms.messages import unit
from wms.model import Container, Item, PurchaseOrder, Receipt, Tracking, exact, qty_str
from wms.scanning.commands import Command
from wms.scanning.resolver import (
    CommandScan,
    ContainerScan,
    Gs1Scan,
    ItemScan,
    ScanResult,
    resolve,
)
from wms.services import inbound_rules, lpn, purchase_orders, receiving, unexpected_items


class S(StrEnum):
    scan_order = "scan_order"
    scan_item = "scan_item"
    report_unexpected = "report_unexpected"
    scan_quantity = "scan_quantity"
    scan_lot = "scan_lot"
    scan_expiry = "scan_expiry"
    scan_serial = "scan_serial"
    scan_container = "scan_container"
    done = "done"


_ITEM_KEYS = (
    "item_id",
    "sku",
    "item_name",
    "uom",
    "factor",
    "base_uom",
    "qty",
    "lot",
    "expiry",
    "serials",
    "counted",
)
_AFTER_ITEM = (
    S.report_unexpected,
    S.scan_quantity,
    S.scan_lot,
    S.scan_expiry,
    S.scan_serial,
    S.scan_container,
)


class ReceiveFlow(Flow):
    name = "receive"
    title = "receive.title"
    initial = S.scan_order
    TRANSITIONS = {
        S.scan_order: frozenset({S.scan_item}),
        S.scan_item: frozenset({S.report_unexpected, *_AFTER_ITEM, S.done}),
        S.report_unexpected: frozenset({S.scan_item}),
        S.scan_quantity: frozenset({S.scan_quantity, *_AFTER_ITEM[2:], S.scan_item}),
        S.scan_lot: frozenset({S.scan_expiry, S.scan_serial, S.scan_container, S.scan_item}),
        S.scan_expiry: frozenset({S.scan_serial, S.scan_container, S.scan_item}),
        S.scan_serial: frozenset({S.scan_serial, S.scan_container, S.scan_item}),
        S.scan_container: frozenset({S.scan_item}),
        S.done: frozenset(),
    }
    BACK = {state: S.scan_item for state in _AFTER_ITEM}

    def interpret(self, raw: str) -> ScanResult:  # type: ignore[override]
        return resolve(self.session, raw, warehouse_id=self.ctx.warehouse_id)

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return _ITEM_KEYS

    # -- screens ------------------------------------------------------------------------
    def screen(self, state: str) -> Screen:
        d = self.data
        if state == S.scan_order:
            return Screen(S.scan_order, "receive.scan_order", {}, "order")
        if state == S.done:
            return Screen(S.done, "receive.done", {}, None, self._head(), done=True)
        back = ("back",)
        prompts: dict[str, tuple[str, str, tuple[str, ...]]] = {
            S.scan_item: ("receive.scan_item", "item", ("close",)),
            S.report_unexpected: ("receive.report_unexpected", "quantity", back),
            S.scan_quantity: ("receive.scan_quantity", "quantity", ("back", "confirm")),
            S.scan_lot: ("receive.scan_lot", "lot", back),
            S.scan_expiry: ("receive.scan_expiry", "date", back),
            S.scan_serial: ("receive.scan_serial", "serial", back),
            S.scan_container: ("receive.scan_container", "container", ("back", "print", "skip")),
        }
        prompt, expect, actions = prompts[state]
        params = {
            "order": d.get("order"),
            "sku": d.get("sku"),
            "n": len(d.get("serials") or []) + 1,
            "total": self._serials_needed(),
        }
        return Screen(
            state,
            prompt,
            params,
            expect,
            self._head() + self._item_fields(),
            progress=self._progress(),
            actions=actions,
        )

    def _head(self) -> tuple[tuple[str, str], ...]:
        return (("field.order", self.data["order"]), ("field.supplier", self.data["supplier"]))

    def _item_fields(self) -> tuple[tuple[str, str], ...]:
        d, out = self.data, []
        if d.get("sku"):
            out.append(("field.item", f"{d['sku']} {d['item_name']}"))
        if d.get("qty") or d.get("counted"):
            qty = d.get("qty") or d["counted"]
            out.append(("field.quantity", f"{qty} {unit(d['uom'], self.ctx.locale)}"))
        for key in ("lot", "expiry"):
            if d.get(key):
                out.append((f"field.{key}", d[key]))
        if d.get("serials"):
            out.append(("field.serials", ", ".join(d["serials"])))
        return tuple(out)

    def _progress(self) -> str | None:
        order = self.session.get(PurchaseOrder, self.data.get("order_id"))
        if order is None:
            return None
        live = [ln for ln in order.lines if not ln.cancelled]
        return f"{sum(1 for ln in live if ln.received_base >= ln.qty_base)}/{len(live)}"

    # -- order and item -------------------------------------------------------------------
    def on_scan_order(self, scan: ScanResult) -> Screen:
        wh = self.ctx.warehouse_id
        order = purchase_orders.order_by_reference(self.session, warehouse_id=wh, text=scan.text)
        if order is None and isinstance(scan, ContainerScan) and scan.sscc:
            order = purchase_orders.order_by_reference(
                self.session, warehouse_id=wh, text=scan.sscc
            )
        if order is None and isinstance(scan, ItemScan | Gs1Scan):
            order = purchase_orders.order_for_item(
                self.session, warehouse_id=wh, item_id=scan.item_id
            )
        if order is None:
            raise OrderNotFound(scanned=scan.text)
        receipt = receiving.start_receipt(
            self.session,
            order_id=order.id,
            operator_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
        )
        self.data.update(
            order_id=order.id,
            order=order.external_id,
            supplier=order.supplier.name,
            receipt_id=receipt.id,
        )
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: ScanResult) -> Screen:
        if isinstance(scan, CommandScan) and scan.command is Command.done:
            return self.act_close()
        if not isinstance(scan, ItemScan | Gs1Scan):
            raise ExpectedItem(scanned=scan.text)
        item = self.session.get(Item, scan.item_id)
        assert item is not None
        self._take_item(item, scan.uom)
        if not self._on_order(item):
            return replace(
                self.screen(S.report_unexpected),
                message=Message(
                    "item_not_on_order", "error", {"sku": item.sku, "order": self.data["order"]}
                ),
            )
        if isinstance(scan, Gs1Scan):
            return self._take_gs1(item, scan)
        self.data["counted"] = "1"
        return self.screen(S.scan_quantity)

    def _take_item(self, item: Item, uom: str) -> None:
        self.data.update(
            item_id=item.id,
            sku=item.sku,
            item_name=item.name,
            uom=uom,
            factor=qty_str(item.factor(uom)),
            base_uom=item.base_uom,
            serials=[],
        )

    def _on_order(self, item: Item) -> bool:
        order = self.session.get(PurchaseOrder, self.data["order_id"])
        assert order is not None
        return any(ln.item_id == item.id and not ln.cancelled for ln in order.lines)

    def _take_gs1(self, item: Item, scan: Gs1Scan) -> Screen:
        data = scan.gs1
        if data.lot:
            self._set_lot(item, data.lot)
        if data.expiry:
            self._set_expiry(item, data.expiry)
        if data.serial:
            self._add_serial(item, data.serial)
        count = data.count or (1 if data.serial else None)
        if count is None:
            self.data["counted"] = "1"
            return self.screen(S.scan_quantity)
        self._set_qty(item, Decimal(count))
        return self._next(item)

    def on_report_unexpected(self, scan: ScanResult) -> Screen:
        d = self.data
        qty = parse_number(scan.text)
        unexpected_items.report(
            self.session,
            order_id=d["order_id"],
            item_id=d["item_id"],
            qty=qty,
            uom=d["uom"],
            reported_by_id=self.ctx.user.id,
        )
        message = Message("unexpected_reported", "warning", {"sku": d["sku"]})
        self._forget_item()
        return replace(self.screen(S.scan_item), message=message)

    # -- quantity, lot, expiry, serials ---------------------------------------------------
    def on_scan_quantity(self, scan: ScanResult) -> Screen:
        d, item = self.data, self._item()
        if isinstance(scan, ItemScan | Gs1Scan):
            if scan.item_id != item.id or scan.uom != d["uom"]:
                raise inbound_rules.ItemNotOnOrder(sku=scan.text, order=d["order"])
            d["counted"] = qty_str(Decimal(d["counted"]) + 1)
            self._check_tolerance(item, Decimal(d["counted"]))
            return self.screen(S.scan_quantity)
        self._set_qty(item, parse_number(scan.text))
        return self._next(item)

    def act_confirm(self) -> Screen:
        item = self._item()
        self._set_qty(item, Decimal(self.data["counted"]))
        return self._next(item)

    def on_scan_lot(self, scan: ScanResult) -> Screen:
        item = self._item()
        self._set_lot(item, scan.text)
        return self._next(item)

    def on_scan_expiry(self, scan: ScanResult) -> Screen:
        item = self._item()
        self._set_expiry(item, parse_date(scan.text))
        return self._next(item)

    def on_scan_serial(self, scan: ScanResult) -> Screen:
        item = self._item()
        self._add_serial(item, scan.text)
        return self._next(item)

    def _set_qty(self, item: Item, qty: Decimal) -> None:
        qty = exact(qty)
        if qty <= 0:
            raise InvalidQuantity("quantity must be greater than zero")
        self._check_tolerance(item, qty)
        self.data["qty"] = qty_str(qty)

    def _check_tolerance(self, item: Item, qty: Decimal) -> None:
        receiving.check_quantity(
            self.session,
            receipt_id=self.data["receipt_id"],
            item=item,
            qty_base=qty * Decimal(self.data["factor"]),
            lot_no=self.data.get("lot"),
        )

    def _set_lot(self, item: Item, lot: str) -> None:
        inbound_rules.check_lot(item, lot, self._rules(item))
        self.data["lot"] = lot

    def _set_expiry(self, item: Item, expiry: date) -> None:
        inbound_rules.check_expiry(item, expiry, self._rules(item), date.today())
        self.data["expiry"] = expiry.isoformat()

    def _add_serial(self, item: Item, serial: str) -> None:
        serials = [*self.data.get("serials", []), serial]
        inbound_rules.check_serials(self.session, item, serials, Decimal(len(serials)))
        self.data["serials"] = serials

    def _serials_needed(self) -> int:
        d = self.data
        if not d.get("qty") or not d.get("factor"):
            return 0
        return int(Decimal(d["qty"]) * Decimal(d["factor"]))

    def _next(self, item: Item) -> Screen:
        """The next thing this item still needs, or the container when nothing is missing."""
        d = self.data
        if item.tracking is Tracking.lot and not d.get("lot"):
            return self.screen(S.scan_lot)
        if item.shelf_life_days and item.tracking is not Tracking.none and not d.get("expiry"):
            return self.screen(S.scan_expiry)
        if item.tracking is Tracking.serial and len(d.get("serials", [])) < self._serials_needed():
            return self.screen(S.scan_serial)
        return self.screen(S.scan_container)

    # -- container and booking ------------------------------------------------------------
    def on_scan_container(self, scan: ScanResult) -> Screen:
        if not isinstance(scan, ContainerScan):
            raise ExpectedContainer(scanned=scan.text)
        if scan.container_id is None:
            container = Container(
                code=scan.code, warehouse_id=self.ctx.warehouse_id, is_sscc=bool(scan.sscc)
            )
            self.session.add(container)
            self.session.flush()
        else:
            container = self.session.get(Container, scan.container_id)
            assert container is not None
            receipt = self.session.get(Receipt, self.data["receipt_id"])
            assert receipt is not None
            if container.location_id not in (None, receipt.location_id):
                raise ContainerInUse(container=container.code)
        return self._book(container)

    def act_print(self) -> Screen:
        receipt = self.session.get(Receipt, self.data["receipt_id"])
        assert receipt is not None
        container = lpn.new_container(self.session, warehouse_id=self.ctx.warehouse_id)
        d = self.data
        lpn.print_label(
            self.session,
            container=container,
            item=self._item(),
            qty=qty_str(Decimal(d["qty"]) * Decimal(d["factor"])),
            lot=d.get("lot"),
            expiry=d.get("expiry"),
            terminal=self.ctx.device_id,
            requested_by_id=self.ctx.user.id,
        )
        return self._book(container)

    def act_skip(self) -> Screen:
        return self._book(None)

    def _book(self, container: Container | None) -> Screen:
        d, ctx = self.data, self.ctx
        arrival = receiving.Arrival(
            item_id=d["item_id"],
            qty=Decimal(d["qty"]),
            uom=d["uom"],
            lot_no=d.get("lot"),
            expiry=date.fromisoformat(d["expiry"]) if d.get("expiry") else None,
            serials=tuple(d.get("serials", [])),
            container_id=container.id if container else None,
        )
        row = receiving.receive(
            self.session,
            receipt_id=d["receipt_id"],
            arrival=arrival,
            operator_id=ctx.user.id,
            device_id=ctx.device_id,
            request_id=ctx.request_id,
        )
        params: dict[str, Any] = {
            "qty": d["qty"],
            "uom": d["uom"],
            "sku": d["sku"],
            "container": container.code if container else "-",
        }
        code = "received_into" if container else "received"
        if row.status.value == "quarantine":
            code = "received_for_qc"
        self._forget_item()
        return replace(self.screen(S.scan_item), message=Message(code, "success", params))

    def act_close(self) -> Screen:
        closed = receiving.close_receipt(
            self.session,
            receipt_id=self.data["receipt_id"],
            operator_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
        )
        params = {"tasks": len(closed.putaway_tasks), "inspections": len(closed.inspections)}
        return replace(self.screen(S.done), message=Message("receipt_closed_ok", "success", params))

    # -- helpers --------------------------------------------------------------------------
    def _item(self) -> Item:
        item = self.session.get(Item, self.data["item_id"])
        assert item is not None
        return item

    def _rules(self, item: Item) -> inbound_rules.InboundRules:
        order = self.session.get(PurchaseOrder, self.data["order_id"])
        assert order is not None
        return receiving.rules_for_order(self.session, order, item)

    def _forget_item(self) -> None:
        for key in _ITEM_KEYS:
            self.data.pop(key, None)
