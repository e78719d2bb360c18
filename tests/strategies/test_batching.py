"""Order batching: carts are never overfilled, orders stay whole, savings beat one-by-one."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.strategies.batching import (
    CartCapacity,
    FirstComeBatching,
    OrderLine,
    PickOrder,
    SavingsBatching,
    SeedBatching,
)
from wms.strategies.routing import AisleLayout, OptimalAisleRoute, PickPoint

LAYOUT = AisleLayout(aisles=10, aisle_length=30.0, aisle_pitch=3.0, depot_aisle=0)
STRATEGIES = [FirstComeBatching(), SeedBatching(), SavingsBatching()]


def order(order_id, *points, zone=None, totes=1, volume="1", weight=500):
    lines = tuple(
        OrderLine(PickPoint(aisle, position), zone, Decimal(volume), weight)
        for aisle, position in points
    )
    return PickOrder(order_id, lines, totes)


def random_orders(rng: random.Random, count: int, zones=(None,)):
    return [
        PickOrder(
            f"SO-{k}",
            tuple(
                OrderLine(
                    PickPoint(rng.randrange(10), rng.randrange(30) + 0.5),
                    rng.choice(zones),
                    Decimal(rng.randint(1, 20)),
                    rng.randint(100, 5000),
                )
                for _ in range(rng.randint(1, 4))
            ),
            rng.randint(1, 2),
        )
        for k in range(count)
    ]


def assert_every_line_picked_once(orders, plan):
    picked = sorted(stop for trip in plan.trips for stop in trip.stops)
    expected = sorted(
        (o.id, k) for o in orders if o.id not in plan.unbatched for k in range(len(o.lines))
    )
    assert picked == expected


def test_first_come_fills_a_cart_until_the_next_order_would_overflow():
    orders = [order("SO-1", (1, 5), (2, 5)), order("SO-2", (3, 5)), order("SO-3", (4, 5), (5, 5))]

    plan = FirstComeBatching().plan(orders, CartCapacity(lines=3), LAYOUT)

    assert [trip.orders for trip in plan.trips] == [("SO-1", "SO-2"), ("SO-3",)]


def test_seed_starts_with_the_widest_order_and_adds_the_one_bringing_fewest_new_aisles():
    wide = order("SO-wide", (1, 5.5), (2, 5.5), (3, 5.5))
    far = order("SO-far", (8, 5.5))
    same_aisle = order("SO-same", (2, 20.5))

    plan = SeedBatching().plan([wide, far, same_aisle], CartCapacity(lines=4), LAYOUT)

    assert [trip.orders for trip in plan.trips] == [("SO-wide", "SO-same"), ("SO-far",)]


def test_savings_puts_orders_from_the_same_aisles_on_one_trip():
    orders = [
        order("SO-near-1", (0, 25.5)),
        order("SO-far-1", (9, 25.5)),
        order("SO-near-2", (0, 27.5)),
        order("SO-far-2", (9, 27.5)),
    ]

    plan = SavingsBatching().plan(orders, CartCapacity(lines=2), LAYOUT)

    assert sorted(trip.orders for trip in plan.trips) == [
        ("SO-far-1", "SO-far-2"),
        ("SO-near-1", "SO-near-2"),
    ]


def test_trip_stops_follow_the_route_and_name_order_and_line():
    orders = [order("SO-1", (0, 10.5), (0, 2.5))]

    plan = SavingsBatching().plan(orders, CartCapacity(lines=12), LAYOUT)

    assert plan.trips[0].stops == (("SO-1", 1), ("SO-1", 0))
    assert plan.trips[0].length == pytest.approx(21.0)


def test_an_order_bigger_than_the_cart_is_left_out_when_splitting_is_not_allowed():
    big = order("SO-big", *[(k, 5.5) for k in range(5)])

    for strategy in STRATEGIES:
        plan = strategy.plan([big, order("SO-1", (1, 1.5))], CartCapacity(lines=3), LAYOUT)

        assert plan.unbatched == ("SO-big",)
        assert [trip.orders for trip in plan.trips] == [("SO-1",)]


def test_an_order_bigger_than_the_cart_is_split_into_cart_sized_trips_when_allowed():
    big = order("SO-big", *[(k, 5.5) for k in range(5)])

    plan = FirstComeBatching(allow_split=True).plan([big], CartCapacity(lines=2), LAYOUT)

    assert [len(trip.stops) for trip in plan.trips] == [2, 2, 1]
    assert all(trip.orders == ("SO-big",) for trip in plan.trips)
    assert_every_line_picked_once([big], plan)


def test_a_line_heavier_than_the_cart_cannot_be_split_and_is_left_out():
    heavy = order("SO-heavy", (1, 1.5), weight=300_000)

    plan = SavingsBatching(allow_split=True).plan([heavy], CartCapacity(weight_g=250_000), LAYOUT)

    assert plan.unbatched == ("SO-heavy",)
    assert plan.trips == ()


def test_zones_are_picked_on_separate_trips_when_configured():
    mixed = PickOrder(
        "SO-1",
        (
            OrderLine(PickPoint(1, 3.5), "A"),
            OrderLine(PickPoint(8, 3.5), "B"),
            OrderLine(PickPoint(2, 3.5), "A"),
        ),
    )

    plan = SavingsBatching(by_zone=True).plan([mixed], CartCapacity(lines=12), LAYOUT)

    assert sorted((trip.zone, sorted(trip.stops)) for trip in plan.trips) == [
        ("A", [("SO-1", 0), ("SO-1", 2)]),
        ("B", [("SO-1", 1)]),
    ]


CARTS = st.builds(
    CartCapacity,
    lines=st.sampled_from([None, 4, 12]),
    totes=st.sampled_from([None, 3, 6]),
    volume_l=st.sampled_from([None, Decimal(40), Decimal(120)]),
    weight_g=st.sampled_from([None, 8_000, 20_000]),
)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), CARTS, st.booleans(), st.booleans())
def test_no_cart_is_overfilled_and_every_line_is_picked_once(seed, cart, allow_split, by_zone):
    orders = random_orders(random.Random(seed), 14, zones=("A", "B"))

    for strategy in (FirstComeBatching, SeedBatching, SavingsBatching):
        plan = strategy(allow_split=allow_split, by_zone=by_zone).plan(orders, cart, LAYOUT)

        assert all(trip.load.fits(cart) for trip in plan.trips)
        assert_every_line_picked_once(orders, plan)
        if not allow_split:
            trips_per_order_zone = [
                (order_id, trip.zone) for trip in plan.trips for order_id in trip.orders
            ]
            assert len(trips_per_order_zone) == len(set(trips_per_order_zone))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_savings_batching_never_walks_more_than_one_order_per_trip(seed):
    orders = random_orders(random.Random(seed), 16)
    router = OptimalAisleRoute()
    one_by_one = sum(router.route(LAYOUT, [ln.point for ln in o.lines]).length for o in orders)

    plan = SavingsBatching().plan(orders, CartCapacity(lines=12), LAYOUT)

    assert plan.length <= one_by_one + 1e-9
    assert len(plan.trips) < len(orders)
