"""Receive a sales return (RMA) by scan against the order it shipped on.

::

    scan_order ──shipped order──► scan_item ──item shipped on it──► scan_quantity
                                    ▲   │ F5 finish                 │ item again: one more
                                    │   ▼                           │ keyed qty / F2 confirm
                                    │  done (webhook)               ▼
                                    │                           disposition
                                    │                    1 restock / 2 quarantine / 3 scrap
                                    │ received                      ▼
                                    └────────────────────────── scan_location

A lot-tracked item asks for its lot after the item (``scan_lot``: a lot that
shipped on the order), then the quantity. A serial-tracked item asks for each
serial number instead of a quantity (``scan_serial``: each shipped on the order,
not returned before, not scanned twice; F2 confirms the count).

An order that did not ship, an item not shipped on it, more than was shipped
and not yet returned, a lot or serial that did not ship on it is refused and
changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.pack_check import ExpectedPackItem
from wms.flows.scans import Scan, location_of
from wms.messages import translate
from wms.model import Disposition, Tracking, qty_str
from wms.services import returns


class S(StrEnum):
    scan_order = "scan_order"
    scan_item = "scan_item"
    scan_lot = "scan_lot"
    scan_quantity = "scan_quantity"
    scan_serial = "scan_serial"
    disposition = "disposition"
    scan_location = "scan_location"
    done = "done"


class WrongReturnItem(WmsError):
    code = "wrong_item"
    http_status = 422


class NoSerialScanned(WmsError):
    code = "no_serial_scanned"
    http_status = 422


class UnknownDisposition(WmsError):
    code = "unknown_disposition"
    http_status = 422


DISPOSITIONS = {"1": Disposition.restock, "2": Disposition.quarantine, "3": Disposition.scrap}
_PROMPTS = {
    S.scan_order: ("rma.scan_order", "container"),
    S.scan_item: ("rma.scan_item", "item"),
    S.scan_lot: ("rma.scan_lot", "lot"),
    S.scan_quantity: ("rma.scan_quantity", "quantity"),
    S.scan_serial: ("rma.scan_serial", "serial"),
    S.disposition: ("rma.disposition", "reason"),
    S.scan_location: ("rma.scan_location", "location"),
}
_ACTIONS = {
    S.scan_item: ("finish_return",),
    S.scan_lot: ("back",),
    S.scan_quantity: ("back", "confirm"),
    S.scan_serial: ("back", "confirm"),
    S.disposition: ("back",),
    S.scan_location: ("back",),
}

#: What one returned line keeps in the flow's data until it is received.
_LINE_KEYS = ("sku", "item_id", "qty", "left", "lot", "serials", "disposition")


class RmaFlow(Flow):
    name = "rma"
    title = "rma.title"
    initial = S.scan_order
    TRANSITIONS = {
        S.scan_order: frozenset({S.scan_item}),
        S.scan_item: frozenset({S.scan_lot, S.scan_quantity, S.scan_serial, S.done}),
        S.scan_lot: frozenset({S.scan_quantity, S.scan_item}),
        S.scan_quantity: frozenset({S.scan_quantity, S.scan_item, S.disposition}),
        S.scan_serial: frozenset({S.scan_serial, S.scan_item, S.disposition}),
        S.disposition: frozenset({S.scan_location, S.scan_quantity, S.scan_serial}),
        S.scan_location: frozenset({S.scan_item, S.disposition}),
        S.done: frozenset(),
    }
    BACK = {
        S.scan_lot: S.scan_item,
        S.scan_quantity: S.scan_item,
        S.scan_serial: S.scan_item,
        S.disposition: S.scan_quantity,
        S.scan_location: S.disposition,
    }

    def screen(self, state: str) -> Screen:
        d = self.data
        if state == S.done:
            return Screen(
                S.done,
                "rma.done",
                {"rma": d["rma"], "n": d["lines"]},
                None,
                self._fields(),
                done=True,
            )
        prompt, expect = _PROMPTS[S(state)]
        params = {k: d.get(k) for k in ("order", "sku", "qty", "left", "rma", "lot")}
        return Screen(
            state, prompt, params, expect, self._fields(), actions=_ACTIONS.get(S(state), ())
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out = [("field.order", d["order"]), ("field.rma", d["rma"])] if d.get("rma") else []
        if d.get("sku"):
            out.append(("field.item", d["sku"]))
            if d.get("lot"):
                out.append(("field.lot", d["lot"]))
            if d.get("qty") is not None:
                out.append(("field.quantity", f"{d['qty']}/{d['left']}"))
            if d.get("serials"):
                out.append(("field.serials", ", ".join(d["serials"])))
        if d.get("disposition"):
            out.append(("field.disposition", translate(f"rma.{d['disposition']}", self.ctx.locale)))
        return tuple(out)

    def back(self, state: str) -> Screen:
        if state == S.disposition and "serials" in self.data:
            self.data.pop("disposition", None)
            return self.screen(S.scan_serial)
        return super().back(state)

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return {
            S.scan_item: _LINE_KEYS,
            S.scan_quantity: ("disposition",),
            S.disposition: ("disposition",),
        }.get(S(target), ())

    # -- handlers -------------------------------------------------------------------------
    def on_scan_order(self, scan: Scan) -> Screen:
        rma = returns.open_return(
            self.session, scan.raw.strip(), warehouse_id=self.ctx.warehouse_id
        )
        self.data.update(
            rma_id=rma.id, rma=rma.rma_no, order=scan.raw.strip(), lines=len(rma.lines)
        )
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        if scan.item is None:
            raise ExpectedPackItem(scanned=scan.raw)
        rma = returns.get_return(self.session, self.data["rma_id"])
        _line, left = returns.returnable(self.session, rma, scan.item.id)
        self.data.update(item_id=scan.item.id, sku=scan.item.sku, left=qty_str(left))
        if scan.item.tracking is Tracking.lot:
            return self.screen(S.scan_lot)
        if scan.item.tracking is Tracking.serial:
            self.data.update(qty="0", serials=[])
            return self.screen(S.scan_serial)
        self.data["qty"] = "1"
        return self.screen(S.scan_quantity)

    def on_scan_lot(self, scan: Scan) -> Screen:
        d = self.data
        rma = returns.get_return(self.session, d["rma_id"])
        lot, lot_left = returns.lot_returnable(self.session, rma, d["item_id"], scan.raw.strip())
        left = min(Decimal(d["left"]), lot_left)
        if left <= 0:
            raise returns.ReturnExceedsShipped(sku=f"{d['sku']} {lot.lot_no}", left="0")
        d.update(lot=lot.lot_no, qty="1", left=qty_str(left))
        return self.screen(S.scan_quantity)

    def on_scan_serial(self, scan: Scan) -> Screen:
        d = self.data
        serial_no = scan.raw.strip()
        if serial_no in d["serials"]:
            raise returns.SerialScannedTwice(serial=serial_no)
        if len(d["serials"]) >= Decimal(d["left"]):
            raise returns.ReturnExceedsShipped(sku=d["sku"], left=d["left"])
        rma = returns.get_return(self.session, d["rma_id"])
        returns.serial_returnable(self.session, rma, d["item_id"], serial_no)
        d["serials"] = [*d["serials"], serial_no]
        d["qty"] = str(len(d["serials"]))
        return self.screen(S.scan_serial)

    def on_scan_quantity(self, scan: Scan) -> Screen:
        d = self.data
        if scan.item is not None:
            if scan.item.id != d["item_id"]:
                raise WrongReturnItem(expected=d["sku"], scanned=scan.item.sku)
            return self._set_qty(Decimal(d["qty"]) + 1, S.scan_quantity)
        number = scan.number()
        if number is None:
            raise WrongReturnItem(expected=d["sku"], scanned=scan.raw)
        return self._set_qty(number, S.disposition)

    def _set_qty(self, qty: Decimal, then: S) -> Screen:
        d = self.data
        if qty <= 0 or qty > Decimal(d["left"]):
            raise returns.ReturnExceedsShipped(sku=d["sku"], left=d["left"])
        d["qty"] = qty_str(qty)
        return self.screen(then)

    def on_disposition(self, scan: Scan) -> Screen:
        disposition = DISPOSITIONS.get(scan.raw.strip())
        if disposition is None:
            raise UnknownDisposition(scanned=scan.raw)
        self.data["disposition"] = disposition.value
        return self.screen(S.scan_location)

    def on_scan_location(self, scan: Scan) -> Screen:
        d = self.data
        location = location_of(scan)
        rma = returns.get_return(self.session, d["rma_id"])
        returns.receive_line(
            self.session,
            rma,
            item_id=d["item_id"],
            qty=Decimal(d["qty"]),
            disposition=Disposition(d["disposition"]),
            location_id=location.id,
            user_id=self.ctx.user.id,
            request_id=self.ctx.request_id,
            lot_no=d.get("lot"),
            serials=d.get("serials", ()),
        )
        self.ctx.here_location_id = location.id
        message = Message(
            "rma.received", "success", {"qty": d["qty"], "sku": d["sku"], "location": location.code}
        )
        for key in _LINE_KEYS:
            d.pop(key, None)
        d["lines"] += 1
        return replace(self.screen(S.scan_item), message=message)

    # -- buttons --------------------------------------------------------------------------
    def act_confirm(self) -> Screen:
        d = self.data
        if "serials" in d and not d["serials"]:
            raise NoSerialScanned(sku=d["sku"])
        return self.screen(S.disposition)

    def act_finish_return(self) -> Screen:
        returns.close_return(self.session, returns.get_return(self.session, self.data["rma_id"]))
        return self.screen(S.done)
