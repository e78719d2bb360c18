"""Shared steps for inventory tests: each call is one transaction, like an entrypoint."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.factories import Floor
from wms.model import Count, StockMove, Task, User, Variance, VirtualKind, qty_str
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import counting, ledger, variances


def pick(floor: Floor, sku: str, location: str, qty: int | str) -> None:
    """A picker takes ``qty`` out of ``location`` to the customer, as a pick posts it."""
    item, loc = floor.item(sku), floor.location(location)
    customer = floor.virtual(VirtualKind.customer)
    with floor.factory() as s, s.begin():
        ledger.post_moves(s, [ledger.MoveRequest(
            item_id=item.id, qty=Decimal(str(qty)), from_location_id=loc.id,
            to_location_id=customer.id, reason="pick")])


def request(floor: Floor, location: str, trigger="request") -> int:
    loc = floor.location(location)
    with floor.factory() as s, s.begin():
        return counting.request_count(s, location_id=loc.id, trigger=trigger).id


def start(floor: Floor, count_id: int, user: User) -> None:
    with floor.factory() as s, s.begin():
        counting.start_count(s, s.get(Count, count_id), user_id=user.id)


def count_line(floor: Floor, count_id: int, sku: str, qty: int | str, user: User) -> None:
    item = floor.item(sku)
    with floor.factory() as s, s.begin():
        counting.record_line(s, s.get(Count, count_id), key=(item.id, None, None, None),
                             qty=Decimal(str(qty)), user_id=user.id)


def finish(floor: Floor, count_id: int, user: User, empty: bool = False) -> list[str]:
    """Finish the count; the diffs of the variances found, as text."""
    with floor.factory() as s, s.begin():
        found = counting.finish_count(s, s.get(Count, count_id), user_id=user.id,
                                      location_empty=empty)
        return [qty_str(v.diff_qty) for v in found]


def count_of(floor: Floor, count_id: int) -> Count:
    with floor.factory() as s:
        count = s.get(Count, count_id)
        assert count is not None
        _ = list(count.lines)
        return count


def open_variances(floor: Floor, count_id: int) -> list[Variance]:
    with floor.factory() as s:
        return list(s.scalars(select(Variance).where(Variance.count_id == count_id)
                              .order_by(Variance.id)))


def recount_of(floor: Floor, count_id: int) -> Count | None:
    with floor.factory() as s:
        return s.scalars(select(Count).where(Count.recount_of_id == count_id)).first()


def approve(floor: Floor, variance_id: int, user: User, reason: str = "counted") -> None:
    with floor.factory() as s, s.begin():
        variances.approve(s, variance_id=variance_id, user=s.get(User, user.id), reason=reason)


def adjustments(floor: Floor) -> list[tuple[str, str]]:
    with floor.factory() as s:
        return [(qty_str(m.qty), m.reason) for m in s.scalars(
            select(StockMove).where(StockMove.reason == "count_adjust").order_by(StockMove.id))]


def task_of(floor: Floor, count_id: int) -> Task:
    with floor.factory() as s:
        count = s.get(Count, count_id)
        assert count is not None and count.task_id is not None
        task = s.get(Task, count.task_id)
        assert task is not None
        return task


def ledger_ok(floor: Floor) -> bool:
    with floor.factory() as s:
        return ledger_discrepancies(s) == []
