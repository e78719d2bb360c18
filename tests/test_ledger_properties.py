"""Random days on the floor: every invariant of the ledger holds after every step.

A hypothesis state machine receives, moves, reserves, picks against
reservations, adjusts, changes status and reverses moves at random, and
after every step checks the database against a model it keeps itself and
against ``ledger_discrepancies`` (quants = Σ moves, reserved ≤ on hand,
no negative stock, reserved = Σ reservations).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from tests.factories import Floor
from wms.db import make_engine, make_session_factory
from wms.errors import WmsError
from wms.model import Base, Quant, Reservation, StockMove, StockStatus, VirtualKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger
from wms.services.ledger import MoveRequest

SKUS = ["SKU-A", "SKU-B"]
LOCATIONS = ["A-01-01-1", "A-01-01-2", "B-01-01-1"]
QTYS = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(40), places=3)


class LedgerDay(RuleBasedStateMachine):
    """Keeps its own expectation of physical on-hand per (sku, location, status)."""

    @initialize()
    def open_warehouse(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.engine = make_engine(f"sqlite:///{Path(self.tmp.name) / 'day.sqlite3'}")
        Base.metadata.create_all(self.engine)
        self.floor = Floor(make_session_factory(self.engine))
        self.ids = {sku: self.floor.item(sku).id for sku in SKUS}
        self.locs = {code: self.floor.location(code).id for code in LOCATIONS}
        self.virtual = {k: self.floor.virtual(k).id for k in VirtualKind}
        self.expected: dict[tuple, Decimal] = defaultdict(Decimal)

    def teardown(self) -> None:
        self.engine.dispose()
        self.tmp.cleanup()

    def _post(self, *moves: MoveRequest) -> bool:
        try:
            with self.floor.factory() as s, s.begin():
                ledger.post_moves(s, list(moves))
        except WmsError:
            return False
        return True

    def _quants(self) -> list[Quant]:
        with self.floor.factory() as s:
            return list(s.scalars(select(Quant).where(Quant.on_hand > 0)))

    @rule(sku=st.sampled_from(SKUS), loc=st.sampled_from(LOCATIONS), qty=QTYS)
    def receive(self, sku: str, loc: str, qty: Decimal) -> None:
        ok = self._post(
            MoveRequest(
                item_id=self.ids[sku],
                qty=qty,
                reason="receipt",
                from_location_id=self.virtual[VirtualKind.supplier],
                to_location_id=self.locs[loc],
            )
        )
        assert ok
        self.expected[(self.ids[sku], self.locs[loc], "available")] += qty

    @rule(
        data=st.data(),
        dst=st.sampled_from(LOCATIONS),
        qty=QTYS,
        status=st.sampled_from([StockStatus.available, StockStatus.quarantine]),
    )
    def move(self, data: st.DataObject, dst: str, qty: Decimal, status: StockStatus) -> None:
        quants = self._quants()
        if not quants:
            return
        q = data.draw(st.sampled_from(quants))
        ok = self._post(
            MoveRequest(
                item_id=q.item_id,
                qty=qty,
                reason="transfer",
                from_location_id=q.location_id,
                to_location_id=self.locs[dst],
                from_status=q.status,
                to_status=status,
            )
        )
        same_place = q.location_id == self.locs[dst] and q.status == status
        assert ok == (qty <= q.on_hand - q.reserved and not same_place), "accepted iff free"
        if ok:
            self.expected[(q.item_id, q.location_id, q.status.value)] -= qty
            self.expected[(q.item_id, self.locs[dst], status.value)] += qty

    @rule(data=st.data(), qty=QTYS)
    def reserve(self, data: st.DataObject, qty: Decimal) -> None:
        quants = self._quants()
        if not quants:
            return
        q = data.draw(st.sampled_from(quants))
        try:
            with self.floor.factory() as s, s.begin():
                ledger.reserve(s, quant_id=q.id, qty=qty, owner_type="order_line", owner_id="x")
            assert qty <= q.on_hand - q.reserved
        except WmsError:
            assert qty > q.on_hand - q.reserved

    @rule(data=st.data(), qty=QTYS)
    def pick_against_reservation(self, data: st.DataObject, qty: Decimal) -> None:
        with self.floor.factory() as s:
            reservations = list(s.scalars(select(Reservation)))
        if not reservations:
            return
        r = data.draw(st.sampled_from(reservations))
        with self.floor.factory() as s:
            q = s.get(Quant, r.quant_id)
        ok = self._post(
            MoveRequest(
                item_id=q.item_id,
                qty=qty,
                reason="pick",
                from_location_id=q.location_id,
                from_status=q.status,
                to_location_id=self.virtual[VirtualKind.customer],
                reservation_id=r.id,
            )
        )
        if ok:
            self.expected[(q.item_id, q.location_id, q.status.value)] -= qty

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        with self.floor.factory() as s:
            reservations = list(s.scalars(select(Reservation)))
        if reservations:
            r = data.draw(st.sampled_from(reservations))
            with self.floor.factory() as s, s.begin():
                ledger.release(s, reservation_id=r.id)

    @rule(data=st.data(), qty=QTYS, gain=st.booleans())
    def count_adjust(self, data: st.DataObject, qty: Decimal, gain: bool) -> None:
        quants = self._quants()
        if not quants:
            return
        q = data.draw(st.sampled_from(quants))
        loss = self.virtual[VirtualKind.inventory_loss]
        src, dst = (loss, q.location_id) if gain else (q.location_id, loss)
        ok = self._post(
            MoveRequest(
                item_id=q.item_id,
                qty=qty,
                reason="count_adjust",
                from_location_id=src,
                to_location_id=dst,
                from_status=q.status,
            )
        )
        if ok:
            self.expected[(q.item_id, q.location_id, q.status.value)] += qty if gain else -qty

    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        with self.floor.factory() as s:
            moves = list(s.scalars(select(StockMove).where(StockMove.reason != "reversal")))
        if not moves:
            return
        m = data.draw(st.sampled_from(moves))
        try:
            with self.floor.factory() as s, s.begin():
                ledger.reverse_move(s, m.id)
        except WmsError:
            return
        for loc, status, sign in (
            (m.to_location_id, m.to_status, -1),
            (m.from_location_id, m.from_status, 1),
        ):
            if loc in self.locs.values():
                self.expected[(m.item_id, loc, status.value)] += sign * m.qty

    @invariant()
    def the_ledger_is_the_truth(self) -> None:
        if not hasattr(self, "floor"):
            return
        with self.floor.factory() as s:
            assert ledger_discrepancies(s) == []
            actual = defaultdict(Decimal)
            rows = s.execute(
                select(
                    Quant.item_id, Quant.location_id, Quant.status, func.sum(Quant.on_hand)
                ).group_by(Quant.item_id, Quant.location_id, Quant.status)
            )
            for item_id, loc_id, status, total in rows:
                actual[(item_id, loc_id, status.value)] = total
        for key in set(actual) | set(self.expected):
            assert actual.get(key, 0) == self.expected.get(key, 0), key


LedgerDay.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerDay = LedgerDay.TestCase
