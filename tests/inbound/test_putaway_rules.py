"""Putaway rules as the console saves them: the next putaway task follows the changed chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.inbound.dock import Dock
from tests.inbound.test_putaway import reason, receive_pallets
from wms import strategies
from wms.errors import ValidationFailed
from wms.model import AuditLog, Task, Tracking, Warehouse
from wms.services import item_profiles, putaway_rules
from wms.services.inbound_rules import InvalidLotFormat
from wms.services.putaway_rules import PutawayConfig, RuleRow
from wms.strategies.putaway import MixRule

EXPIRY = date(2026, 12, 31)


def save_rules(dock: Dock, *rules: RuleRow, **kw) -> None:
    with dock.factory() as s, s.begin():
        putaway_rules.save_config(s, dock.floor.warehouse_id, PutawayConfig(list(rules), **kw))


def settings_of(dock: Dock) -> dict:
    with dock.factory() as s:
        return dict(s.get(Warehouse, dock.floor.warehouse_id).settings)


def test_a_changed_chain_changes_the_next_putaway_suggestion(dock: Dock) -> None:
    dock.item_rules("SKU-A", fixed_location_id=dock.floor.location("A-01-03-1").id)
    (before,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))

    save_rules(
        dock,
        RuleRow("nearest_empty_location"),
        RuleRow("fixed_location", enabled=False),
    )
    (after,) = receive_pallets(dock, "PO-2", ("LPN-2", "SKU-A", 10))

    assert reason(dock, before.id) == ("fixed_location", {"location": "A-01-03-1"})
    assert reason(dock, after.id) == (
        "nearest_empty_in_zone",
        {"zone": "any", "location": "A-01-01-1"},
    )
    assert settings_of(dock)["putaway"]["chain"] == [
        "nearest_empty_location",
        {"name": "fixed_location", "enabled": False},
    ]


def test_a_zone_rule_sends_stock_to_its_zone_first(dock: Dock) -> None:
    dock.floor.location("B-01-01-1", zone="B", x=Decimal(50), y=Decimal(0))
    save_rules(
        dock,
        RuleRow("nearest_empty_location", options={"zone": "B"}),
        RuleRow("nearest_empty_location"),
    )

    first, second = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 1), ("LPN-2", "SKU-X", 1))

    assert [dock.code(t.to_location_id) for t in (first, second)] == ["B-01-01-1", "A-01-01-1"]
    assert reason(dock, first.id)[1]["zone"] == "B"


def test_the_preview_shows_what_the_next_task_gets_and_writes_nothing(dock: Dock) -> None:
    dock.floor.stock("SKU-A", "A-01-02-1", 1)
    save_rules(dock, RuleRow("add_to_existing_stock"), default_mix=MixRule(mixed_items=False))

    with dock.factory() as s:
        preview = putaway_rules.preview_putaway(
            s, dock.floor.warehouse_id, sku="SKU-A", qty=Decimal(3), containers=0
        )
        tasks_after_preview = s.scalar(select(func.count()).select_from(Task))
    order = dock.order("PO-1", [("SKU-A", 3)])
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-A", 3)
    (task,) = dock.close(receipt).putaway_tasks

    assert tasks_after_preview == 0
    assert (preview.suggestion.location, preview.suggestion.reason) == (
        "A-01-02-1",
        "same_item_in_location",
    )
    assert dock.code(task.to_location_id) == preview.suggestion.location


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ((RuleRow("teleport"),), "rules-0-name"),
        ((RuleRow("fixed_location", enabled=False),), "rules"),
        ((RuleRow("fixed_location", options={"depth": 3}),), "rules-0-opt-depth"),
    ],
)
def test_a_bad_chain_is_refused_and_the_warehouse_keeps_its_rules(dock: Dock, rules, field) -> None:
    save_rules(dock, RuleRow("nearest_empty_location"))

    with pytest.raises(ValidationFailed) as refused:
        save_rules(dock, *rules)

    assert [e.field for e in refused.value.errors] == [field]
    assert settings_of(dock)["putaway"]["chain"] == ["nearest_empty_location"]
    with dock.factory() as s:
        saved = s.scalars(select(AuditLog.action).where(AuditLog.action.like("warehouse.%")))
        assert list(saved) == ["warehouse.putaway_rules_saved"]


def test_other_warehouse_settings_survive_a_rules_change(dock: Dock) -> None:
    with dock.factory() as s, s.begin():
        warehouse = s.get(Warehouse, dock.floor.warehouse_id)
        warehouse.settings = {"inbound": {"receiving_location": "DOCK-01"}}

    save_rules(dock, RuleRow("fixed_location"), mix_rules={"floor": MixRule(True, False)})

    stored = settings_of(dock)
    assert stored["inbound"] == {"receiving_location": "DOCK-01"}
    assert stored["putaway"]["mix_rules"] == {"floor": {"mixed_items": True, "mixed_lots": False}}


def test_a_disabled_rule_is_named_in_the_config_but_left_out_of_the_chain() -> None:
    chain = strategies.putaway_chain(
        [{"name": "fixed_location", "enabled": False}, "nearest_empty_location"]
    )

    assert [rule.name for rule in chain.rules] == ["nearest_empty_location"]
    with pytest.raises(strategies.UnknownStrategy):
        strategies.putaway_chain([{"name": "teleport", "enabled": False}, "fixed_location"])


def test_a_lot_pattern_saved_for_an_item_is_enforced_at_the_dock(dock: Dock) -> None:
    item_id = dock.floor.item("SKU-LOT", tracking=Tracking.lot).id
    with dock.factory() as s, s.begin():
        item_profiles.save_item_profile(
            s,
            item_id,
            item_profiles.ItemProfileForm(lot_pattern=r"L\d{4}"),
            warehouse_id=dock.floor.warehouse_id,
        )
    receipt = dock.start(dock.order("PO-1", [("SKU-LOT", 2)]))

    dock.receive(receipt, "SKU-LOT", 1, lot_no="L0042", expiry=EXPIRY)
    with pytest.raises(InvalidLotFormat):
        dock.receive(receipt, "SKU-LOT", 1, lot_no="BATCH-7", expiry=EXPIRY)
