"""Pack check (复核) at a pack station: scan, weigh, close, label.

::

    scan_order ──tote or order──► scan_item ──item: one more / keyed: count of the last item
                                     │  ▲            (everything picked is in: weigh)
                     F5 close ───────┤  └── F1 back
                                     ▼
                                   weigh ──scale (F5 read) or keyed grams──► within tolerance?
                                     │                                         │ yes: label queued
                                     ▼ order complete                          ▼ items left
                                   done ◄───────── F5 finish ──────────── next_package
                                                                             │ item: new package
                                                                             ▼
                                                                          scan_item

A workstation label (``WS:<code>``) scanned on the first screen binds this
terminal to that pack station: its printer gets the labels, its scale weighs.
A unit that is not on the order, or beyond what was picked, is refused and
changes nothing. The weight comes from the station's scale when the edge
passes a reader (``StepContext.weigh``); without a scale the operator keys it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.scans import Scan
from wms.model import Package, SalesOrder, qty_str
from wms.services import pack_check, printing


class S(StrEnum):
    scan_order = "scan_order"
    scan_item = "scan_item"
    weigh = "weigh"
    next_package = "next_package"
    done = "done"


class CountBelowPacked(WmsError):
    code = "pack_count_below_packed"
    http_status = 422


class UseTheScale(WmsError):
    code = "pack_use_the_scale"
    http_status = 422


class ExpectedWeight(WmsError):
    code = "pack_expected_weight"
    http_status = 422


class ExpectedPackItem(WmsError):
    code = "pack_expected_item"
    http_status = 422


class PackCheckFlow(Flow):
    name = "pack_check"
    title = "pack.title"
    weighs = True
    initial = S.scan_order
    TRANSITIONS = {
        S.scan_order: frozenset({S.scan_order, S.scan_item, S.weigh}),
        S.scan_item: frozenset({S.scan_item, S.weigh}),
        S.weigh: frozenset({S.scan_item, S.next_package, S.done}),
        S.next_package: frozenset({S.scan_item, S.weigh, S.done}),
        S.done: frozenset(),
    }
    BACK = {S.weigh: S.scan_item}

    # -- state in data --------------------------------------------------------------------
    def _order(self) -> SalesOrder:
        order = self.session.get(SalesOrder, self.data["order_id"])
        assert order is not None
        return order

    def _package(self) -> Package:
        package = self.session.get(Package, self.data["package_id"])
        assert package is not None
        return package

    def _refresh(self) -> None:
        """Counts for the screen: units packed of units picked, this package's content."""
        order, d = self._order(), self.data
        d["packed"] = qty_str(sum((ln.packed_qty for ln in order.lines), Decimal(0)))
        d["picked"] = qty_str(sum((ln.picked_qty for ln in order.lines), Decimal(0)))
        if d.get("package_id"):
            package = self._package()
            d["in_package"] = qty_str(
                sum((Decimal(q) for q in package.contents.values()), Decimal(0))
            )
            d["expected"] = pack_check.expected_weight_g(self.session, package)

    def _open(self) -> None:
        order, d = self._order(), self.data
        package = self.session.scalar(
            select(Package)
            .where(Package.order_id == order.id, Package.status == "open")
            .order_by(Package.id)
        )
        if package is None:
            station = printing.station_of(self.session, self.ctx.device_id)
            package = pack_check.open_package(
                self.session, order, station=station, user_id=self.ctx.user.id
            )
        d["package_id"], d["package"] = package.id, package.code

    # -- screens --------------------------------------------------------------------------
    def screen(self, state: str) -> Screen:
        d = self.data
        if state == S.scan_order:
            return Screen(S.scan_order, "pack.scan_order", {}, "container")
        if state == S.done:
            return Screen(
                S.done, "pack.done", {"order": d["order"]}, None, self._fields(), done=True
            )
        if state == S.weigh:
            scale = self.ctx.weigh is not None
            return Screen(
                S.weigh,
                "pack.weigh" if scale else "pack.weigh.key",
                {"expected": d["expected"]},
                None if scale else "quantity",
                self._fields(),
                actions=("back", "weigh") if scale else ("back",),
            )
        if state == S.next_package:
            return Screen(
                S.next_package,
                "pack.next_package",
                {"order": d["order"]},
                "item",
                self._fields(),
                actions=("finish_order",),
            )
        return Screen(
            S.scan_item,
            "pack.scan_item",
            {k: d[k] for k in ("order", "packed", "picked")},
            "item",
            self._fields(),
            actions=("close",),
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out = [("field.order", d["order"]), ("field.packed", f"{d['packed']}/{d['picked']}")]
        if d.get("package"):
            out += [("field.package", d["package"]), ("field.in_package", d["in_package"])]
        if d.get("last_sku"):
            out.append(("field.item", d["last_sku"]))
        return tuple(out)

    # -- handlers -------------------------------------------------------------------------
    def on_scan_order(self, scan: Scan) -> Screen:
        if scan.raw.startswith("WS:") and self.ctx.device_id:
            # The station's label: its printer and scale serve this terminal from now on.
            station = printing.use_workstation(
                self.session,
                terminal=self.ctx.device_id,
                scanned=scan.raw,
                user_id=self.ctx.user.id,
            )
            return replace(
                self.screen(S.scan_order),
                message=Message("pack.station_bound", "success", {"station": station.code}),
            )
        order = pack_check.order_for_scan(self.session, scan.raw)
        self.data.update(order_id=order.id, order=order.external_id)
        self._open()
        self._refresh()
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        d = self.data
        if scan.item is not None:
            return self._add(scan.item.id, scan.item.sku, Decimal(1))
        number = scan.number()
        if number is None or not d.get("last_item_id"):
            raise ExpectedPackItem(scanned=scan.raw)
        have = self._in_package(d["last_item_id"])
        if number <= have:
            raise CountBelowPacked(sku=d["last_sku"], packed=qty_str(have), scanned=qty_str(number))
        return self._add(d["last_item_id"], d["last_sku"], number - have)

    def _in_package(self, item_id: int) -> Decimal:
        lines = {str(ln.id) for ln in self._order().lines if ln.item_id == item_id}
        return sum(
            (Decimal(q) for k, q in self._package().contents.items() if k in lines), Decimal(0)
        )

    def _add(self, item_id: int, sku: str, qty: Decimal) -> Screen:
        pack_check.add_item(
            self.session,
            self._package(),
            item_id=item_id,
            qty=qty,
            user_id=self.ctx.user.id,
            request_id=self.ctx.request_id,
        )
        self.data.update(last_item_id=item_id, last_sku=sku)
        self._refresh()
        if Decimal(self.data["packed"]) == Decimal(self.data["picked"]):
            return self.screen(S.weigh)
        return self.screen(S.scan_item)

    def on_weigh(self, scan: Scan) -> Screen:
        if self.ctx.weigh is not None:
            raise UseTheScale()
        grams = scan.number()
        if grams is None or grams <= 0 or grams != grams.to_integral_value():
            raise ExpectedWeight(scanned=scan.raw)
        return self._close(int(grams))

    def on_next_package(self, scan: Scan) -> Screen:
        if scan.item is None:
            raise ExpectedPackItem(scanned=scan.raw)
        self._open()
        return self._add(scan.item.id, scan.item.sku, Decimal(1))

    def _close(self, grams: int) -> Screen:
        package, d = self._package(), self.data
        pack_check.close_package(self.session, package, weight_g=grams, user_id=self.ctx.user.id)
        message = Message(
            "pack.package_closed", "success", {"package": package.code, "weight": grams}
        )
        d.update(package_id=None, package=None, in_package=None, last_item_id=None, last_sku=None)
        self._refresh()
        if Decimal(d["packed"]) == Decimal(d["picked"]):
            pack_check.finish_order(self.session, self._order())
            return replace(self.screen(S.done), message=message)
        return replace(self.screen(S.next_package), message=message)

    # -- buttons --------------------------------------------------------------------------
    def act_close(self) -> Screen:
        if not self._package().contents:
            raise pack_check.EmptyPackage(package=self.data["package"])
        return self.screen(S.weigh)

    def act_weigh(self) -> Screen:
        assert self.ctx.weigh is not None, "the action is shown only with a scale"
        return self._close(self.ctx.weigh())

    def act_finish_order(self) -> Screen:
        pack_check.finish_order(self.session, self._order())
        return self.screen(S.done)
