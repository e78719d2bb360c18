"""Putaway: each rule, the chain, capacity with stock on its way, and the index."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from wms.strategies.putaway import (
    AddToExistingStock,
    ByAbcClass,
    Capacity,
    FixedLocation,
    Load,
    MixRule,
    NearestEmptyLocation,
    PutawayChain,
    PutawayIndex,
    PutawayLocation,
    PutawayUnit,
)
from wms.strategies.putaway.reference import naive_suggest

D = Decimal
PALLET_SLOT = Capacity(volume_l=D("1500"), weight_g=1_000_000, containers=1, skus=1)


def location(code, zone="A", distance=0.0, **fields):
    return PutawayLocation(code, zone, distance=distance, **fields)


def pallet(item="SKU-1", lot=None, zone=None, abc=None, volume="800", weight=400_000):
    return PutawayUnit(item, D("48"), lot, D(volume), weight, 1, zone, abc)


def stock(item="SKU-1", lot=None, volume="800", weight=400_000, containers=1):
    return Load(item, lot, D(volume), weight, containers)


STANDARD = PutawayChain([FixedLocation(), AddToExistingStock(), NearestEmptyLocation()])


def test_fixed_location_is_chosen_when_it_has_room():
    index = PutawayIndex(
        [location("A-01-01-1", distance=1), location("A-09-01-1", distance=40)],
        fixed_locations={"SKU-1": ["A-09-01-1"]},
    )

    suggestion = STANDARD.suggest(pallet(), index)

    assert (suggestion.location, suggestion.reason) == ("A-09-01-1", "fixed_location")
    assert suggestion.params == {"location": "A-09-01-1"}


def test_full_fixed_location_falls_through_to_the_nearest_empty_location():
    fixed = location("A-09-01-1", distance=40, capacity=PALLET_SLOT)
    index = PutawayIndex(
        [fixed, location("A-02-01-1", distance=5)],
        stock=[("A-09-01-1", stock())],
        fixed_locations={"SKU-1": ["A-09-01-1"]},
    )

    suggestion = STANDARD.suggest(pallet(), index)

    assert (suggestion.location, suggestion.reason) == ("A-02-01-1", "nearest_empty_in_zone")


def test_add_to_existing_stock_prefers_the_nearest_location_with_the_item():
    index = PutawayIndex(
        [
            location("A-01", distance=1),
            location("A-03-12-2", distance=12),
            location("A-20", distance=50),
        ],
        stock=[("A-03-12-2", stock()), ("A-20", stock())],
    )

    suggestion = AddToExistingStock().suggest(pallet(), index)

    assert (suggestion.reason, suggestion.params) == (
        "same_item_in_location",
        {"location": "A-03-12-2"},
    )


def test_add_to_same_lot_ignores_locations_holding_other_lots():
    index = PutawayIndex(
        [location("A-01", distance=1), location("A-02", distance=2)],
        stock=[("A-01", stock(lot="L1")), ("A-02", stock(lot="L2"))],
        default_mix=MixRule(mixed_lots=True),
    )

    suggestion = AddToExistingStock(same_lot=True).suggest(pallet(lot="L2"), index)

    assert (suggestion.location, suggestion.reason) == ("A-02", "same_lot_in_location")
    assert suggestion.params["lot"] == "L2"


def test_nearest_empty_location_stays_in_the_items_zone():
    index = PutawayIndex(
        [location("A-01", "A", 1), location("B-07", "B", 30), location("B-02", "B", 20)],
    )

    suggestion = NearestEmptyLocation().suggest(pallet(zone="B"), index)

    assert (suggestion.location, suggestion.reason) == ("B-02", "nearest_empty_in_zone")
    assert suggestion.params == {"zone": "B", "location": "B-02"}


def test_blocked_and_non_storable_locations_are_never_suggested():
    index = PutawayIndex(
        [
            location("A-01", distance=1, blocked=True),
            location("A-02", distance=2, storable=False),
            location("A-03", distance=3),
        ],
        fixed_locations={"SKU-1": ["A-01"]},
    )

    suggestion = STANDARD.suggest(pallet(), index)

    assert suggestion.location == "A-03"


def test_fast_movers_go_to_the_a_locations_nearest_dispatch():
    index = PutawayIndex(
        [location("C-1", distance=90, abc_class="C"), location("A-1", distance=5, abc_class="A")]
    )

    fast = ByAbcClass().suggest(pallet(abc="A"), index)
    slow = ByAbcClass().suggest(pallet(abc="C"), index)

    assert (fast.location, fast.params["abc_class"]) == ("A-1", "A")
    assert (slow.location, slow.reason) == ("C-1", "abc_class_location")


def test_a_fast_mover_overflows_into_the_next_slower_class_before_a_faster_one():
    index = PutawayIndex(
        [location("A-1", distance=5, abc_class="A"), location("C-1", distance=90, abc_class="C")],
        stock=[("A-1", stock(item="OTHER"))],
    )

    suggestion = ByAbcClass().suggest(pallet(abc="B"), index)

    assert (suggestion.location, suggestion.params["abc_class"]) == ("C-1", "C")


@pytest.mark.parametrize(
    ("capacity", "limit"),
    [
        (Capacity(volume_l=D("1000")), "volume_exceeded"),
        (Capacity(weight_g=600_000), "weight_exceeded"),
        (Capacity(containers=1), "containers_exceeded"),
    ],
)
def test_stock_on_its_way_counts_against_capacity(capacity, limit):
    index = PutawayIndex(
        [location("A-01", capacity=capacity)],
        incoming=[("A-01", stock(volume="300", weight=300_000))],
    )

    assert index.misfit("A-01", pallet()) == limit


def test_a_location_with_room_for_both_takes_stock_and_incoming_together():
    index = PutawayIndex(
        [location("A-01", capacity=Capacity(volume_l=D("1600"), containers=2))],
        incoming=[("A-01", stock())],
    )

    assert index.misfit("A-01", pallet()) is None


def test_sku_limit_counts_items_on_their_way():
    index = PutawayIndex(
        [location("A-01", capacity=Capacity(skus=2))],
        stock=[("A-01", stock(item="X"))],
        incoming=[("A-01", stock(item="Y"))],
        default_mix=MixRule(mixed_items=True),
    )

    assert index.misfit("A-01", pallet(item="Z")) == "skus_exceeded"
    assert index.misfit("A-01", pallet(item="X")) is None


def test_two_pallets_are_never_sent_to_one_free_location():
    index = PutawayIndex(
        [
            location("A-01", distance=1, capacity=PALLET_SLOT),
            location("A-02", distance=2, capacity=PALLET_SLOT),
        ]
    )

    plan = STANDARD.plan([pallet(item="X"), pallet(item="Y"), pallet(item="Z")], index)

    assert [s.location for s in plan] == ["A-01", "A-02", None]
    assert plan[2].reason == "no_location_fits"


def test_a_shelf_refuses_a_second_item_unless_its_type_allows_mixing():
    shelf, bulk = location("S-01", type="shelf"), location("B-01", type="bulk")
    index = PutawayIndex(
        [shelf, bulk],
        stock=[("S-01", stock(item="OTHER")), ("B-01", stock(item="OTHER"))],
        mix_rules={"bulk": MixRule(mixed_items=True)},
    )

    assert index.misfit("S-01", pallet()) == "mixed_items_not_allowed"
    assert index.misfit("B-01", pallet()) is None


def test_mixed_lots_are_refused_where_the_location_type_forbids_them():
    index = PutawayIndex(
        [location("F-01", type="flow_rack")],
        stock=[("F-01", stock(lot="L1"))],
        mix_rules={"flow_rack": MixRule(mixed_lots=False)},
    )

    assert index.misfit("F-01", pallet(lot="L2")) == "mixed_lots_not_allowed"
    assert index.misfit("F-01", pallet(lot="L1")) is None


def test_when_nothing_fits_the_reason_names_every_rule_tried():
    index = PutawayIndex([location("A-01")], stock=[("A-01", stock(item="OTHER"))])

    suggestion = STANDARD.suggest(pallet(), index)

    assert not suggestion.fits
    assert suggestion.reason == "no_location_fits"
    assert suggestion.params["tried"] == (
        "fixed_location: no_fixed_location; "
        "add_to_existing_stock: no_location_with_item; "
        "nearest_empty_location: no_empty_location_in_zone"
    )


def test_indexed_chain_chooses_exactly_what_a_full_scan_chooses():
    rng = random.Random(5)

    for _ in range(20):
        build, _, units = random_warehouse(rng)
        index_a, index_b = build(), build()

        for unit in units:
            suggestion = STANDARD.suggest(unit, index_a)
            expected = naive_suggest(unit, index_b)

            assert suggestion.location == expected
            if expected is not None:
                index_a.add_incoming(expected, unit)
                index_b.add_incoming(expected, unit)


def random_warehouse(rng: random.Random, units: int = 25):
    """A builder of fresh indexes over a random small warehouse, its stock, and units."""
    locations = [
        location(
            f"{zone}-{k:02d}",
            zone,
            float(rng.randint(1, 30)),
            abc_class=rng.choice("ABC"),
            capacity=Capacity(
                volume_l=D(rng.choice([1000, 2000])), containers=rng.choice([1, 2, 3]), skus=2
            ),
        )
        for zone in "AB"
        for k in range(15)
    ]
    items = [f"SKU-{k}" for k in range(6)]
    stock_rows = [
        (code, stock(rng.choice(items), volume="500"))
        for code in rng.sample([loc.code for loc in locations], 8)
    ]
    fixed = {"SKU-0": [locations[0].code]}
    to_put_away = [
        pallet(rng.choice(items), zone=rng.choice([None, "A", "B"]), abc="B", volume="500")
        for _ in range(units)
    ]

    def build() -> PutawayIndex:
        return PutawayIndex(
            locations, stock_rows, fixed_locations=fixed, default_mix=MixRule(mixed_items=True)
        )

    return build, stock_rows, to_put_away


def test_a_whole_receipt_never_overfills_any_location():
    rng = random.Random(9)

    for _ in range(10):
        build, stock_rows, units = random_warehouse(rng, units=60)
        index = build()
        chain = PutawayChain([AddToExistingStock(), ByAbcClass(), NearestEmptyLocation()])

        plan = chain.plan(units, index)

        volume: dict[str, Decimal] = {}
        containers: dict[str, int] = {}
        items: dict[str, set[str]] = {}
        for code, load in stock_rows:
            volume[code] = volume.get(code, D(0)) + load.volume_l
            containers[code] = containers.get(code, 0) + load.containers
            items.setdefault(code, set()).add(load.item)
        for unit, suggestion in zip(units, plan, strict=True):
            if suggestion.fits:
                code = suggestion.location
                volume[code] = volume.get(code, D(0)) + unit.volume_l
                containers[code] = containers.get(code, 0) + unit.containers
                items.setdefault(code, set()).add(unit.item)
        for code, used in volume.items():
            capacity = index.locations[code].capacity
            assert used <= capacity.volume_l
            assert containers[code] <= capacity.containers
            assert len(items[code]) <= capacity.skus
        assert any(not s.fits for s in plan)
