"""Count a location blind: scan it, then everything in it, then finish or confirm it empty.

::

    scan_location ──location──► scan_item ──item──► scan_quantity ──quantity keyed,──┐
                                 ▲  │  │ container       │  ▲  item again: +1      │ or F2 confirm
                                 │  │  └─► (counted in it│  └──┘                   │
                                 │  │      from now on)  └─ lot tracked ─► scan_lot ┤
                                 │  │                                              │
                                 └──┼──────────────────────────────────────────────┘
                                    ├─ F5 finish (something counted) ──► done
                                    └─ F6 location empty (nothing counted) ──► done

The counter never sees the expected quantity (blind count, the default).
The count's reference is taken when the location is scanned; see
``wms.services.counting`` for how moves during the count are reconciled.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from wms.errors import InvalidQuantity, LocationNotAllowed, WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.scans import ExpectedItem, Scan, location_of
from wms.messages import unit
from wms.model import Count, CountTrigger, Location, Lot, TaskStatus, Tracking, exact, qty_str
from wms.services import counting
from wms.services import tasks as task_service


class S(StrEnum):
    scan_location = "scan_location"
    scan_item = "scan_item"
    scan_lot = "scan_lot"
    scan_quantity = "scan_quantity"
    done = "done"


class WrongCountLocation(WmsError):
    code = "wrong_location"
    http_status = 422


class WrongCountItem(WmsError):
    code = "wrong_item"
    http_status = 422


class ExpectedCountQuantity(WmsError):
    code = "expected_quantity"
    http_status = 422


class UnknownLotNumber(WmsError):
    code = "unknown_lot_number"
    http_status = 422


class CountFlow(Flow):
    name = "count"
    title = "count.title"
    initial = S.scan_location
    task_types = frozenset({"count"})
    TRANSITIONS = {
        S.scan_location: frozenset({S.scan_item}),
        S.scan_item: frozenset({S.scan_item, S.scan_lot, S.scan_quantity, S.done}),
        S.scan_lot: frozenset({S.scan_item, S.scan_quantity}),
        S.scan_quantity: frozenset({S.scan_item, S.scan_quantity}),
        S.done: frozenset(),
    }
    BACK = {S.scan_lot: S.scan_item, S.scan_quantity: S.scan_item}

    def prepare(self) -> None:
        task = self.ctx.task
        if task is not None:
            count = counting.count_for_task(self.session, task)
            loc = self.session.get(Location, count.location_id)
            self.data.update(count_id=count.id, expect_location=loc.code if loc else None)
        self.data.setdefault("lines", 0)

    # -- screens ---------------------------------------------------------------------------
    def screen(self, state: str) -> Screen:
        return getattr(self, f"_screen_{state}")()

    def _screen_scan_location(self) -> Screen:
        expected = self.data.get("expect_location")
        prompt = "count.scan_location.expected" if expected else "count.scan_location"
        return Screen(S.scan_location, prompt, {"location": expected}, "location")

    def _screen_scan_item(self) -> Screen:
        actions = ("finish",) if self.data["lines"] else ("empty",)
        return Screen(
            S.scan_item,
            "count.scan_item",
            {},
            "item",
            self._fields(),
            progress=self._progress(),
            actions=actions,
        )

    def _screen_scan_lot(self) -> Screen:
        return Screen(
            S.scan_lot,
            "count.scan_lot",
            {"sku": self.data["sku"]},
            "lot",
            self._fields(),
            actions=("back",),
        )

    def _screen_scan_quantity(self) -> Screen:
        d = self.data
        counted = f"{d['counted']} {unit(d['uom'], self.ctx.locale)}"
        fields = (*self._fields(), ("field.counted", counted))
        return Screen(
            S.scan_quantity,
            "count.scan_quantity",
            {"sku": d["sku"]},
            "quantity",
            fields,
            progress=self._progress(),
            actions=("back", "confirm"),
        )

    def _screen_done(self) -> Screen:
        return Screen(
            S.done,
            "count.done",
            {"location": self.data["location"]},
            None,
            self._fields(),
            progress=self._progress(),
            done=True,
            next=self.data.get("next"),
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out = [("field.location", d["location"])] if d.get("location") else []
        if d.get("container"):
            out.append(("field.container", d["container"]))
        if d.get("sku"):
            out.append(("field.item", f"{d['sku']} {d['item_name']}"))
        if d.get("lot"):
            out.append(("field.lot", d["lot"]))
        return tuple(out)

    def _progress(self) -> str:
        return f"{self.data['lines']}"

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return ("sku", "item_id", "item_name", "lot", "lot_id", "uom", "factor", "counted")

    # -- handlers --------------------------------------------------------------------------
    def on_scan_location(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        expected = self.data.get("expect_location")
        if expected and loc.code != expected:
            raise WrongCountLocation(expected=expected, scanned=loc.code)
        if loc.is_virtual:
            raise LocationNotAllowed(location=loc.code)
        count = self._count_at(loc.id)
        counting.start_count(self.session, count, user_id=self.ctx.user.id)
        self.data.update(location=loc.code, count_id=count.id)
        self.ctx.here_location_id = loc.id
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        d = self.data
        if scan.container is not None:
            d.update(container=scan.container.code, container_id=scan.container.id)
            return self.screen(S.scan_item)
        if scan.item is None:
            raise ExpectedItem(scanned=scan.raw)
        item = scan.item
        uom = scan.uom or item.base_uom
        d.update(
            sku=item.sku,
            item_id=item.id,
            item_name=item.name,
            uom=uom,
            factor=qty_str(item.factor(uom)),
            counted="1",
            lot=None,
            lot_id=None,
        )
        if item.tracking is Tracking.lot:
            return self.screen(S.scan_lot)
        return self.screen(S.scan_quantity)

    def on_scan_lot(self, scan: Scan) -> Screen:
        lot = self.session.scalars(
            select(Lot).where(Lot.item_id == self.data["item_id"], Lot.lot_no == scan.raw)
        ).first()
        if lot is None:
            raise UnknownLotNumber(sku=self.data["sku"], scanned=scan.raw)
        self.data.update(lot=lot.lot_no, lot_id=lot.id)
        return self.screen(S.scan_quantity)

    def on_scan_quantity(self, scan: Scan) -> Screen:
        d = self.data
        if scan.item is not None:
            if scan.item.id != d["item_id"] or (scan.uom or scan.item.base_uom) != d["uom"]:
                raise WrongCountItem(expected=d["sku"], scanned=scan.raw)
            d["counted"] = qty_str(Decimal(d["counted"]) + 1)
            return self.screen(S.scan_quantity)
        number = scan.number() if scan.kind == "unknown" else None
        if number is None:
            raise ExpectedCountQuantity(sku=d["sku"], scanned=scan.raw)
        return self._record(number)

    def act_confirm(self) -> Screen:
        return self._record(Decimal(self.data["counted"]))

    def act_finish(self) -> Screen:
        return self._finish(empty=False)

    def act_empty(self) -> Screen:
        return self._finish(empty=True)

    # -- rules -----------------------------------------------------------------------------
    def _count_at(self, location_id: int) -> Count:
        if self.data.get("count_id"):
            count = self.session.get(Count, self.data["count_id"])
            assert count is not None
            return count
        return counting.request_count(
            self.session,
            location_id=location_id,
            trigger=CountTrigger.request,
            requested_by=self.ctx.user.id,
        )

    def _record(self, qty: Decimal) -> Screen:
        d = self.data
        qty = exact(qty)
        if qty < 0:
            raise InvalidQuantity("a counted quantity cannot be negative")
        count = self.session.get(Count, d["count_id"])
        assert count is not None
        key = (d["item_id"], d.get("lot_id"), None, d.get("container_id"))
        counting.record_line(
            self.session, count, key=key, qty=qty * Decimal(d["factor"]), user_id=self.ctx.user.id
        )
        d["lines"] += 1
        message = Message(
            "counted", "success", {"qty": qty_str(qty), "uom": d["uom"], "sku": d["sku"]}
        )
        for k in self.forget_on_back(S.scan_item):
            d.pop(k, None)
        return replace(self.screen(S.scan_item), message=message)

    def _finish(self, *, empty: bool) -> Screen:
        d, ctx = self.data, self.ctx
        count = self.session.get(Count, d["count_id"])
        assert count is not None
        counting.finish_count(self.session, count, user_id=ctx.user.id, location_empty=empty)
        task = ctx.task
        if task is not None and task.status is TaskStatus.in_progress:
            task_service.complete(
                self.session, task_id=task.id, user_id=ctx.user.id, device_id=ctx.device_id
            )
        for k in ("container", "container_id"):
            d.pop(k, None)
        return replace(
            self.screen(S.done),
            message=Message(
                "count_location_empty" if empty else "count_finished",
                "success",
                {"location": d["location"]},
            ),
        )
