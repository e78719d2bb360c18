"""Picker routes: the aisle programme is exact, heuristics are valid walks."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.strategies.routing import (
    AisleLayout,
    FreeLayout,
    HeldKarpRoute,
    LargestGapRoute,
    NearestNeighbourTwoOptRoute,
    OptimalAisleRoute,
    PickPoint,
    SShapeRoute,
    XYPoint,
    tour_length,
)

HEURISTICS = [SShapeRoute(), LargestGapRoute(), NearestNeighbourTwoOptRoute()]


def random_instance(rng: random.Random, max_picks: int = 8):
    """A small layout, depot anywhere, picks on half-metre marks (duplicates allowed)."""
    aisles = rng.randint(1, 7)
    length = rng.randint(2, 10)
    layout = AisleLayout(aisles, float(length), rng.choice([1.0, 2.5, 3.0]), rng.randrange(aisles))
    picks = [
        PickPoint(rng.randrange(aisles), rng.randint(0, 2 * length) / 2)
        for _ in range(rng.randint(1, max_picks))
    ]
    return layout, picks


@st.composite
def instances(draw):
    aisles = draw(st.integers(1, 6))
    length = draw(st.integers(1, 12))
    layout = AisleLayout(
        aisles,
        float(length),
        draw(st.sampled_from([1.0, 3.0, 7.5])),
        draw(st.integers(0, aisles - 1)),
    )
    picks = draw(
        st.lists(
            st.builds(
                PickPoint,
                st.integers(0, aisles - 1),
                st.integers(0, 4 * length).map(lambda q: q / 4),
            ),
            min_size=1,
            max_size=7,
        )
    )
    return layout, picks


def test_optimal_route_equals_the_brute_force_optimum_on_300_random_warehouses():
    rng = random.Random(20240601)

    for _ in range(300):
        layout, picks = random_instance(rng)

        optimal = OptimalAisleRoute().route(layout, picks)

        assert optimal.length == pytest.approx(HeldKarpRoute().route(layout, picks).length)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_optimal_route_is_never_beaten_by_the_brute_force_solver(instance):
    layout, picks = instance

    optimal = OptimalAisleRoute().route(layout, picks)

    assert optimal.length == pytest.approx(HeldKarpRoute().route(layout, picks).length)


def test_optimal_sequence_visits_every_pick_once_and_walks_the_optimal_length():
    rng = random.Random(7)

    for _ in range(200):
        layout, picks = random_instance(rng, max_picks=40)

        route = OptimalAisleRoute().route(layout, picks)

        assert sorted(route.sequence) == list(range(len(picks)))
        assert tour_length(layout, picks, route.sequence) == pytest.approx(route.length)


def test_optimal_route_in_a_large_warehouse_walks_its_reported_length():
    rng = random.Random(11)
    layout = AisleLayout(100, 30.0, 3.0, depot_aisle=50)
    picks = [PickPoint(rng.randrange(100), rng.randrange(30) + 0.5) for _ in range(500)]

    route = OptimalAisleRoute().route(layout, picks)

    assert sorted(route.sequence) == list(range(500))
    assert tour_length(layout, picks, route.sequence) == pytest.approx(route.length)


def test_two_picks_near_the_front_are_fetched_along_the_front_aisle():
    layout = AisleLayout(aisles=3, aisle_length=10.0, aisle_pitch=2.0, depot_aisle=0)
    picks = [PickPoint(0, 1.0), PickPoint(2, 1.0)]

    optimal = OptimalAisleRoute().route(layout, picks)
    s_shape = SShapeRoute().route(layout, picks)

    assert optimal.length == pytest.approx(1 + 1 + 4 + 1 + 1 + 4)
    assert optimal.sequence in {(0, 1), (1, 0)}
    assert s_shape.length == pytest.approx(10 + 10 + 4 + 4)


def test_no_picks_means_no_walk():
    layout = AisleLayout(4, 20.0, 3.0)

    for router in [OptimalAisleRoute(), *HEURISTICS]:
        assert router.route(layout, []).length == 0
        assert router.route(layout, []).sequence == ()


def test_picks_only_in_the_depot_aisle_are_an_out_and_back_walk():
    layout = AisleLayout(5, 30.0, 3.0, depot_aisle=2)
    picks = [PickPoint(2, 12.5), PickPoint(2, 4.5)]

    route = OptimalAisleRoute().route(layout, picks)

    assert route.length == pytest.approx(25.0)
    assert route.sequence == (1, 0)


def test_depot_right_of_every_pick_is_still_visited():
    layout = AisleLayout(6, 10.0, 2.0, depot_aisle=5)
    picks = [PickPoint(0, 9.0), PickPoint(1, 1.0)]

    route = OptimalAisleRoute().route(layout, picks)

    assert route.length == pytest.approx(HeldKarpRoute().route(layout, picks).length)
    assert tour_length(layout, picks, route.sequence) == pytest.approx(route.length)


def test_a_pick_outside_the_layout_is_refused():
    layout = AisleLayout(3, 10.0, 3.0)

    with pytest.raises(ValueError, match="outside"):
        OptimalAisleRoute().route(layout, [PickPoint(3, 1.0)])


@pytest.mark.parametrize("router", HEURISTICS, ids=lambda r: r.name)
def test_heuristic_routes_visit_every_pick_and_never_beat_the_optimum(router):
    rng = random.Random(3)

    for _ in range(150):
        layout, picks = random_instance(rng, max_picks=9)

        route = router.route(layout, picks)

        assert sorted(route.sequence) == list(range(len(picks)))
        assert route.length >= HeldKarpRoute().route(layout, picks).length - 1e-9
        assert tour_length(layout, picks, route.sequence) <= route.length + 1e-9


def test_s_shape_returns_from_the_last_aisle_when_the_aisle_count_is_odd():
    layout = AisleLayout(3, 10.0, 2.0, depot_aisle=0)
    picks = [PickPoint(0, 5.0), PickPoint(1, 5.0), PickPoint(2, 3.0)]

    route = SShapeRoute().route(layout, picks)

    assert route.length == pytest.approx(10 + 10 + 2 * 3 + 2 * 2 * 2)
    assert route.sequence == (0, 1, 2)


def test_largest_gap_reaches_a_middle_aisle_from_both_ends_without_crossing_the_gap():
    layout = AisleLayout(3, 10.0, 2.0, depot_aisle=0)
    picks = [PickPoint(0, 5.0), PickPoint(1, 1.0), PickPoint(1, 9.0), PickPoint(2, 5.0)]

    route = LargestGapRoute().route(layout, picks)

    assert route.length == pytest.approx(10 + 10 + 2 * (10 - 8) + 2 * 2 * 2)
    assert route.sequence == (0, 2, 3, 1)


def test_aisle_routers_fall_back_to_nearest_neighbour_on_a_free_layout():
    layout = FreeLayout(XYPoint(0, 0))
    picks = [XYPoint(5, 5), XYPoint(1, 0), XYPoint(5, 0)]

    for router in (OptimalAisleRoute(), SShapeRoute(), LargestGapRoute()):
        route = router.route(layout, picks)

        assert route.strategy == "nearest_neighbour_2opt"
        assert route.length == pytest.approx(20.0)


def test_two_opt_untangles_a_crossing_tour():
    layout = FreeLayout(XYPoint(0, 0), metric="euclidean")
    picks = [XYPoint(0, 10), XYPoint(10, 0), XYPoint(10, 10), XYPoint(5, -1), XYPoint(-1, 5)]

    route = NearestNeighbourTwoOptRoute().route(layout, picks)

    assert route.length == pytest.approx(HeldKarpRoute().route(layout, picks).length)
    assert tour_length(layout, picks, route.sequence) == pytest.approx(route.length)


def test_exact_solver_refuses_long_pick_lists():
    layout = FreeLayout()
    picks = [XYPoint(i, 0) for i in range(13)]

    with pytest.raises(ValueError, match="too many"):
        HeldKarpRoute(max_picks=12).route(layout, picks)


def test_layout_rejects_a_depot_outside_its_aisles():
    with pytest.raises(ValueError):
        AisleLayout(aisles=3, aisle_length=10.0, aisle_pitch=3.0, depot_aisle=3)


def test_walk_to_the_next_aisle_goes_round_by_the_nearer_cross_aisle():
    layout = AisleLayout(2, 10.0, 3.0)

    metres = layout.distance(PickPoint(0, 2.0), PickPoint(1, 9.0))

    assert math.isclose(metres, 3 + (10 - 2) + (10 - 9))
