"""Shipping a purchase return back to its supplier, at the return-to-supplier area.

::

    scan_return ──return no.──► scan_location ──goods of it there──► scan_item
                                     ▲                                   │ item waiting here
                                     │ more locations                    ▼
    done ◄── all shipped ────────────┴── all items here confirmed ◄── confirm_qty

    F1 back: scan_item → scan_location, confirm_qty → scan_item

Each item waiting at the location is scanned and its quantity confirmed;
when every item there is confirmed, ``purchase_returns.ship_return`` books
the goods out to the supplier in the same transaction as the last scan.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.inbound_input import parse_number
from wms.flows.scans import Scan, location_of
from wms.messages import unit
from wms.model import PurchaseReturn, ReturnStatus, exact, qty_str
from wms.services import purchase_returns


class S(StrEnum):
    scan_return = "scan_return"
    scan_location = "scan_location"
    scan_item = "scan_item"
    confirm_qty = "confirm_qty"
    done = "done"


class ReturnNotFound(WmsError):
    code = "purchase_return_not_found"
    http_status = 422


class NothingToReturnHere(WmsError):
    code = "nothing_to_return_here"
    http_status = 422


class NotInReturn(WmsError):
    code = "not_in_return"
    http_status = 422


class QtyMismatch(WmsError):
    code = "return_qty_mismatch"
    http_status = 422


class PurchaseReturnFlow(Flow):
    name = "purchase_return"
    title = "purchase_return.title"
    initial = S.scan_return
    TRANSITIONS = {
        S.scan_return: frozenset({S.scan_location}),
        S.scan_location: frozenset({S.scan_item}),
        S.scan_item: frozenset({S.scan_location, S.confirm_qty}),
        S.confirm_qty: frozenset({S.scan_item, S.scan_location, S.done}),
        S.done: frozenset(),
    }
    BACK = {S.scan_item: S.scan_location, S.confirm_qty: S.scan_item}

    def screen(self, state: str) -> Screen:
        expect = {
            S.scan_return: "text",
            S.scan_location: "location",
            S.scan_item: "item",
            S.confirm_qty: "quantity",
            S.done: None,
        }
        actions = {S.scan_item: ("back",), S.confirm_qty: ("back",)}
        return Screen(
            state,
            f"purchase_return.{state}",
            {},
            expect[S(state)],
            self._fields(),
            actions=actions.get(S(state), ()),
            done=state == S.done,
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out: list[tuple[str, str]] = []
        if d.get("number"):
            out += [("field.return", d["number"]), ("field.supplier", d["supplier"])]
        if d.get("location"):
            out.append(("field.from", d["location"]))
        if d.get("sku"):
            qty = f"{d['expected']} {unit(d['uom'], self.ctx.locale)}"
            out += [("field.item", d["sku"]), ("field.quantity", qty)]
        return tuple(out)

    def _doc(self) -> PurchaseReturn:
        doc = self.session.get(PurchaseReturn, self.data["return_id"])
        assert doc is not None
        return doc

    def _waiting(self, location_id: int) -> dict[int, Decimal]:
        """Quantity still to ship per item at the location."""
        out: dict[int, Decimal] = {}
        for line in purchase_returns.waiting_at(self._doc(), location_id):
            out[line.item_id] = out.get(line.item_id, Decimal(0)) + line.qty - line.shipped_qty
        return out

    def on_scan_return(self, scan: Scan) -> Screen:
        doc = self.session.scalars(
            select(PurchaseReturn).where(
                PurchaseReturn.number == scan.raw,
                PurchaseReturn.warehouse_id == self.ctx.warehouse_id,
                PurchaseReturn.status == ReturnStatus.open,
            )
        ).one_or_none()
        if doc is None:
            raise ReturnNotFound(scanned=scan.raw)
        self.data.update(return_id=doc.id, number=doc.number, supplier=doc.supplier.code)
        return self.screen(S.scan_location)

    def on_scan_location(self, scan: Scan) -> Screen:
        location = location_of(scan)
        if not self._waiting(location.id):
            raise NothingToReturnHere(number=self.data["number"], location=location.code)
        self.data.update(location_id=location.id, location=location.code, confirmed=[])
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        waiting = self._waiting(self.data["location_id"])
        item = scan.item
        if item is None or item.id not in waiting or item.id in self.data["confirmed"]:
            raise NotInReturn(scanned=scan.raw, location=self.data["location"])
        self.data.update(
            item_id=item.id, sku=item.sku, uom=item.base_uom, expected=qty_str(waiting[item.id])
        )
        return self.screen(S.confirm_qty)

    def on_confirm_qty(self, scan: Scan) -> Screen:
        d = self.data
        counted = exact(parse_number(scan.raw))
        if counted != Decimal(d["expected"]):
            raise QtyMismatch(counted=qty_str(counted), expected=d["expected"], sku=d["sku"])
        d["confirmed"] = [*d["confirmed"], d["item_id"]]
        left = set(self._waiting(d["location_id"])) - set(d["confirmed"])
        self._forget_item()
        if left:
            return self.screen(S.scan_item)
        doc = purchase_returns.ship_return(
            self.session,
            return_id=d["return_id"],
            operator_id=self.ctx.user.id,
            location_id=d["location_id"],
            device_id=self.ctx.device_id,
            request_id=self.ctx.request_id,
        )
        shipped_from = d.pop("location")
        d.pop("location_id")
        if doc.status is ReturnStatus.shipped:
            return replace(
                self.screen(S.done),
                message=Message("return_shipped", "success", {"number": doc.number}),
            )
        return replace(
            self.screen(S.scan_location),
            message=Message("return_shipped_from", "success", {"location": shipped_from}),
        )

    def _forget_item(self) -> None:
        for key in ("item_id", "sku", "uom", "expected"):
            self.data.pop(key, None)

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        item = ("item_id", "sku", "uom", "expected")
        return {
            S.scan_location: ("location_id", "location", "confirmed", *item),
            S.scan_item: item,
        }.get(target, ())
