"""Put a received container (or loose line) away where the strategy says, or elsewhere allowed.

::

    scan_container ──container / item with an open putaway task──► scan_destination
                                                                     │      │ another location
                                       the suggested location        │      ▼ the rules allow
                                                                     │  confirm_destination
                                                                     ▼      │ scanned again
                                                                    done ◄──┘

    F1 back: confirm_destination → scan_destination

Started from a task, the container is known and must match. The screen
shows the suggested location and why ("Same item already in A-03-12-2").
A blocked or full location is refused and nothing changes.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from sqlalchemy import select

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.scans import Scan, location_of
from wms.messages import translate, unit
from wms.model import (
    OWNED,
    Container,
    Item,
    Location,
    Task,
    TaskStatus,
    TaskType,
    qty_str,
)
from wms.services import claims, putaway
from wms.services import tasks as task_service


class S(StrEnum):
    scan_container = "scan_container"
    scan_destination = "scan_destination"
    confirm_destination = "confirm_destination"
    done = "done"


class NoPutawayTask(WmsError):
    code = "no_putaway_task"
    http_status = 422


class WrongContainer(WmsError):
    code = "wrong_item"
    http_status = 422


class PutawayFlow(Flow):
    name = "putaway"
    title = "putaway.title"
    initial = S.scan_container
    task_types = frozenset({"putaway"})
    TRANSITIONS = {
        S.scan_container: frozenset({S.scan_destination}),
        S.scan_destination: frozenset({S.confirm_destination, S.done}),
        S.confirm_destination: frozenset({S.scan_destination, S.confirm_destination, S.done}),
        S.done: frozenset(),
    }
    BACK = {S.confirm_destination: S.scan_destination}

    def prepare(self) -> None:
        if self.ctx.task is not None:
            self._describe(self.ctx.task)
            self.data["from_task"] = True

    def screen(self, state: str) -> Screen:
        d = self.data
        if state == S.scan_container:
            return Screen(
                S.scan_container, "putaway.scan_container", {}, "container", self._fields()
            )
        if state == S.scan_destination:
            return Screen(
                S.scan_destination,
                "putaway.scan_destination",
                {"location": d.get("suggested")},
                "location",
                self._fields(),
            )
        if state == S.confirm_destination:
            return Screen(
                S.confirm_destination,
                "putaway.confirm_destination",
                {"location": d["pending"]},
                "location",
                self._fields(),
                actions=("back",),
            )
        return Screen(
            S.done,
            "putaway.done",
            {},
            None,
            (*self._fields(), ("field.to", d["destination"])),
            done=True,
            next=d.get("next"),
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d, out = self.data, []
        if d.get("container"):
            out.append(("field.container", d["container"]))
        if d.get("sku"):
            out.append(("field.item", d["sku"]))
            out.append(("field.quantity", f"{d['qty']} {unit(d['uom'], self.ctx.locale)}"))
        if d.get("suggested"):
            out.append(("field.suggested", d["suggested"]))
            out.append(("field.why", translate(d["reason"], self.ctx.locale, **d["params"])))
        return tuple(out)

    def _describe(self, task: Task) -> None:
        item = self.session.get(Item, task.item_id) if task.item_id else None
        box = self.session.get(Container, task.container_id) if task.container_id else None
        dest = self.session.get(Location, task.to_location_id) if task.to_location_id else None
        why = putaway.reason_of(self.session, task.id)
        self.data.update(
            task_id=task.id,
            container=box.code if box else None,
            sku=item.sku if item else None,
            qty=qty_str(task.qty or 0),
            uom=task.uom or "",
            suggested=dest.code if dest else None,
            reason=why.reason if why else "",
            params=dict(why.params) if why else {},
        )

    # -- handlers -------------------------------------------------------------------------
    def on_scan_container(self, scan: Scan) -> Screen:
        d = self.data
        if d.get("from_task"):
            if scan.raw.strip() not in (d.get("container"), d.get("sku")) and not (
                scan.item is not None and scan.item.sku == d.get("sku")
            ):
                raise WrongContainer(expected=d.get("container") or d.get("sku"), scanned=scan.raw)
            return self.screen(S.scan_destination)
        task = self._find_task(scan)
        if task.status not in OWNED:
            task_service.assign(
                self.session,
                task_id=task.id,
                user_id=self.ctx.user.id,
                actor_id=self.ctx.user.id,
                lease_seconds=self.ctx.lease_seconds,
                device_id=self.ctx.device_id,
            )
        task_service.start(
            self.session,
            task_id=task.id,
            user_id=self.ctx.user.id,
            device_id=self.ctx.device_id,
            lease_seconds=self.ctx.lease_seconds,
        )
        self._describe(task)
        return self.screen(S.scan_destination)

    def _find_task(self, scan: Scan) -> Task:
        stmt = select(Task).where(
            Task.warehouse_id == self.ctx.warehouse_id,
            Task.type == TaskType.putaway,
            Task.to_location_id.is_not(None),
            Task.status.in_((TaskStatus.released, *OWNED)),
        )
        if scan.container is not None:
            stmt = stmt.where(Task.container_id == scan.container.id)
        elif scan.item is not None:
            stmt = stmt.where(Task.item_id == scan.item.id, Task.container_id.is_(None))
        else:
            raise NoPutawayTask(scanned=scan.raw)
        mine_or_free = (Task.assignee_id.is_(None)) | (Task.assignee_id == self.ctx.user.id)
        task = self.session.scalars(stmt.where(mine_or_free).order_by(Task.id).limit(1)).first()
        if task is None:
            raise NoPutawayTask(scanned=scan.raw)
        return task

    def on_scan_destination(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        task = task_service.get_task(self.session, self.data["task_id"])
        putaway.check_destination(self.session, task, loc)
        self.ctx.here_location_id = loc.id
        if loc.code == self.data.get("suggested"):
            return self._finish(task, loc)
        self.data["pending"] = loc.code
        return replace(
            self.screen(S.confirm_destination),
            message=Message(
                "unexpected_destination",
                "warning",
                {"location": loc.code, "expected": self.data.get("suggested")},
            ),
        )

    def on_confirm_destination(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        if loc.code != self.data["pending"]:
            return self.on_scan_destination(scan)
        task = task_service.get_task(self.session, self.data["task_id"])
        return self._finish(task, loc)

    def _finish(self, task: Task, loc: Location) -> Screen:
        ctx = self.ctx
        putaway.confirm_putaway(
            self.session,
            task_id=task.id,
            user_id=ctx.user.id,
            location_id=loc.id,
            device_id=ctx.device_id,
            request_id=ctx.request_id,
            lease_seconds=ctx.lease_seconds,
        )
        self.data["destination"] = loc.code
        upcoming = claims.current_task(self.session, user_id=ctx.user.id)
        self.data["next"] = {"task_id": upcoming.id} if upcoming else None
        return replace(
            self.screen(S.done), message=Message("put_away", "success", {"location": loc.code})
        )
