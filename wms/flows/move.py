"""Move stock: take stock (or a whole container) from one location to another.

::

    scan_source ──location──► scan_item ──item──► scan_quantity ◄─┐ the same item
                                  │                     │   └──────┘ again: count +1
                                  │ container           │ quantity keyed, or F2 confirm
                                  └───────────► scan_destination
                                                    │        │ unexpected but allowed
                              suggested, or a free  │        ▼
                              move to an allowed    │   confirm_destination
                              location              │        │ the same location again
                                                    ▼        ▼
                                                   done ◄────┘

    F1 back: scan_item → scan_source, scan_quantity → scan_item,
             scan_destination → scan_quantity (scan_item after a container),
             confirm_destination → scan_destination

Every state but ``scan_source`` has F1 back. A wrong scan answers the same
screen with a message and changes nothing. An unexpected but allowed
destination (not the task's suggestion, or holding other items) is
accepted by scanning it a second time; a blocked one never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, func, select

from wms.errors import (
    InvalidQuantity,
    LocationBlocked,
    LocationNotAllowed,
    NotRecognised,
    UnknownItem,
    WmsError,
)
from wms.flows.base import Flow, Message, Screen
from wms.flows.scans import ExpectedItem, Scan, location_of
from wms.messages import unit
from wms.model import (
    Container,
    Item,
    Location,
    Quant,
    StockStatus,
    TaskStatus,
    Warehouse,
    exact,
    qty_str,
)
from wms.services import claims, ledger, pgraw
from wms.services import tasks as task_service


class S(StrEnum):
    scan_source = "scan_source"
    scan_item = "scan_item"
    scan_quantity = "scan_quantity"
    scan_destination = "scan_destination"
    confirm_destination = "confirm_destination"
    done = "done"


class WrongLocation(WmsError):
    code = "wrong_location"
    http_status = 422


class WrongItem(WmsError):
    code = "wrong_item"
    http_status = 422


class SameLocation(WmsError):
    code = "same_location"
    http_status = 422


class ItemNotHere(WmsError):
    code = "item_not_here"
    http_status = 422


class ContainerNotHere(WmsError):
    code = "container_not_here"
    http_status = 422


class ContainerEmpty(WmsError):
    code = "container_empty"
    http_status = 422


class LotAmbiguous(WmsError):
    code = "lot_ambiguous"
    http_status = 422


class QtyTooLarge(WmsError):
    code = "qty_too_large"
    http_status = 422


class ExpectedQuantity(WmsError):
    code = "expected_quantity"
    http_status = 422


@dataclass(frozen=True)
class _Facts:
    destination_id: int
    places: dict[int, ledger.Place]
    #: Quants of other items (any item, for a container) at the destination.
    others: int
    item_exists: bool


_L, _W, _Q, _I = (
    Location.__table__.c,
    Warehouse.__table__.c,
    Quant.__table__.c,
    Item.__table__.c,
)
#: ``MoveFlow._facts``: one row per location (source and destination), the counts on each.
_FACTS = (
    select(
        *ledger.PLACE_COLUMNS,
        select(func.count())
        .where(
            _Q.location_id == bindparam("dst"),
            _Q.on_hand > 0,
            _Q.item_id != bindparam("item"),
        )
        .scalar_subquery(),
        select(func.count()).where(_I.id == bindparam("item")).scalar_subquery(),
    )
    .join_from(Location.__table__, Warehouse.__table__, _W.id == _L.warehouse_id)
    .where(_L.id.in_([bindparam("src"), bindparam("dst")]))
)

#: Free stock of an item loose at a location, by lot (``MoveFlow._available``).
_AVAILABLE = (
    select(_Q.lot_id, func.sum(_Q.on_hand - _Q.reserved))
    .where(
        _Q.item_id == bindparam("item"),
        _Q.location_id == bindparam("loc"),
        _Q.container_id.is_(None),
        _Q.status == StockStatus.available,
        _Q.on_hand > 0,
    )
    .group_by(_Q.lot_id)
)
#: PostgreSQL's hot path (see ``wms.services.pgraw``): the same two reads as plain SQL.
_PG_AVAILABLE = (
    "SELECT lot_id, sum(on_hand - reserved) FROM quant WHERE item_id = %(item)s"
    " AND location_id = %(loc)s AND container_id IS NULL AND status = 'available'"
    " AND on_hand > 0 GROUP BY lot_id"
)
_PG_FACTS = (
    "SELECT location.id, location.warehouse_id, location.code, location.virtual_kind,"
    " location.blocked, warehouse.allow_negative_stock,"
    " (SELECT count(*) FROM quant WHERE quant.location_id = %(dst)s AND quant.on_hand > 0"
    " AND quant.item_id != %(item)s),"
    " (SELECT count(*) FROM item WHERE item.id = %(item)s)"
    " FROM location JOIN warehouse ON warehouse.id = location.warehouse_id"
    " WHERE location.id IN (%(src)s, %(dst)s)"
)


class MoveFlow(Flow):
    name = "move"
    title = "move.title"
    initial = S.scan_source
    task_types = frozenset({"move", "replenish"})
    TRANSITIONS = {
        S.scan_source: frozenset({S.scan_item}),
        S.scan_item: frozenset({S.scan_source, S.scan_quantity, S.scan_destination}),
        S.scan_quantity: frozenset({S.scan_item, S.scan_quantity, S.scan_destination}),
        S.scan_destination: frozenset(
            {S.scan_quantity, S.scan_item, S.confirm_destination, S.done}
        ),
        S.confirm_destination: frozenset({S.scan_destination, S.confirm_destination, S.done}),
        S.done: frozenset(),
    }
    BACK = {
        S.scan_item: S.scan_source,
        S.scan_quantity: S.scan_item,
        S.scan_destination: S.scan_quantity,
        S.confirm_destination: S.scan_destination,
    }

    #: This step's ``_facts``, read once.
    _read: _Facts | None = None

    # -- start and screens --------------------------------------------------------------
    def prepare(self) -> None:
        task = self.ctx.task
        if task is None:
            return
        d = self.data
        d["task_id"] = task.id
        if task.from_location_id:
            d["expect_source"] = self._loc(task.from_location_id).code
        if task.to_location_id:
            d["expect_destination"] = self._loc(task.to_location_id).code
        if task.item_id:
            d["expect_sku"] = self._item(task.item_id).sku
        if task.qty is not None:
            d["task_qty"] = qty_str(task.qty)

    def screen(self, state: str) -> Screen:
        return getattr(self, f"_screen_{state}")()

    def _screen_scan_source(self) -> Screen:
        d = self.data
        expected = d.get("expect_source")
        fields = []
        if d.get("expect_sku"):
            fields.append(("field.item", d["expect_sku"]))
        if d.get("task_qty"):
            fields.append(("field.quantity", d["task_qty"]))
        prompt = "move.scan_source.expected" if expected else "move.scan_source"
        return Screen(S.scan_source, prompt, {"location": expected}, "location", tuple(fields))

    def _screen_scan_item(self) -> Screen:
        sku = self.data.get("expect_sku")
        prompt = "move.scan_item.expected" if sku else "move.scan_item"
        return Screen(S.scan_item, prompt, {"sku": sku}, "item", self._fields(), actions=("back",))

    def _screen_scan_quantity(self) -> Screen:
        d = self.data
        fields = (
            *self._fields(),
            ("field.available", self._qty(d["available"], d["base_uom"])),
            ("field.counted", self._qty(d["counted"], d["uom"])),
        )
        return Screen(
            S.scan_quantity,
            "move.scan_quantity",
            {},
            "quantity",
            fields,
            actions=("back", "confirm"),
        )

    def _screen_scan_destination(self) -> Screen:
        expected = self.data.get("expect_destination")
        prompt = "move.scan_destination.expected" if expected else "move.scan_destination"
        return Screen(
            S.scan_destination,
            prompt,
            {"location": expected},
            "location",
            self._fields(),
            actions=("back",),
        )

    def _screen_confirm_destination(self) -> Screen:
        pending = self.data["pending_destination"]
        return Screen(
            S.confirm_destination,
            "move.confirm_destination",
            {"location": pending},
            "location",
            (*self._fields(), ("field.to", pending)),
            actions=("back",),
        )

    def _screen_done(self) -> Screen:
        return Screen(
            S.done,
            "move.done",
            {},
            None,
            (*self._fields(), ("field.to", self.data["destination"])),
            done=True,
            next=self.data.get("next"),
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        out = [("field.from", d["source"])]
        if d.get("container"):
            out.append(("field.container", d["container"]))
        elif d.get("sku"):
            out.append(("field.item", f"{d['sku']} {d['item_name']}"))
        if d.get("qty"):
            out.append(("field.quantity", self._qty(d["qty"], d["uom"])))
        if d.get("expect_destination"):
            out.append(("field.suggested", d["expect_destination"]))
        return tuple(out)

    def _qty(self, qty: str, uom: str) -> str:
        return f"{qty} {unit(uom, self.ctx.locale)}"

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return {
            S.scan_source: (
                "source",
                "source_id",
                "container",
                "container_id",
                "sku",
                "item_id",
                "qty",
                "counted",
            ),
            S.scan_item: ("container", "container_id", "sku", "item_id", "qty", "counted"),
            S.scan_quantity: ("qty",),
            S.scan_destination: ("pending_destination",),
        }.get(target, ())

    def back(self, state: str) -> Screen:
        if state == S.scan_destination and self.data.get("container"):
            state = S.scan_quantity  # a container skipped the quantity: back to the item scan
        return super().back(state)

    # -- handlers -------------------------------------------------------------------------
    def on_scan_source(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        expected = self.data.get("expect_source")
        if expected and loc.code != expected:
            raise WrongLocation(expected=expected, scanned=loc.code)
        if loc.is_virtual:
            raise LocationNotAllowed(location=loc.code)
        if loc.blocked:
            raise LocationBlocked(location=loc.code)
        self.data.update(source=loc.code, source_id=loc.id)
        self.ctx.here_location_id = loc.id
        return self.screen(S.scan_item)

    def on_scan_item(self, scan: Scan) -> Screen:
        if scan.container is not None:
            return self._take_container(scan)
        if scan.item is None:
            raise ExpectedItem(scanned=scan.raw)
        item, d = scan.item, self.data
        if d.get("expect_sku") and item.sku != d["expect_sku"]:
            raise WrongItem(expected=d["expect_sku"], scanned=item.sku)
        available, lot_id = self._available(item)
        factor = item.factor(scan.uom or item.base_uom)
        d.update(
            sku=item.sku,
            item_id=item.id,
            item_name=item.name,
            uom=scan.uom,
            factor=qty_str(factor),
            base_uom=item.base_uom,
            lot_id=lot_id,
            available=qty_str(available),
            counted="0",
        )
        self._count(Decimal(1))
        return self.screen(S.scan_quantity)

    def on_scan_quantity(self, scan: Scan) -> Screen:
        d = self.data
        if scan.item is not None:
            if scan.item.id != d["item_id"] or scan.uom != d["uom"]:
                raise WrongItem(expected=d["sku"], scanned=scan.raw)
            self._count(Decimal(1))
            return self.screen(S.scan_quantity)
        number = scan.number() if scan.kind == "unknown" else None
        if number is None:
            raise ExpectedQuantity(sku=d["sku"], scanned=scan.raw)
        self._set_qty(number)
        return self.screen(S.scan_destination)

    def act_confirm(self) -> Screen:
        self._set_qty(Decimal(self.data["counted"]))
        return self.screen(S.scan_destination)

    def on_scan_destination(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        self._check_destination(loc)
        surprise = self._surprise(loc)
        if surprise is None:
            return self._finish(loc)
        self.data["pending_destination"] = loc.code
        self.ctx.here_location_id = loc.id
        return replace(self.screen(S.confirm_destination), message=surprise)

    def on_confirm_destination(self, scan: Scan) -> Screen:
        loc = location_of(scan)
        if loc.code == self.data["pending_destination"]:
            self._check_destination(loc)
            return self._finish(loc)
        return self.on_scan_destination(scan)

    # -- rules --------------------------------------------------------------------------
    def _count(self, scans: Decimal) -> None:
        d = self.data
        counted = Decimal(d["counted"]) + scans
        self._check_fits(counted)
        d["counted"] = qty_str(counted)

    def _set_qty(self, qty: Decimal) -> None:
        qty = exact(qty)
        if qty <= 0:
            raise InvalidQuantity("quantity must be greater than zero")
        self._check_fits(qty)
        self.data["qty"] = qty_str(qty)

    def _check_fits(self, qty: Decimal) -> None:
        d = self.data
        if qty * Decimal(d["factor"]) > Decimal(d["available"]):
            raise QtyTooLarge(available=d["available"], uom=d["base_uom"], location=d["source"])

    def _rows(self, pg_sql: str, portable: Any, **params: Any) -> Sequence[Any]:
        """Rows of a read: as plain SQL on PostgreSQL (``pgraw``), else the Core statement."""
        cur = pgraw.cursor(self.session)
        if cur is None:
            return self.session.execute(portable, params).all()
        self.session.flush()  # as autoflush would before a query
        return pgraw.execute(cur, pg_sql, params).fetchall()

    def _available(self, item: Item) -> tuple[Decimal, int | None]:
        """Free stock of ``item`` loose at the source (not in a container), and its one lot."""
        rows = self._rows(_PG_AVAILABLE, _AVAILABLE, item=item.id, loc=self.data["source_id"])
        if not rows or sum((r[1] for r in rows), Decimal(0)) <= 0:
            raise ItemNotHere(sku=item.sku, location=self.data["source"])
        if len(rows) > 1:
            raise LotAmbiguous(sku=item.sku, location=self.data["source"])
        return Decimal(rows[0][1]), rows[0][0]

    def _take_container(self, scan: Scan) -> Screen:
        container, d = scan.container, self.data
        assert container is not None
        if container.location_id != d["source_id"]:
            raise ContainerNotHere(container=container.code, location=d["source"])
        if not self._container_quants(container.id):
            raise ContainerEmpty(container=container.code)
        d.update(container=container.code, container_id=container.id)
        return self.screen(S.scan_destination)

    def _container_quants(self, container_id: int) -> list[Quant]:
        return list(
            self.session.scalars(
                select(Quant)
                .where(
                    Quant.container_id == container_id,
                    Quant.location_id == self.data["source_id"],
                    Quant.on_hand > 0,
                )
                .order_by(Quant.id)
            )
        )

    def _check_destination(self, loc: Location) -> None:
        if loc.id == self.data["source_id"]:
            raise SameLocation(location=loc.code)
        if loc.blocked:
            raise LocationBlocked(location=loc.code)
        if loc.is_virtual or not loc.storable:
            raise LocationNotAllowed(location=loc.code)

    def _surprise(self, loc: Location) -> Message | None:
        """Why this allowed destination deserves a second scan, if it does."""
        expected = self.data.get("expect_destination")
        if expected and loc.code != expected:
            return Message(
                "unexpected_destination", "warning", {"location": loc.code, "expected": expected}
            )
        if not expected and not self.data.get("container") and self._facts(loc).others:
            return Message("mixed_destination", "warning", {"location": loc.code})
        return None

    def _facts(self, loc: Location) -> _Facts:
        """What the destination step reads, in one statement: the source's and the
        destination's ``ledger.Place`` (read now: either may have been blocked since),
        whether the moved item still exists, and how many other items lie at ``loc``."""
        facts = self._read
        if facts is None or facts.destination_id != loc.id:
            rows = self._rows(
                _PG_FACTS,
                _FACTS,
                src=self.data["source_id"],
                dst=loc.id,
                item=self.data.get("item_id", -1),
            )
            places = {row[0]: ledger.Place(*row[:6]) for row in rows}
            others, items = (rows[0][6], rows[0][7]) if rows else (0, 0)
            facts = self._read = _Facts(loc.id, places, others, items == 1)
        return facts

    def _finish(self, loc: Location) -> Screen:
        d, ctx = self.data, self.ctx
        moves = self._container_moves(loc) if d.get("container") else [self._item_move(loc)]
        facts = self._facts(loc)
        # The places spare the ledger its own read when every location and item is known.
        known = len(facts.places) == 2 and (facts.item_exists or bool(d.get("container")))
        ledger.post_lines(  # the lines as values: nothing here reads them back
            self.session,
            moves,
            operator_id=ctx.user.id,
            device_id=ctx.device_id,
            request_id=ctx.request_id,
            places=facts.places if known else None,
        )
        d["destination"] = loc.code
        ctx.here_location_id = loc.id
        d["next"] = self._complete_task(sum((m.qty for m in moves), Decimal(0)))
        message = (
            Message(
                "container_moved", "success", {"container": d["container"], "location": loc.code}
            )
            if d.get("container")
            else Message(
                "moved",
                "success",
                {"qty": d["qty"], "uom": d["uom"], "sku": d["sku"], "location": loc.code},
            )
        )
        return replace(self.screen(S.done), message=message)

    def _item_move(self, loc: Location) -> ledger.MoveRequest:
        d = self.data
        qty = Decimal(d["qty"])
        return ledger.MoveRequest(
            item_id=d["item_id"],
            qty=qty * Decimal(d["factor"]),
            from_location_id=d["source_id"],
            to_location_id=loc.id,
            reason="transfer",
            lot_id=d.get("lot_id"),
            entered_qty=qty,
            entered_uom=d["uom"],
            task_id=d.get("task_id"),
        )

    def _container_moves(self, loc: Location) -> list[ledger.MoveRequest]:
        quants = self._container_quants(self.data["container_id"])
        if not quants:
            raise ContainerEmpty(container=self.data["container"])
        container = quants[0].container_id
        moves = [
            ledger.MoveRequest(
                item_id=q.item_id,
                qty=q.on_hand,
                from_location_id=q.location_id,
                to_location_id=loc.id,
                reason="transfer",
                lot_id=q.lot_id,
                serial_id=q.serial_id,
                from_container_id=container,
                from_status=q.status,
                task_id=self.data.get("task_id"),
            )
            for q in quants
        ]
        box = self.session.get(Container, container)
        if box is not None:
            box.location_id = loc.id
        return moves

    def _complete_task(self, moved: Decimal) -> dict[str, Any] | None:
        task, ctx = self.ctx.task, self.ctx
        if task is None or task.status is not TaskStatus.in_progress:
            return None
        task_service.complete(
            self.session,
            task_id=task.id,
            user_id=ctx.user.id,
            device_id=ctx.device_id,
            done_qty=moved,
        )
        upcoming = claims.current_task(self.session, user_id=ctx.user.id)
        return {"task_id": upcoming.id} if upcoming else None

    # -- lookups --------------------------------------------------------------------------
    def _loc(self, location_id: int) -> Location:
        loc = self.session.get(Location, location_id)
        if loc is None:
            raise NotRecognised(f"location {location_id}")
        return loc

    def _item(self, item_id: int) -> Item:
        item = self.session.get(Item, item_id)
        if item is None:
            raise UnknownItem(sku=str(item_id))
        return item
