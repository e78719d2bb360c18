"""Removal strategies: which stock an order line is allocated from."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.strategies.removal import (
    EmptyLocationFirstRemoval,
    FefoRemoval,
    FifoRemoval,
    LeastContainersRemoval,
    QuantCandidate,
    eligible,
)

D = Decimal
TODAY = date(2025, 3, 1)
ORDERED = [FifoRemoval(), FefoRemoval(), EmptyLocationFirstRemoval()]
ALL = [*ORDERED, LeastContainersRemoval()]


def quant(
    quant_id, qty, location="A-01-01-1", lot=None, expiry=None, received=None, container=None
):
    in_date = None if received is None else datetime(2025, 1, 1) + timedelta(days=received)
    return QuantCandidate(quant_id, location, D(qty), lot, expiry, in_date, container)


def test_fifo_takes_the_oldest_receipt_first():
    new, old = quant(1, "10", received=20), quant(2, "10", received=5)

    allocation = FifoRemoval().allocate([new, old], D("12"))

    assert allocation.lines == ((old, D("10")), (new, D("2")))
    assert allocation.complete


def test_fefo_takes_the_earliest_expiry_even_when_it_arrived_later():
    late = quant(1, "5", lot="L1", expiry=date(2025, 9, 1), received=1)
    early = quant(2, "5", lot="L2", expiry=date(2025, 6, 1), received=30)

    allocation = FefoRemoval().allocate([late, early], D("5"), today=TODAY)

    assert allocation.lines == ((early, D("5")),)


def test_fefo_skips_lots_expiring_before_customer_minimum():
    short_dated = quant(1, "50", lot="L1", expiry=TODAY + timedelta(days=20))
    long_dated = quant(2, "50", lot="L2", expiry=TODAY + timedelta(days=90))

    allocation = FefoRemoval().allocate(
        [short_dated, long_dated], D("10"), today=TODAY, min_shelf_life_days=30
    )

    assert allocation.lines == ((long_dated, D("10")),)


def test_stock_expiring_exactly_at_the_customer_minimum_is_accepted():
    just_enough = quant(1, "5", lot="L1", expiry=TODAY + timedelta(days=30))

    allocation = FefoRemoval().allocate([just_enough], D("5"), today=TODAY, min_shelf_life_days=30)

    assert allocation.complete


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_expired_stock_is_never_allocated(strategy):
    expired = quant(1, "100", lot="OLD", expiry=TODAY - timedelta(days=1), container="P1")

    allocation = strategy.allocate([expired], D("1"), today=TODAY)

    assert allocation.lines == ()
    assert allocation.short == D("1")


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_a_requested_lot_is_the_only_lot_allocated(strategy):
    other, wanted = quant(1, "10", lot="A", received=1), quant(2, "10", lot="B", received=2)

    allocation = strategy.allocate([other, wanted], D("15"), lot="B")

    assert allocation.lines == ((wanted, D("10")),)
    assert allocation.short == D("5")


def test_short_quantity_is_reported_when_stock_runs_out():
    allocation = FifoRemoval().allocate([quant(1, "3"), quant(2, "4")], D("10"))

    assert allocation.allocated == D("7")
    assert allocation.short == D("3")
    assert not allocation.complete


def test_decimal_quantities_add_up_exactly():
    thirds = [quant(k, "0.1") for k in range(3)]

    allocation = FifoRemoval().allocate(thirds, D("0.3"))

    assert allocation.short == D("0")
    assert allocation.allocated == D("0.3")


def test_least_containers_takes_one_full_pallet_instead_of_two_partial_ones():
    partial_a = quant(1, "30", container="P1", received=1)
    partial_b = quant(2, "30", container="P2", received=2)
    full = quant(3, "60", container="P3", received=9)

    allocation = LeastContainersRemoval().allocate([partial_a, partial_b, full], D("60"))

    assert allocation.lines == ((full, D("60")),)


def test_least_containers_breaks_only_the_smallest_container_that_covers_the_rest():
    big = quant(1, "100", container="P1")
    medium = quant(2, "40", container="P2")
    small = quant(3, "25", container="P3")

    allocation = LeastContainersRemoval().allocate([small, medium, big], D("120"))

    assert allocation.lines == ((big, D("100")), (small, D("20")))


def test_least_containers_counts_a_mixed_pallet_once():
    lot_a = quant(1, "20", lot="A", container="P1", received=1)
    lot_b = quant(2, "20", lot="B", container="P1", received=2)
    loose = quant(3, "30", received=0)

    allocation = LeastContainersRemoval().allocate([lot_a, lot_b, loose], D("40"))

    assert allocation.lines == ((lot_a, D("20")), (lot_b, D("20")))


def test_empty_location_first_clears_the_location_holding_least():
    full_location = quant(1, "80", location="A-01-01-1", received=0)
    nearly_empty = quant(2, "6", location="A-02-05-1", received=10)

    allocation = EmptyLocationFirstRemoval().allocate([full_location, nearly_empty], D("10"))

    assert allocation.lines == ((nearly_empty, D("6")), (full_location, D("4")))


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_negative_or_float_requests_are_refused(strategy):
    with pytest.raises(ValueError):
        strategy.allocate([quant(1, "5")], D("-1"))
    with pytest.raises(ValueError):
        strategy.allocate([quant(1, "5")], 1.5)


# Properties over random stock -------------------------------------------------

quantities = st.decimals(min_value=0, max_value=50, places=2, allow_nan=False)
candidate_lists = st.lists(
    st.builds(
        quant,
        quant_id=st.integers(0, 10_000),
        qty=quantities,
        location=st.sampled_from(["A-01", "A-02", "B-07"]),
        lot=st.sampled_from([None, "L1", "L2"]),
        expiry=st.one_of(
            st.none(), st.dates(TODAY - timedelta(days=5), TODAY + timedelta(days=60))
        ),
        received=st.one_of(st.none(), st.integers(0, 100)),
        container=st.sampled_from([None, "P1", "P2", "P3", "P4"]),
    ),
    max_size=12,
)
requests = st.fixed_dictionaries(
    {"lot": st.sampled_from([None, "L1"]), "min_shelf_life_days": st.integers(0, 30)}
)


@settings(max_examples=60, deadline=None)
@given(candidate_lists, quantities, requests)
def test_every_strategy_allocates_at_most_what_is_available_and_reports_the_rest(
    candidates, qty, request
):
    allowed = eligible(candidates, today=TODAY, **request)
    enough = sum((c.available for c in allowed), D(0)) >= qty

    for strategy in ALL:
        allocation = strategy.allocate(candidates, qty, today=TODAY, **request)

        used = [id(c) for c, _ in allocation.lines]
        assert len(used) == len(set(used))
        assert all(c in allowed and D(0) < q <= c.available for c, q in allocation.lines)
        assert allocation.allocated + allocation.short == qty
        assert allocation.short >= 0
        assert allocation.complete == enough


@settings(max_examples=60, deadline=None)
@given(candidate_lists, quantities)
def test_ordered_strategies_take_a_prefix_of_their_order_in_full(candidates, qty):
    for strategy in ORDERED:
        order = strategy.order(eligible(candidates, today=TODAY))

        allocation = strategy.allocate(candidates, qty, today=TODAY)

        taken = [c for c, _ in allocation.lines]
        assert [id(c) for c in taken] == [id(c) for c in order[: len(taken)]]
        assert all(q == c.available for c, q in allocation.lines[:-1])


@settings(max_examples=60, deadline=None)
@given(candidate_lists, quantities)
def test_fefo_never_leaves_an_earlier_expiry_for_a_later_one(candidates, qty):
    allowed = eligible(candidates, today=TODAY)

    allocation = FefoRemoval().allocate(candidates, qty, today=TODAY)

    taken_ids = {id(c) for c, _ in allocation.lines}
    untouched = [c.expiry or date.max for c in allowed if id(c) not in taken_ids]
    for c, _ in allocation.lines:
        assert all((c.expiry or date.max) <= other for other in untouched)


@settings(max_examples=60, deadline=None)
@given(candidate_lists, quantities)
def test_least_containers_touches_no_more_containers_than_necessary(candidates, qty):
    allowed = eligible(candidates, today=TODAY)
    totals: dict[object, Decimal] = {}
    for k, c in enumerate(allowed):
        key = c.container or ("loose", k)
        totals[key] = totals.get(key, D(0)) + c.available
    needed, covered = 0, D(0)
    for total in sorted(totals.values(), reverse=True):
        if covered >= qty:
            break
        covered, needed = covered + total, needed + 1

    allocation = LeastContainersRemoval().allocate(candidates, qty, today=TODAY)

    touched = {c.container or ("loose", id(c)) for c, _ in allocation.lines}
    assert len(touched) == needed
