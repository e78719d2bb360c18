"""Pure planners: which locations are due for counting, which pick faces need stock."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from wms.strategies import registry
from wms.strategies.counting import AbcCountPlanner, FrequencyCountPlanner, LocationToCount
from wms.strategies.replenishment import MinMaxReplenishment, PickFace

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def test_abc_plan_counts_a_monthly_b_quarterly_c_yearly():
    locations = [
        LocationToCount(1, "A-1", "A", ago(31)),
        LocationToCount(2, "A-2", "A", ago(10)),
        LocationToCount(3, "B-1", "B", ago(60)),
        LocationToCount(4, "B-2", "B", ago(100)),
        LocationToCount(5, "C-1", "C", ago(200)),
        LocationToCount(6, "C-2", None, ago(400)),
        LocationToCount(7, "N-1", "A", None),
    ]

    due = AbcCountPlanner().due(locations, now=NOW)

    assert [d.code for d in due] == ["C-2", "B-2", "A-1", "N-1"]
    assert due[0].overdue_days == 35


def test_abc_frequencies_are_configurable_and_limit_takes_the_most_overdue():
    locations = [LocationToCount(i, f"L-{i}", "A", ago(i)) for i in range(1, 11)]

    due = AbcCountPlanner(days={"a": 7}).due(locations, now=NOW, limit=2)

    assert [d.code for d in due] == ["L-10", "L-9"]


def test_a_frequency_of_zero_days_is_refused():
    with pytest.raises(ValueError):
        AbcCountPlanner(days={"A": 0})
    with pytest.raises(ValueError):
        FrequencyCountPlanner(days=0)


def test_frequency_plan_counts_never_counted_locations_now():
    locations = [LocationToCount(1, "Z-1", None, ago(5)), LocationToCount(2, "Z-2")]

    due = FrequencyCountPlanner(days=7).due(locations, now=NOW)

    assert [(d.code, d.due_at) for d in due] == [("Z-2", NOW)]


def face(on_hand, *, demand=0, incoming=0, min_qty=10, max_qty=50, unit=12):
    return PickFace(1, 100, 7, Decimal(min_qty), Decimal(max_qty), Decimal(unit),
                    Decimal(on_hand), Decimal(incoming), Decimal(demand))


def test_below_min_fills_up_to_max_in_whole_cases_never_over():
    need = MinMaxReplenishment().need(face(5))

    assert need is not None
    assert (need.qty, need.urgent) == (Decimal(36), False)  # 5 + 36 = 41 ≤ 50; 48 would overflow


def test_at_or_above_min_needs_nothing():
    assert MinMaxReplenishment().need(face(10)) is None
    assert MinMaxReplenishment().need(face(5, incoming=12)) is None


def test_a_wave_needing_more_than_the_face_holds_is_urgent_and_covered():
    need = MinMaxReplenishment().need(face(20, demand=90))

    assert need is not None
    assert need.shortage == Decimal(70)
    assert need.urgent
    assert need.qty == Decimal(72)  # the shortage rounded up to whole cases, past max


def test_plan_puts_shortages_first():
    faces = [face(5), PickFace(2, 200, 8, Decimal(1), Decimal(10), Decimal(1), Decimal(0),
                               Decimal(0), Decimal(4))]

    plan = MinMaxReplenishment().plan(faces)

    assert [(r.location_id, r.urgent) for r in plan] == [(200, True), (100, False)]
    assert plan[0].qty == Decimal(10)


def test_planners_are_chosen_by_name():
    assert isinstance(registry.get("counting", "abc"), AbcCountPlanner)
    assert isinstance(registry.get("replenishment", "min_max"), MinMaxReplenishment)
