"""The ledger: every quantity change is a move, posted all or nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from wms.errors import (
    AlreadyReversed,
    InsufficientStock,
    LocationBlocked,
    ReservationExceeded,
    ValidationFailed,
)
from wms.model import Quant, StockMove, StockStatus, VirtualKind
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger, pgraw
from wms.services.ledger import MoveRequest


def move(floor, sku, src, dst, qty, **kw):
    item = floor.item(sku)
    src_id = floor.virtual(src).id if isinstance(src, VirtualKind) else floor.location(src).id
    dst_id = floor.virtual(dst).id if isinstance(dst, VirtualKind) else floor.location(dst).id
    return MoveRequest(
        item_id=item.id,
        qty=Decimal(str(qty)),
        from_location_id=src_id,
        to_location_id=dst_id,
        reason=kw.pop("reason", "transfer"),
        **kw,
    )


def post(floor, *moves, **kw):
    with floor.factory() as s, s.begin():
        return [m.id for m in ledger.post_moves(s, list(moves), **kw)]


def assert_ledger_true(floor):
    with floor.factory() as s:
        assert ledger_discrepancies(s) == []


def test_receipt_puts_stock_on_hand_and_writes_one_ledger_line(floor):
    floor.stock("SKU-1", "A-01-01-1", "12.5")

    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal("12.5")
    with floor.factory() as s:
        assert s.scalar(select(func.count()).select_from(StockMove)) == 1
    assert_ledger_true(floor)


def test_moving_stock_between_locations_keeps_the_total(floor):
    floor.stock("SKU-1", "A-01-01-1", 10)

    post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 4))

    assert floor.on_hand("SKU-1", "A-01-01-1") == 6
    assert floor.on_hand("SKU-1", "B-01-01-1") == 4
    assert_ledger_true(floor)


def test_moving_more_than_on_hand_is_refused_and_changes_nothing(floor):
    floor.stock("SKU-1", "A-01-01-1", 3)

    with pytest.raises(InsufficientStock) as err:
        post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 5))

    assert err.value.shortages[0]["available"] == "3"
    assert floor.on_hand("SKU-1", "A-01-01-1") == 3
    assert floor.on_hand("SKU-1", "B-01-01-1") == 0
    assert_ledger_true(floor)


def test_a_batch_with_one_short_line_posts_nothing_and_names_every_shortage(floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.stock("SKU-2", "A-01-01-2", 1)

    with pytest.raises(InsufficientStock) as err:
        post(
            floor,
            move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 20),
            move(floor, "SKU-2", "A-01-01-2", "B-01-01-1", 2),
        )

    assert [s["sku"] for s in err.value.shortages] == ["SKU-1", "SKU-2"]
    assert floor.on_hand("SKU-1", "A-01-01-1") == 10


def test_reserved_stock_cannot_be_moved_by_someone_else(floor):
    quant = floor.stock("SKU-1", "A-01-01-1", 10)
    with floor.factory() as s, s.begin():
        ledger.reserve(s, quant_id=quant.id, qty=Decimal(8), owner_type="order_line", owner_id="1")

    with pytest.raises(InsufficientStock):
        post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 3))

    post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 2))
    assert floor.on_hand("SKU-1", "A-01-01-1") == 8
    assert_ledger_true(floor)


def test_picking_against_a_reservation_consumes_it(floor):
    quant = floor.stock("SKU-1", "A-01-01-1", 10)
    with floor.factory() as s, s.begin():
        res_id = ledger.reserve(
            s, quant_id=quant.id, qty=Decimal(10), owner_type="order_line", owner_id="1"
        ).id

    post(
        floor,
        move(
            floor,
            "SKU-1",
            "A-01-01-1",
            VirtualKind.customer,
            4,
            reason="ship",
            reservation_id=res_id,
        ),
    )

    after = floor.quant("SKU-1", "A-01-01-1")
    assert (after.on_hand, after.reserved) == (6, 6)
    assert_ledger_true(floor)


def test_reserving_more_than_on_hand_is_refused(floor):
    quant = floor.stock("SKU-1", "A-01-01-1", 2)

    with pytest.raises(ReservationExceeded), floor.factory() as s, s.begin():
        ledger.reserve(s, quant_id=quant.id, qty=Decimal(3), owner_type="order_line", owner_id="1")

    assert floor.quant("SKU-1", "A-01-01-1").reserved == 0


def test_a_reversal_undoes_a_move_once(floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    (move_id,) = post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 4))

    with floor.factory() as s, s.begin():
        ledger.reverse_move(s, move_id)
    with pytest.raises(AlreadyReversed), floor.factory() as s, s.begin():
        ledger.reverse_move(s, move_id)

    assert floor.on_hand("SKU-1", "A-01-01-1") == 10
    assert floor.on_hand("SKU-1", "B-01-01-1") == 0
    assert_ledger_true(floor)


def test_status_change_moves_stock_to_quarantine_in_place(floor):
    floor.stock("SKU-1", "A-01-01-1", 5)

    post(
        floor,
        move(
            floor,
            "SKU-1",
            "A-01-01-1",
            "A-01-01-1",
            2,
            reason="status_change",
            to_status=StockStatus.quarantine,
        ),
    )

    assert floor.quant("SKU-1", "A-01-01-1").on_hand == 3
    assert floor.quant("SKU-1", "A-01-01-1", status=StockStatus.quarantine).on_hand == 2
    assert_ledger_true(floor)


def test_nothing_goes_into_a_blocked_location(floor):
    floor.stock("SKU-1", "A-01-01-1", 5)
    floor.location("B-01-01-1", blocked=True)

    with pytest.raises(LocationBlocked):
        post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 1))


@pytest.mark.parametrize("qty", ["0", "-1", "0.0000001"])
def test_zero_negative_or_over_precise_quantities_are_refused(floor, qty):
    floor.stock("SKU-1", "A-01-01-1", 5)

    with pytest.raises(ValidationFailed):
        post(floor, move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", qty))


def test_a_warehouse_that_allows_negative_stock_may_go_below_zero(floor):
    floor.warehouse(allow_negative_stock=True)
    floor.location("A-01-01-1")

    post(floor, move(floor, "SKU-1", "A-01-01-1", VirtualKind.customer, 3, reason="ship"))

    assert floor.on_hand("SKU-1", "A-01-01-1") == -3
    assert_ledger_true(floor)


def test_quantities_are_exact_decimals_on_both_databases(floor):
    floor.stock("SKU-1", "A-01-01-1", "0.1")
    floor.stock("SKU-1", "A-01-01-1", "0.2")

    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal("0.3")
    with floor.factory() as s:
        assert s.scalar(select(func.sum(Quant.on_hand))) == Decimal("0.3")


def test_a_quant_the_session_already_holds_shows_what_was_posted(floor):
    quant = floor.stock("SKU-1", "A-01-01-1", 10)
    transfer = move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 4)

    with floor.factory() as s, s.begin():
        held = s.get(Quant, quant.id)
        assert held is not None and held.on_hand == 10
        ledger.post_moves(s, [transfer])

        assert held.on_hand == 6
        assert not s.dirty  # written already, nothing left for a flush to write again

    assert floor.on_hand("SKU-1", "A-01-01-1") == 6
    assert_ledger_true(floor)


def test_posted_lines_are_plain_values_the_session_does_not_hold(floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    transfer = move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 4)

    with floor.factory() as s, s.begin():
        (line,) = ledger.post_lines(s, [transfer], request_id="req-1")
        assert not s.new and not s.identity_map
        stored = s.get(StockMove, line.id)

        assert stored is not None
        assert (stored.qty, stored.from_location_id, stored.request_id) == (
            line.qty,
            line.from_location_id,
            "req-1",
        )
    assert floor.on_hand("SKU-1", "B-01-01-1") == 4


def test_lines_posted_together_come_back_in_the_order_asked_each_with_its_own_id(floor):
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.stock("SKU-2", "A-01-01-2", 10)
    moves = [
        move(floor, "SKU-1", "A-01-01-1", "B-01-01-1", 1),
        move(floor, "SKU-2", "A-01-01-2", "B-01-01-2", 2),
        move(floor, "SKU-1", "A-01-01-1", "B-01-01-3", 3),
    ]

    with floor.factory() as s, s.begin():
        lines = ledger.post_lines(s, moves)
        stored = {m.id: m for m in s.scalars(select(StockMove).where(StockMove.qty < 4))}

    assert [(line.to_location_id, line.qty) for line in lines] == [
        (m.to_location_id, m.qty) for m in moves
    ]
    assert len({line.id for line in lines}) == 3
    for line in lines:
        assert (stored[line.id].to_location_id, stored[line.id].qty) == (
            line.to_location_id,
            line.qty,
        )
    assert floor.on_hand("SKU-1", "A-01-01-1") == 6
    assert_ledger_true(floor)


def test_a_database_error_on_the_postgres_fast_path_reaches_the_caller_as_sqlalchemys(pg):
    with Session(pg) as s:
        with pytest.raises(DataError) as caught:
            pgraw.execute(pgraw.cursor(s), "SELECT 1 / %(zero)s", {"zero": 0})
        assert caught.value.orig.sqlstate == "22012"  # what the API's retry reads
        s.rollback()
        assert pgraw.execute(pgraw.cursor(s), "SELECT 1").fetchone() == (1,)
