"""Replenishment: pick faces below min or short for a wave get replenish tasks from reserve."""

from decimal import Decimal

import pytest

from tests.flowterm import Terminal
from tests.inventory.helpers import ledger_ok
from tests.taskfloor import LEASE, fetch, person, task
from wms.model import LocationType, PickFaceSetting, TaskStatus, TaskType
from wms.services import claims, replenishment


@pytest.fixture
def faces(floor):
    """Face P-01-01-1 holds 5 Widgets (min 10, max 50, cases of 12); reserve R-01-01-1 has 100."""
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")])
    floor.stock("SKU-1", "P-01-01-1", 5)
    floor.stock("SKU-1", "R-01-01-1", 100)
    face, item = floor.location("P-01-01-1"), floor.item("SKU-1")
    with floor.factory() as s, s.begin():
        s.add(PickFaceSetting(warehouse_id=floor.warehouse_id, location_id=face.id,
                              item_id=item.id, min_qty=Decimal(10), max_qty=Decimal(50),
                              unit_qty=Decimal(12)))
    return floor


def run(floor, demand=None):
    with floor.factory() as s, s.begin():
        return [t.id for t in replenishment.replenish(s, warehouse_id=floor.warehouse_id,
                                                      demand=demand)]


def test_a_face_below_min_gets_a_task_from_reserve_in_whole_cases(faces):
    (task_id,) = run(faces)

    made = fetch(faces, task_id)
    assert made.type is TaskType.replenish
    assert (made.qty, made.from_location_id, made.to_location_id) == (
        Decimal(36), faces.location("R-01-01-1").id, faces.location("P-01-01-1").id)
    assert made.status is TaskStatus.released


def test_a_second_check_counts_the_replenishment_already_on_its_way(faces):
    run(faces)

    assert run(faces) == []


def test_a_wave_short_at_the_face_is_urgent_and_outranks_its_picks(faces):
    pick_task = task(faces, TaskType.pick, source="P-01-01-1", sku="SKU-1", qty=5, priority=5)
    demand = {(faces.location("P-01-01-1").id, faces.item("SKU-1").id): Decimal(40)}

    (task_id,) = run(faces, demand)

    made = fetch(faces, task_id)
    assert made.qty == Decimal(48)  # 45 wanted - 5 there = 40 short → 4 cases, past max
    assert made.priority > fetch(faces, pick_task.id).priority


def test_a_picker_claims_the_replenishment_before_the_pick_and_does_it_by_scan(faces):
    pick_task = task(faces, TaskType.pick, source="P-01-01-1", sku="SKU-1", qty=5)
    (task_id,) = run(faces)
    ann = person(faces, "ann")
    with faces.factory() as s, s.begin():
        (first,) = claims.claim_next(s, user=s.merge(ann), warehouse_id=faces.warehouse_id,
                                     device_id="PDA-1", lease_seconds=LEASE)
        first_id = first.id
    pda = Terminal(faces, ann)

    pda.start("move", task_id=first_id)
    pda.scan("R-01-01-1", "6901234567892", "36")
    done = pda.scan("P-01-01-1")

    assert first_id == task_id != pick_task.id
    assert done["state"] == "done"
    assert faces.on_hand("SKU-1", "P-01-01-1") == Decimal(41)
    assert fetch(faces, task_id).status is TaskStatus.done
    assert ledger_ok(faces)


def test_pallet_reserve_goes_to_a_forklift_driver(faces):
    with faces.factory() as s, s.begin():
        from wms.model import Location
        s.get(Location, faces.location("R-01-01-1").id).type = LocationType.pallet_rack

    (task_id,) = run(faces)

    assert fetch(faces, task_id).required_skill == "forklift"


def test_no_reserve_stock_means_no_task(floor):
    floor.item("SKU-9")
    floor.stock("SKU-9", "P-01-01-2", 1)
    face, item = floor.location("P-01-01-2"), floor.item("SKU-9")
    with floor.factory() as s, s.begin():
        s.add(PickFaceSetting(warehouse_id=floor.warehouse_id, location_id=face.id,
                              item_id=item.id, min_qty=Decimal(5), max_qty=Decimal(10)))

    assert run(floor) == []
