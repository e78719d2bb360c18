"""Under concurrency on PostgreSQL: no oversell, no negative stock, ledger still true."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import Floor
from wms.db import make_session_factory
from wms.errors import WmsError
from wms.model import StockMove, VirtualKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger
from wms.services.ledger import MoveRequest

pytestmark = pytest.mark.postgres


def test_fifty_pickers_reserving_and_consuming_one_quant_never_oversell(pg):
    floor = Floor(make_session_factory(pg))
    quant = floor.stock("SKU-1", "A-01-01-1", 30)
    customer = floor.virtual(VirtualKind.customer).id
    start = threading.Barrier(50)
    picked: list[int] = []

    def picker(n: int) -> None:
        start.wait()
        try:
            with floor.factory() as s, s.begin():
                res = ledger.reserve(
                    s, quant_id=quant.id, qty=Decimal(1), owner_type="order_line", owner_id=str(n)
                )
                res_id = res.id
        except WmsError:
            return
        with floor.factory() as s, s.begin():
            ledger.post_moves(
                s,
                [
                    MoveRequest(
                        item_id=quant.item_id,
                        qty=Decimal(1),
                        from_location_id=quant.location_id,
                        to_location_id=customer,
                        reason="pick",
                        reservation_id=res_id,
                    )
                ],
            )
        picked.append(n)

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(picker, range(50)))

    after = floor.quant("SKU-1", "A-01-01-1")
    assert len(picked) == 30
    assert (after.on_hand, after.reserved) == (0, 0)
    with floor.factory() as s:
        assert ledger_discrepancies(s) == []


def test_concurrent_moves_out_of_one_quant_take_exactly_what_is_there(pg):
    floor = Floor(make_session_factory(pg))
    quant = floor.stock("SKU-1", "A-01-01-1", 25)
    destinations = [floor.location(f"B-01-01-{i}").id for i in range(1, 5)]
    start = threading.Barrier(40)
    accepted = []

    def mover(n: int) -> None:
        start.wait()
        try:
            with floor.factory() as s, s.begin():
                ledger.post_moves(
                    s,
                    [
                        MoveRequest(
                            item_id=quant.item_id,
                            qty=Decimal(1),
                            from_location_id=quant.location_id,
                            to_location_id=destinations[n % 4],
                            reason="transfer",
                        )
                    ],
                )
            accepted.append(n)
        except WmsError:
            pass

    with ThreadPoolExecutor(max_workers=40) as pool:
        list(pool.map(mover, range(40)))

    assert len(accepted) == 25
    assert floor.on_hand("SKU-1", "A-01-01-1") == 0
    with floor.factory() as s:
        assert s.scalar(select(func.count()).select_from(StockMove)) == 26
        assert ledger_discrepancies(s) == []


def test_crossing_moves_lock_in_a_stable_order_and_do_not_deadlock(pg):
    floor = Floor(make_session_factory(pg))
    a = floor.stock("SKU-1", "A-01-01-1", 100)
    b = floor.stock("SKU-1", "B-01-01-1", 100)
    start = threading.Barrier(20)
    errors: list[Exception] = []

    def swap(n: int) -> None:
        src, dst = (a, b) if n % 2 else (b, a)
        start.wait()
        try:
            with floor.factory() as s, s.begin():
                ledger.post_moves(
                    s,
                    [
                        MoveRequest(
                            item_id=a.item_id,
                            qty=Decimal(1),
                            from_location_id=src.location_id,
                            to_location_id=dst.location_id,
                            reason="transfer",
                        ),
                        MoveRequest(
                            item_id=a.item_id,
                            qty=Decimal(2),
                            from_location_id=dst.location_id,
                            to_location_id=src.location_id,
                            reason="transfer",
                        ),
                    ],
                )
        except Exception as exc:  # a deadlock would surface here
            errors.append(exc)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(swap, range(20)))

    assert errors == []
    assert floor.on_hand("SKU-1", "A-01-01-1") + floor.on_hand("SKU-1", "B-01-01-1") == 200
    with floor.factory() as s:
        assert ledger_discrepancies(s) == []
