"""Counting services: reference at start, reconciling moves during the count, recount, approval."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.inventory.helpers import (
    adjustments,
    approve,
    count_line,
    count_of,
    finish,
    ledger_ok,
    open_variances,
    pick,
    recount_of,
    request,
    start,
    task_of,
)
from tests.taskfloor import person, task
from wms.errors import WmsError
from wms.model import (
    Count,
    CountStatus,
    CountTrigger,
    Role,
    TaskType,
    User,
    VarianceStatus,
    Warehouse,
)
from wms.services import counting, variances


@pytest.fixture
def shelf(floor):
    floor.item("SKU-1", name="Widget")
    floor.item("SKU-2", name="Gadget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    return floor


@pytest.fixture
def ann(shelf):
    return person(shelf, "ann")


@pytest.fixture
def bob(shelf):
    return person(shelf, "bob")


@pytest.fixture
def sue(shelf):
    return person(shelf, "sue", role=Role.supervisor)


def set_policy(floor, **counting_settings):
    with floor.factory() as s, s.begin():
        wh = s.get(Warehouse, floor.warehouse_id)
        wh.settings = {**(wh.settings or {}), "counting": counting_settings}


def test_a_count_request_is_a_released_count_task_and_a_second_request_joins_it(shelf):
    first = request(shelf, "A-01-01-1")
    second = request(shelf, "A-01-01-1")

    work = task_of(shelf, first)
    assert second == first
    assert (work.type, work.status.value, work.document_ref) == (TaskType.count, "released",
                                                                 str(first))


def test_a_matching_count_closes_without_variance(shelf, ann):
    count_id = request(shelf, "A-01-01-1")

    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 10, ann)

    assert finish(shelf, count_id, ann) == []
    assert count_of(shelf, count_id).status is CountStatus.closed


def test_a_pick_after_the_item_was_counted_makes_no_false_variance(shelf, ann):
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 10, ann)

    pick(shelf, "SKU-1", "A-01-01-1", 3)

    assert finish(shelf, count_id, ann) == []
    assert adjustments(shelf) == []


def test_a_pick_before_the_item_was_counted_makes_no_false_variance(shelf, ann):
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)

    pick(shelf, "SKU-1", "A-01-01-1", 3)
    count_line(shelf, count_id, "SKU-1", 7, ann)

    assert finish(shelf, count_id, ann) == []
    line = count_of(shelf, count_id).lines[0]
    assert (line.expected_at_start, line.expected_qty) == (Decimal(10), Decimal(7))


def test_nothing_counted_needs_an_explicit_location_empty(shelf, ann):
    shelf.location("A-01-01-2")
    count_id = request(shelf, "A-01-01-2")
    start(shelf, count_id, ann)

    with pytest.raises(WmsError) as refused:
        finish(shelf, count_id, ann)

    assert refused.value.code == "confirm_location_empty"
    assert finish(shelf, count_id, ann, empty=True) == []


def test_a_big_variance_goes_to_a_recount_by_another_operator(shelf, ann, bob, sue):
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 8, ann)

    assert finish(shelf, count_id, ann) == ["-2"]

    assert open_variances(shelf, count_id)[0].status is VarianceStatus.recount
    recount = recount_of(shelf, count_id)
    assert recount is not None and recount.trigger is CountTrigger.recount
    with pytest.raises(WmsError) as refused:
        start(shelf, recount.id, ann)
    assert refused.value.code == "recount_by_another_operator"
    start(shelf, recount.id, bob)
    count_line(shelf, recount.id, "SKU-1", 8, bob)
    assert finish(shelf, recount.id, bob) == ["-2"]
    assert open_variances(shelf, count_id)[0].status is VarianceStatus.superseded
    (pending,) = open_variances(shelf, recount.id)
    assert pending.status is VarianceStatus.pending
    approve(shelf, pending.id, sue, "two broken, thrown away")
    assert adjustments(shelf) == [("2", "count_adjust")]
    assert shelf.on_hand("SKU-1", "A-01-01-1") == Decimal(8)
    assert count_of(shelf, recount.id).status is CountStatus.closed
    assert ledger_ok(shelf)


def test_a_variance_within_the_threshold_waits_for_the_supervisor_directly(shelf, ann, sue):
    set_policy(shelf, recount_above_qty="2")
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 11, ann)
    count_line(shelf, count_id, "SKU-2", 1, ann)

    assert finish(shelf, count_id, ann) == ["1", "1"]

    assert recount_of(shelf, count_id) is None
    found = open_variances(shelf, count_id)
    assert [v.status for v in found] == [VarianceStatus.pending] * 2
    for v in found:
        approve(shelf, v.id, sue)
    assert shelf.on_hand("SKU-1", "A-01-01-1") == Decimal(11)
    assert shelf.on_hand("SKU-2", "A-01-01-1") == Decimal(1)
    assert ledger_ok(shelf)


def test_a_value_threshold_also_sends_to_recount(shelf, ann):
    set_policy(shelf, recount_above_qty="5", recount_above_value="100")
    with shelf.factory() as s, s.begin():
        from wms.model import StockMove
        s.scalars(select(StockMove)).first().unit_cost = Decimal("80")
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 8, ann)

    finish(shelf, count_id, ann)

    assert recount_of(shelf, count_id) is not None
    assert open_variances(shelf, count_id)[0].value == Decimal(-160)


def test_an_operator_cannot_approve_a_variance(shelf, ann, bob):
    set_policy(shelf, recount_above_qty="5")
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 9, ann)
    finish(shelf, count_id, ann)
    (v,) = open_variances(shelf, count_id)

    with pytest.raises(WmsError) as refused:
        approve(shelf, v.id, bob)

    assert refused.value.code == "approval_needs_supervisor"
    assert open_variances(shelf, count_id)[0].status is VarianceStatus.pending
    assert adjustments(shelf) == []


def test_a_loss_larger_than_the_free_stock_is_refused_unless_negative_is_allowed(shelf, ann,
                                                                                  sue):
    set_policy(shelf, recount_above_qty="5")
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 6, ann)
    finish(shelf, count_id, ann)
    (v,) = open_variances(shelf, count_id)
    pick(shelf, "SKU-1", "A-01-01-1", 8)  # only 2 left: a loss of 4 would go negative

    with pytest.raises(WmsError) as refused:
        approve(shelf, v.id, sue)

    assert refused.value.code == "adjustment_would_go_negative"
    assert shelf.on_hand("SKU-1", "A-01-01-1") == Decimal(2)
    with shelf.factory() as s, s.begin():
        s.get(Warehouse, shelf.warehouse_id).allow_negative_stock = True
    approve(shelf, v.id, sue)
    assert shelf.on_hand("SKU-1", "A-01-01-1") == Decimal(-2)
    assert ledger_ok(shelf)


def test_a_rejected_variance_moves_nothing(shelf, ann, sue):
    set_policy(shelf, recount_above_qty="5")
    count_id = request(shelf, "A-01-01-1")
    start(shelf, count_id, ann)
    count_line(shelf, count_id, "SKU-1", 9, ann)
    finish(shelf, count_id, ann)
    (v,) = open_variances(shelf, count_id)

    with shelf.factory() as s, s.begin():
        variances.reject(s, variance_id=v.id, user=s.get(User, sue.id), reason="miscounted")

    assert adjustments(shelf) == []
    assert count_of(shelf, count_id).status is CountStatus.closed


def test_a_bare_count_task_from_a_short_pick_gets_its_count(shelf, ann):
    work = task(shelf, TaskType.count, source="A-01-01-1", document_type="short_pick")

    with shelf.factory() as s, s.begin():
        from wms.model import Task
        count = counting.count_for_task(s, s.get(Task, work.id))
        count_id = count.id

    with shelf.factory() as s:
        found = s.get(Count, count_id)
        assert (found.trigger, found.task_id) == (CountTrigger.short_pick, work.id)
