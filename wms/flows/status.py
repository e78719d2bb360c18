"""Change stock status by scan: quarantine, hold, damaged, or back to available, with a reason.

::

    scan_location ──location──► scan_item ──item──► scan_quantity ──qty / F2──► choose_status
                                                                                  │ F5..F8
                                          done ◄──reason keyed or scanned── scan_reason

F1 back on every state after the first. The source status is the one the
stock has now: available when putting stock on hold, quarantine or damage;
the held status (the one with enough stock) when releasing it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from wms.errors import InvalidQuantity, LocationNotAllowed
from wms.flows.base import Flow, Message, Screen
from wms.flows.move import ExpectedQuantity, ItemNotHere, QtyTooLarge, WrongItem
from wms.flows.scans import ExpectedItem, Scan, location_of
from wms.messages import unit
from wms.model import StockStatus, exact, qty_str
from wms.services import status as status_service

TARGETS = ("quarantine", "hold", "damaged", "available")


class S(StrEnum):
    scan_location = "scan_location"
    scan_item = "scan_item"
    scan_quantity = "scan_quantity"
    choose_status = "choose_status"
    scan_reason = "scan_reason"
    done = "done"


class StatusFlow(Flow):
    name = "status"
    title = "status.title"
    initial = S.scan_location
    TRANSITIONS = {
        S.scan_location: frozenset({S.scan_item}),
        S.scan_item: frozenset({S.scan_location, S.scan_quantity}),
        S.scan_quantity: frozenset({S.scan_item, S.scan_quantity, S.choose_status}),
        S.choose_status: frozenset({S.scan_quantity, S.scan_reason}),
        S.scan_reason: frozenset({S.choose_status, S.done}),
        S.done: frozenset(),
    }
    BACK = {
        S.scan_item: S.scan_location,
        S.scan_quantity: S.scan_item,
        S.choose_status: S.scan_quantity,
        S.scan_reason: S.choose_status,
    }

    def screen(self, state: str) -> Screen:
        d, f = self.data, self._fields()
        match state:
            case S.scan_location:
                return Screen(S.scan_location, "status.scan_location", {}, "location")
            case S.scan_item:
                return Screen(S.scan_item, "move.scan_item", {}, "item", f, actions=("back",))
            case S.scan_quantity:
                return Screen(
                    S.scan_quantity,
                    "move.scan_quantity",
                    {},
                    "quantity",
                    (*f, ("field.counted", self._qty(d["counted"]))),
                    actions=("back", "confirm"),
                )
            case S.choose_status:
                return Screen(
                    S.choose_status, "status.choose", {}, None, f, actions=("back", *TARGETS)
                )
            case S.scan_reason:
                return Screen(
                    S.scan_reason,
                    "status.scan_reason",
                    {"status": d["to_status"]},
                    "reason",
                    f,
                    actions=("back",),
                )
        return Screen(S.done, "status.done", {}, None, f, done=True)

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out = [("field.location", d["location"])] if d.get("location") else []
        if d.get("sku"):
            out.append(("field.item", f"{d['sku']} {d['item_name']}"))
        if d.get("qty"):
            out.append(("field.quantity", self._qty(d["qty"])))
        if d.get("to_status"):
            out.append(("field.status", f"{d['from_status']} → {d['to_status']}"))
        return tuple(out)

    def _qty(self, qty: str) -> str:
        return f"{qty} {unit(self.data['uom'], self.ctx.locale)}"

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return {
            S.scan_location: ("location", "location_id"),
            S.scan_item: ("sku", "item_id", "qty"),
            S.scan_quantity: ("qty",),
            S.choose_status: ("to_status", "from_status"),
        }.get(target, ())

    def on_scan_location(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        if loc.is_virtual:
            raise LocationNotAllowed(location=loc.code)
        self.data.update(location=loc.code, location_id=loc.id)
        self.ctx.here_location_id = loc.id
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        if scan.item is None:
            raise ExpectedItem(scanned=scan.raw)
        item, d = scan.item, self.data
        held = status_service.held_statuses(
            self.session, location_id=d["location_id"], item_id=item.id
        )
        if not held:
            raise ItemNotHere(sku=item.sku, location=d["location"])
        d.update(
            sku=item.sku,
            item_id=item.id,
            item_name=item.name,
            counted="1",
            uom=scan.uom or item.base_uom,
            factor=qty_str(item.factor(scan.uom or item.base_uom)),
            held={k.value: qty_str(v) for k, v in held.items()},
        )
        return self.screen(S.scan_quantity)

    def on_scan_quantity(self, scan: Scan) -> Screen:
        d = self.data
        if scan.item is not None:
            if scan.item.id != d["item_id"]:
                raise WrongItem(expected=d["sku"], scanned=scan.raw)
            d["counted"] = qty_str(Decimal(d["counted"]) + 1)
            return self.screen(S.scan_quantity)
        number = scan.number() if scan.kind == "unknown" else None
        if number is None:
            raise ExpectedQuantity(sku=d["sku"], scanned=scan.raw)
        return self._set_qty(number)

    def act_confirm(self) -> Screen:
        return self._set_qty(Decimal(self.data["counted"]))

    def _set_qty(self, qty: Decimal) -> Screen:
        qty = exact(qty)
        if qty <= 0:
            raise InvalidQuantity("quantity must be greater than zero")
        self.data["qty"] = qty_str(qty)
        return self.screen(S.choose_status)

    def _choose(self, target: str) -> Screen:
        d = self.data
        need = Decimal(d["qty"]) * Decimal(d["factor"])
        sources = (
            [StockStatus.available]
            if target != "available"
            else [s for s in StockStatus if s is not StockStatus.available]
        )
        for source in sources:
            if Decimal(d["held"].get(source.value, "0")) >= need:
                d.update(from_status=source.value, to_status=target)
                return self.screen(S.scan_reason)
        most = max((Decimal(d["held"].get(s.value, "0")) for s in sources), default=Decimal(0))
        raise QtyTooLarge(available=qty_str(most), uom=d["uom"], location=d["location"])

    def act_quarantine(self) -> Screen:
        return self._choose("quarantine")

    def act_hold(self) -> Screen:
        return self._choose("hold")

    def act_damaged(self) -> Screen:
        return self._choose("damaged")

    def act_available(self) -> Screen:
        return self._choose("available")

    def on_scan_reason(self, scan: Scan) -> Screen:
        d, ctx = self.data, self.ctx
        status_service.change_status(
            self.session,
            location_id=d["location_id"],
            item_id=d["item_id"],
            qty=Decimal(d["qty"]) * Decimal(d["factor"]),
            from_status=StockStatus(d["from_status"]),
            to_status=StockStatus(d["to_status"]),
            reason=scan.raw,
            operator_id=ctx.user.id,
            device_id=ctx.device_id,
            request_id=ctx.request_id,
        )
        return replace(
            self.screen(S.done),
            message=Message(
                "status_changed",
                "success",
                {"qty": d["qty"], "uom": d["uom"], "sku": d["sku"], "status": d["to_status"]},
            ),
        )
