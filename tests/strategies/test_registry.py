"""Strategies are chosen by the name the configuration gives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wms import strategies
from wms.strategies.putaway import PutawayIndex, PutawayLocation, PutawayUnit
from wms.strategies.removal import FefoRemoval
from wms.strategies.routing import OptimalAisleRoute


def test_a_strategy_is_built_from_its_config_name():
    assert isinstance(strategies.get("removal", "fefo"), FefoRemoval)
    assert isinstance(strategies.get("routing", "optimal_aisle"), OptimalAisleRoute)


def test_every_registered_strategy_answers_to_its_own_name():
    for kind in ("routing", "batching", "removal", "putaway"):
        for name in strategies.names(kind):
            assert strategies.get(kind, name).name == name


def test_an_unknown_name_is_a_configuration_error_with_a_code():
    with pytest.raises(strategies.UnknownStrategy) as raised:
        strategies.get("removal", "lifo")

    assert raised.value.code == "unknown_strategy"
    assert raised.value.params == {"kind": "removal", "name": "lifo"}


def test_a_putaway_chain_is_built_from_names_and_tables():
    chain = strategies.putaway_chain(
        ["fixed_location", {"name": "nearest_empty_location", "zone": "B"}]
    )
    index = PutawayIndex([PutawayLocation("A-01", "A"), PutawayLocation("B-01", "B")])

    suggestion = chain.suggest(PutawayUnit("SKU-1", Decimal(1)), index)

    assert [rule.name for rule in chain.rules] == ["fixed_location", "nearest_empty_location"]
    assert (suggestion.location, suggestion.params["zone"]) == ("B-01", "B")
