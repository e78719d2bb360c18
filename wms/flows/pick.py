"""Pick a trip: discrete, cluster (one tote per order on the cart) or zone picking.

::

    scan_location ──location (check digits)──► scan_item ──item or GS1──► scan_quantity
         ▲  ▲                                      │ count reaches the asked qty │ keyed qty
         │  └────────── F4 skip: line to the end   ▼                             ▼
         │                                      scan_tote ◄──────────────────────┘
         │  next line                              │ the order's tote (an empty one binds)
         └─────────────────────────────────────────┤
                                                   ▼ last line
    F3 short (any line state) ──► short_reason ──► done
         1 empty / 2 damaged / 3 not found: count task, re-allocate, supervisor told

A wrong location, item, lot, tote, or a quantity above the asked one is
refused with the expected value shown and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.scans import Scan
from wms.model import Item, Location, Lot, Task, TaskStatus, qty_str
from wms.scanning.resolver import ScanKind, resolve
from wms.services import picking
from wms.services import tasks as task_service


class S(StrEnum):
    scan_location = "scan_location"
    scan_item = "scan_item"
    scan_quantity = "scan_quantity"
    scan_tote = "scan_tote"
    short_reason = "short_reason"
    done = "done"


class WrongPickLocation(WmsError):
    code = "wrong_location"
    http_status = 422


class WrongPickItem(WmsError):
    code = "wrong_item"
    http_status = 422


class WrongLot(WmsError):
    code = "wrong_lot"
    http_status = 422


class ExpectedTote(WmsError):
    code = "expected_tote"
    http_status = 422


_LINE = (S.scan_location, S.scan_item, S.scan_quantity, S.scan_tote, S.short_reason, S.done)
REASONS = {"1": "empty", "2": "damaged", "3": "not_found"}


class PickFlow(Flow):
    name = "pick"
    title = "pick.title"
    initial = S.scan_location
    task_types = frozenset({"pick"})
    TRANSITIONS = {
        S.scan_location: frozenset(_LINE),
        S.scan_item: frozenset(_LINE),
        S.scan_quantity: frozenset(_LINE),
        S.scan_tote: frozenset(_LINE),
        S.short_reason: frozenset(_LINE),
        S.done: frozenset(),
    }
    BACK = {
        S.scan_item: S.scan_location,
        S.scan_quantity: S.scan_item,
        S.short_reason: S.scan_location,
    }

    def prepare(self) -> None:
        task = self.ctx.task
        assert task is not None
        members = task_service.group_members(self.session, task)
        self.data["queue"] = [t.id for t in members if t.assignee_id == self.ctx.user.id]
        self.data["total"] = len(self.data["queue"])
        self._load()

    # -- the current line -----------------------------------------------------------------
    def _current(self) -> Task:
        task = task_service.get_task(self.session, self.data["queue"][0])
        return task

    def _load(self) -> None:
        """Describe the head of the queue in ``data`` and start it."""
        d = self.data
        task = self._current()
        if task.status is TaskStatus.assigned:
            task_service.start(
                self.session,
                task_id=task.id,
                user_id=self.ctx.user.id,
                device_id=self.ctx.device_id,
                lease_seconds=self.ctx.lease_seconds,
            )
        self.ctx.task = task
        loc = self.session.get(Location, task.from_location_id)
        item = self.session.get(Item, task.item_id)
        lot = self.session.get(Lot, task.lot_id) if task.lot_id else None
        assert loc is not None and item is not None and task.qty is not None
        d.update(
            task_id=task.id,
            location=loc.code,
            check=loc.check_digits,
            sku=item.sku,
            item_id=item.id,
            lot=lot.lot_no if lot else None,
            lot_id=task.lot_id,
            qty=qty_str(task.qty - task.done_qty),
            uom=item.base_uom,
            counted="0",
            order=task.document_ref,
            tote=picking.expected_tote(self.session, task),
        )

    def _next_line(self, message: Message) -> Screen:
        d = self.data
        d["queue"] = [
            tid
            for tid in d["queue"]
            if task_service.get_task(self.session, tid).status
            in (TaskStatus.assigned, TaskStatus.in_progress)
        ]
        if not d["queue"]:
            return replace(self.screen(S.done), message=message)
        self._load()
        return replace(self.screen(S.scan_location), message=message)

    # -- screens --------------------------------------------------------------------------
    def screen(self, state: str) -> Screen:
        d = self.data
        if state == S.done:
            return Screen(S.done, "pick.done", {"n": d["total"]}, None, done=True)
        prompts = {
            S.scan_location: ("pick.scan_location", "location"),
            S.scan_item: ("pick.scan_item.lot" if d.get("lot") else "pick.scan_item", "item"),
            S.scan_quantity: ("pick.scan_quantity", "quantity"),
            S.scan_tote: ("pick.scan_tote" if d.get("tote") else "pick.scan_new_tote", "container"),
            S.short_reason: ("pick.short_reason", "reason"),
        }
        prompt, expect = prompts[S(state)]
        actions = {
            S.scan_location: ("short", "skip"),
            S.scan_item: ("back", "short", "skip"),
            S.scan_quantity: ("back", "short"),
            S.scan_tote: (),
            S.short_reason: ("back",),
        }[S(state)]
        done = d["total"] - len(d["queue"]) + 1
        return Screen(
            state,
            prompt,
            {k: d.get(k) for k in ("location", "sku", "lot", "qty", "tote", "order")},
            expect,
            self._fields(),
            progress=f"{done}/{d['total']}",
            actions=actions,
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out = [("field.from", d["location"]), ("field.item", d["sku"])]
        if d.get("lot"):
            out.append(("field.lot", d["lot"]))
        out += [("field.quantity", f"{d['counted']}/{d['qty']}"), ("field.order", d["order"])]
        if d.get("tote"):
            out.append(("field.tote", d["tote"]))
        return tuple(out)

    # -- handlers -------------------------------------------------------------------------
    def on_scan_location(self, scan: Scan) -> Screen:
        d = self.data
        at_code = scan.location is not None and scan.location.code == d["location"]
        if not (at_code or scan.raw == d["check"]):
            raise WrongPickLocation(expected=d["location"], scanned=scan.raw)
        self.ctx.here_location_id = scan.location.id if scan.location else None
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        self._check_item(scan)
        return self._count(Decimal(1))

    def on_scan_quantity(self, scan: Scan) -> Screen:
        d = self.data
        number = scan.number()
        if scan.item is not None or number is None or len(scan.raw.strip()) > 6:
            self._check_item(scan)
            return self._count(Decimal(1))
        d["counted"] = "0"
        return self._count(number)

    def _check_item(self, scan: Scan) -> None:
        d = self.data
        found = resolve(self.session, scan.raw, warehouse_id=self.ctx.warehouse_id)
        if found.kind is ScanKind.gs1:
            gs1_lot = getattr(found, "gs1", None)
            lot_text = getattr(gs1_lot, "lot", None) if gs1_lot is not None else None
            if found.item_id != d["item_id"]:  # type: ignore[union-attr]
                raise WrongPickItem(expected=d["sku"], scanned=found.sku)  # type: ignore[union-attr]
            if d.get("lot") and lot_text != d["lot"]:
                raise WrongLot(expected=d["lot"], scanned=lot_text or "-")
            return
        if scan.item is None:
            raise WrongPickItem(expected=d["sku"], scanned=scan.raw)
        if scan.item.id != d["item_id"]:
            raise WrongPickItem(expected=d["sku"], scanned=scan.item.sku)
        if d.get("lot"):
            raise WrongLot(expected=d["lot"], scanned="-")

    def _count(self, more: Decimal) -> Screen:
        d = self.data
        counted = Decimal(d["counted"]) + more
        if counted > Decimal(d["qty"]):
            raise picking.PickQtyTooLarge(expected=d["qty"], scanned=qty_str(counted))
        d["counted"] = qty_str(counted)
        return self.screen(S.scan_tote if counted == Decimal(d["qty"]) else S.scan_quantity)

    def on_scan_tote(self, scan: Scan) -> Screen:
        d = self.data
        if scan.kind in ("location", "item"):
            raise ExpectedTote(expected=d.get("tote") or "-", scanned=scan.raw)
        task = self._current()
        tote = picking.bind_tote(self.session, task, scan.raw.strip())
        picking.confirm_pick(
            self.session,
            task=task,
            qty=Decimal(d["counted"]),
            tote=tote,
            user_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
            request_id=self.ctx.request_id,
        )
        return self._next_line(
            Message("picked", "success", {"qty": d["counted"], "sku": d["sku"], "tote": tote.code})
        )

    def on_short_reason(self, scan: Scan) -> Screen:
        reason = REASONS.get(scan.raw.strip(), scan.raw.strip())
        task = self._current()
        picking.short_pick(
            self.session,
            task=task,
            reason=reason,
            user_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
        )
        extra = self._added_tasks()
        self.data["queue"] += extra
        self.data["total"] += len(extra)
        d = self.data
        return self._next_line(
            Message("pick.shorted", "warning", {"sku": d["sku"], "location": d["location"]})
        )

    def _added_tasks(self) -> list[int]:
        task = self.session.get(Task, self.data["task_id"])
        assert task is not None
        rows = self.session.scalars(
            select(Task.id)
            .where(
                Task.group_id == task.group_id,
                Task.assignee_id == self.ctx.user.id,
                Task.status == TaskStatus.assigned,
                Task.id.not_in(self.data["queue"]),
            )
            .order_by(Task.route_seq)
        ).all()
        return list(rows)

    # -- buttons --------------------------------------------------------------------------
    def act_short(self) -> Screen:
        return self.screen(S.short_reason)

    def act_skip(self) -> Screen:
        d = self.data
        skipped = d["sku"]
        if len(d["queue"]) > 1:
            task = self._current()
            task.route_seq = picking.end_of_trip(self.session, task)
            d["queue"] = [*d["queue"][1:], d["queue"][0]]
        self._load()
        return replace(
            self.screen(S.scan_location), message=Message("pick.skipped", "info", {"sku": skipped})
        )
