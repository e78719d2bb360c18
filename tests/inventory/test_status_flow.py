"""Status changes by scan: to quarantine, hold or damaged and back, each with a reason."""

from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import select

from tests.flowterm import Terminal
from tests.inventory.helpers import ledger_ok
from tests.inventory.screens import screen
from tests.taskfloor import person
from wms.model import StockMove, StockStatus

status_screen = partial(screen, "status", "Change status")
LOC = ("Location", "A-01-01-1")
ITEM = ("Item", "SKU-1 Widget")
BACK = ("back", "Back", "F1")
CHOICES = [BACK, ("quarantine", "Quarantine", "F5"), ("hold", "Hold", "F6"),
           ("damaged", "Damaged", "F7"), ("available", "Available", "F8")]


@pytest.fixture
def shelf(floor):
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")])
    floor.stock("SKU-1", "A-01-01-1", 10)
    return floor


@pytest.fixture
def pda(shelf):
    term = Terminal(shelf, person(shelf, "ann"))
    term.start("status")
    return term


def quantity(floor, status):
    return floor.quant("SKU-1", "A-01-01-1", status=status).on_hand


def test_damaging_stock_shows_every_screen_and_records_the_reason(shelf, pda):
    fs = pda.fs

    pda.scan("A-01-01-1")
    pda.scan("6901234567892")
    keyed = pda.scan("3")
    chosen = pda.press("damaged")
    done = pda.scan("dropped by forklift")

    assert keyed == status_screen("choose_status", "Choose the new status", seq=4, fs=fs,
                                  fields=[LOC, ITEM, ("Quantity", "3 each")], actions=CHOICES)
    assert chosen == status_screen(
        "scan_reason", "Key or scan the reason for damaged", seq=5, fs=fs, expect="reason",
        fields=[LOC, ITEM, ("Quantity", "3 each"), ("Status", "available → damaged")],
        actions=[BACK])
    assert done == status_screen(
        "done", "Status changed", seq=6, fs=fs, done=True,
        fields=[LOC, ITEM, ("Quantity", "3 each"), ("Status", "available → damaged")],
        message=("status_changed", "success", "3 each SKU-1 now damaged"))
    assert quantity(shelf, StockStatus.damaged) == Decimal(3)
    assert quantity(shelf, StockStatus.available) == Decimal(7)
    with shelf.factory() as s:
        line = s.scalars(select(StockMove).where(StockMove.reason == "status_change")).one()
        assert (line.note, line.operator_id is not None) == ("dropped by forklift", True)
    assert ledger_ok(shelf)


def test_held_stock_is_released_back_to_available(shelf, pda):
    pda.scan("A-01-01-1", "6901234567892", "4")
    pda.press("hold")
    pda.scan("customer complaint")
    again = Terminal(shelf, pda.user)
    again.start("status")

    again.scan("A-01-01-1", "6901234567892", "4")
    again.press("available")
    done = again.scan("complaint closed")

    assert done["state"] == "done"
    assert quantity(shelf, StockStatus.hold) == Decimal(0)
    assert quantity(shelf, StockStatus.available) == Decimal(10)


def test_more_than_there_is_keeps_the_choice_and_explains(shelf, pda):
    pda.scan("A-01-01-1", "6901234567892", "11")

    refused = pda.press("quarantine")

    assert refused["state"] == "choose_status"
    assert refused["message"]["text"] == "Only 10 each at A-01-01-1: key 10 or less"
    assert quantity(shelf, StockStatus.available) == Decimal(10)


def test_releasing_stock_that_is_not_held_is_refused(shelf, pda):
    pda.scan("A-01-01-1", "6901234567892", "1")

    refused = pda.press("available")

    assert refused["message"]["code"] == "qty_too_large"
