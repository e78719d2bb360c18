"""Putaway wiring: the strategy chain over real stock and open tasks, reasons, confirmation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.inbound.dock import Dock
from wms.errors import LocationBlocked
from wms.model import Container, Location, TaskStatus
from wms.services import putaway
from wms.services import tasks as task_service
from wms.services.inbound_rules import LocationFull


def receive_pallets(dock: Dock, external_id: str, *pallets: tuple[str, str, int]):
    """Receive (lpn, sku, qty) pallets on one order and close the receipt."""
    order = dock.order(external_id, [(sku, qty) for _, sku, qty in pallets])
    receipt = dock.start(order)
    for lpn, sku, qty in pallets:
        dock.receive(receipt, sku, qty, container_id=dock.pallet(lpn).id)
    return dock.close(receipt).putaway_tasks


def reason(dock: Dock, task_id: int) -> tuple[str, dict]:
    with dock.factory() as s:
        found = putaway.reason_of(s, task_id)
        assert found is not None
        return found.reason, dict(found.params)


def take(dock: Dock, task_id: int) -> None:
    with dock.factory() as s, s.begin():
        task_service.assign(s, task_id=task_id, user_id=dock.driver.id,
                            actor_id=dock.driver.id, lease_seconds=900)


def put(dock: Dock, task_id: int, code: str):
    with dock.factory() as s, s.begin():
        loc = s.scalars(select(Location).where(Location.code == code)).one()
        return putaway.confirm_putaway(s, task_id=task_id, user_id=dock.driver.id,
                                       location_id=loc.id, device_id="PDA-9")


def test_nearest_empty_location_when_the_item_is_nowhere_yet(dock: Dock) -> None:
    (task,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))

    assert dock.code(task.to_location_id) == "A-01-01-1"
    assert reason(dock, task.id) == (
        "nearest_empty_in_zone", {"zone": "any", "location": "A-01-01-1"})
    assert task.status is TaskStatus.released


def test_same_item_goes_where_it_already_is(dock: Dock) -> None:
    dock.floor.location("A-01-04-1", zone="A", x=Decimal(4), y=Decimal(0))
    dock.floor.stock("SKU-A", "A-01-04-1", 5)

    (task,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))

    assert reason(dock, task.id) == ("same_item_in_location", {"location": "A-01-04-1"})


def test_fixed_location_of_the_item_comes_first(dock: Dock) -> None:
    dock.item_rules("SKU-A", fixed_location_id=dock.floor.location("A-01-03-1").id)

    (task,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))

    assert reason(dock, task.id) == ("fixed_location", {"location": "A-01-03-1"})


def test_two_pallets_are_never_sent_to_one_free_location(dock: Dock) -> None:
    first = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10), ("LPN-2", "SKU-X", 10))
    second = receive_pallets(dock, "PO-2", ("LPN-3", "SKU-X", 10))

    targets = [dock.code(t.to_location_id) for t in [*first, *second]]
    assert targets == ["A-01-01-1", "A-01-02-1", "A-01-03-1"]


def test_nothing_fits_sends_the_task_to_exception_with_the_reason(dock: Dock) -> None:
    receive_pallets(dock, "PO-1", *[(f"LPN-{i}", "SKU-X", 1) for i in (1, 2, 3)])

    (task,) = receive_pallets(dock, "PO-2", ("LPN-9", "SKU-A", 10))

    assert (task.status, task.exception_reason, task.to_location_id) == (
        TaskStatus.exception, "no_location_fits", None)
    code, params = reason(dock, task.id)
    assert code == "no_location_fits"
    assert "nearest_empty_location: no_empty_location_in_zone" in params["tried"]


def test_confirming_at_the_suggested_location_moves_the_pallet(dock: Dock) -> None:
    (task,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))
    take(dock, task.id)

    done = put(dock, task.id, "A-01-01-1")

    assert done.status is TaskStatus.done
    assert dock.floor.on_hand("SKU-A", "A-01-01-1") == Decimal(10)
    assert dock.floor.on_hand("SKU-A", "DOCK-01") == Decimal(0)
    with dock.factory() as s:
        pallet = s.scalars(select(Container).where(Container.code == "LPN-1")).one()
    assert dock.code(pallet.location_id) == "A-01-01-1"


def test_another_allowed_location_is_accepted_and_noted(dock: Dock) -> None:
    (task,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))
    take(dock, task.id)

    done = put(dock, task.id, "A-01-03-1")

    assert (dock.code(done.to_location_id), done.note) == (
        "A-01-03-1", "suggested A-01-01-1, put at A-01-03-1")


def test_full_or_blocked_location_is_refused_and_nothing_moves(dock: Dock) -> None:
    dock.floor.stock("SKU-X", "A-01-02-1", 1, container="LPN-0")
    dock.floor.location("A-01-05-1", zone="A", blocked=True)
    (task,) = receive_pallets(dock, "PO-1", ("LPN-1", "SKU-A", 10))
    take(dock, task.id)

    with pytest.raises(LocationFull):
        put(dock, task.id, "A-01-02-1")
    with pytest.raises(LocationBlocked):
        put(dock, task.id, "A-01-05-1")

    assert dock.floor.on_hand("SKU-A", "DOCK-01") == Decimal(10)
