"""The putaway and QC flows, screen by screen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.flowterm import Terminal
from tests.inbound.dock import Dock
from tests.inbound.pda import BACK, NO_NOTE, screen
from wms.model import StockStatus, TaskStatus


def pw(state: str, prompt: str, **kw):
    return screen("putaway", state, prompt, **kw)


def qcs(state: str, prompt: str, **kw):
    return screen("qc", state, prompt, **kw)


@pytest.fixture
def pallet_at_dock(dock: Dock):
    order = dock.order("PO-1", [("SKU-A", 10)])
    receipt = dock.start(order)
    dock.receive(receipt, "SKU-A", 10, container_id=dock.pallet("LPN-1").id)
    (task,) = dock.close(receipt).putaway_tasks
    return task


TASK_FIELDS = [("Container", "LPN-1"), ("Item", "SKU-A"), ("Quantity", "10 each"),
               ("Suggested", "A-01-01-1"), ("Why", "Nearest empty location in zone any")]


def test_putaway_at_the_suggested_location_shows_every_screen(dock: Dock, pallet_at_dock):
    pda = Terminal(dock.floor, dock.driver)
    first = pda.start("putaway")
    fs = pda.fs

    at_container = pda.scan("LPN-1")
    finished = pda.scan("A-01-01-1")

    assert first == pw("scan_container", "Scan the container or item to put away", seq=1,
                       fs=fs, expect="container")
    assert at_container == pw("scan_destination", "Scan destination A-01-01-1", seq=2, fs=fs,
                              expect="location", fields=TASK_FIELDS)
    assert finished == pw("done", "Put away", seq=3, fs=fs, done=True,
                          fields=[*TASK_FIELDS, ("To", "A-01-01-1")],
                          message=("put_away", "success", "Put away at A-01-01-1"))
    assert dock.floor.on_hand("SKU-A", "A-01-01-1") == Decimal(10)
    assert dock.putaway_tasks()[0].status is TaskStatus.done


def test_another_location_is_confirmed_by_scanning_it_twice(dock: Dock, pallet_at_dock):
    pda = Terminal(dock.floor, dock.driver)
    pda.start("putaway")
    pda.scan("LPN-1")
    fs = pda.fs

    asked = pda.scan("A-01-03-1")
    finished = pda.scan("A-01-03-1")

    assert asked == pw("confirm_destination", "Scan A-01-03-1 again to confirm", seq=3, fs=fs,
                       expect="location", fields=TASK_FIELDS, actions=[BACK],
                       message=("unexpected_destination", "warning",
                                "A-01-03-1 is not the suggested A-01-01-1: scan it again to "
                                "confirm"))
    assert finished["state"] == "done"
    assert dock.floor.on_hand("SKU-A", "A-01-03-1") == Decimal(10)


def test_full_and_blocked_locations_are_refused_on_the_same_screen(dock: Dock, pallet_at_dock):
    dock.floor.stock("SKU-X", "A-01-02-1", 1, container="LPN-0")
    dock.floor.location("A-01-05-1", zone="A", blocked=True)
    pda = Terminal(dock.floor, dock.driver)
    pda.start("putaway")
    at_dest = pda.scan("LPN-1")

    full = pda.scan("A-01-02-1")
    blocked = pda.scan("A-01-05-1")

    assert full == {**at_dest, "message": {"code": "location_full", "level": "error",
                                           "text": "A-01-02-1 is full: scan another location"}}
    assert blocked["message"]["text"] == "A-01-05-1 is blocked: scan another location"
    assert dock.floor.on_hand("SKU-A", "DOCK-01") == Decimal(10)


def test_a_container_without_putaway_work_is_explained(dock: Dock) -> None:
    dock.pallet("LPN-7")
    pda = Terminal(dock.floor, dock.driver)
    pda.start("putaway")

    shown = pda.scan("LPN-7")

    assert shown["message"]["text"] == "Nothing to put away for LPN-7"


def test_putaway_started_from_the_task_knows_the_container(dock: Dock, pallet_at_dock) -> None:
    from tests.inbound.test_putaway import take

    take(dock, pallet_at_dock.id)
    pda = Terminal(dock.floor, dock.driver)

    first = pda.start("putaway", task_id=pallet_at_dock.id)
    wrong = pda.scan("LPN-9")

    assert first == pw("scan_container", "Scan the container or item to put away", seq=1,
                       fs=pda.fs, expect="container", fields=TASK_FIELDS)
    assert wrong["message"]["text"] == "Scan LPN-1, not LPN-9"


@pytest.fixture
def quarantined(dock: Dock):
    dock.supplier_rules(qc_required=True)
    receipt = dock.start(dock.order("PO-1", [("SKU-A", 10)]))
    dock.receive(receipt, "SKU-A", 10, container_id=dock.pallet("LPN-1").id)
    dock.close(receipt)


def test_inspection_shows_every_screen_and_splits_the_stock(dock: Dock, quarantined) -> None:
    pda = Terminal(dock.floor, dock.receiver)
    first = pda.start("qc")
    fs = pda.fs

    at_sample = pda.scan("LPN-1")
    at_rejected = pda.scan("3")
    at_note = pda.scan("2")
    finished = pda.scan("torn cartons")

    head = [("Container", "LPN-1"), ("Item", "SKU-A"), ("Quantity", "10 each")]
    assert first == qcs("scan_container", "Scan the container or item to inspect", seq=1,
                        fs=fs, expect="container")
    assert at_sample == qcs("scan_sample", "Key the sample size", seq=2, fs=fs,
                            expect="quantity", fields=head)
    assert at_rejected == qcs("scan_rejected", "Key the rejected quantity (0 if none)", seq=3,
                              fs=fs, expect="quantity", fields=[*head, ("Sample", "3")],
                              actions=[BACK])
    assert at_note == qcs("scan_note", "Key a note, or confirm without one", seq=4, fs=fs,
                          expect="text", fields=[*head, ("Sample", "3"), ("Rejected", "2")],
                          actions=[BACK, NO_NOTE])
    assert finished == qcs("done", "Inspection recorded", seq=5, fs=fs, done=True,
                           fields=[*head, ("Sample", "3"), ("Rejected", "2")],
                           message=("inspected", "success", "8 accepted, 2 rejected"))
    assert dock.floor.quant("SKU-A", "QC-01", container="LPN-1").on_hand == Decimal(8)
    assert dock.floor.quant("SKU-A", "RET-01", status=StockStatus.hold).on_hand == Decimal(2)
    assert [t.qty for t in dock.putaway_tasks()] == [Decimal(8)]


def test_sample_larger_than_the_quantity_is_refused(dock: Dock, quarantined) -> None:
    pda = Terminal(dock.floor, dock.receiver)
    pda.start("qc")
    at_sample = pda.scan("LPN-1")

    shown = pda.scan("11")

    assert shown == {**at_sample, "message": {"code": "qty_out_of_range", "level": "error",
                                              "text": "Key a number from 1 to 10"}}


def test_nothing_to_inspect_is_explained(dock: Dock) -> None:
    pda = Terminal(dock.floor, dock.receiver)
    pda.start("qc")

    shown = pda.scan("SKU-A")

    assert shown["message"]["text"] == "Nothing to inspect for SKU-A"
