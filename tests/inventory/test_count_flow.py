"""The count flow screen by screen: blind, every item, explicit empty, recount refusal."""

from decimal import Decimal
from functools import partial

import pytest

from tests.flowterm import Terminal
from tests.inventory.helpers import (
    count_of,
    ledger_ok,
    open_variances,
    pick,
    recount_of,
    request,
    task_of,
)
from tests.inventory.screens import screen
from tests.taskfloor import LEASE, person
from wms.model import CountStatus, TaskStatus, VarianceStatus
from wms.services import claims

count_screen = partial(screen, "count", "Count")
LOC = ("Location", "A-01-01-1")
WIDGET = ("Item", "SKU-1 Widget")
FINISH = ("finish", "Finish count", "F5")
EMPTY = ("empty", "Location empty", "F5")
BACK = ("back", "Back", "F1")
CONFIRM = ("confirm", "Confirm quantity", "F2")


@pytest.fixture
def shelf(floor):
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")],
               units={"case": 6})
    floor.item("SKU-2", name="Gadget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("A-01-01-2")
    return floor


@pytest.fixture
def ann(shelf):
    return person(shelf, "ann", skills=("counting",))


def claimed(floor, user):
    with floor.factory() as s, s.begin():
        (task,) = claims.claim_next(s, user=s.merge(user), warehouse_id=floor.warehouse_id,
                                    device_id="PDA-1", lease_seconds=LEASE)
        return task.id


def test_a_blind_count_shows_every_screen_and_never_the_expected_quantity(shelf, ann):
    count_id = request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)

    first = pda.start("count", task_id=claimed(shelf, ann))
    fs = pda.fs
    at_location = pda.scan("A-01-01-1")
    at_item = pda.scan("6901234567892")
    again = pda.scan("6901234567892")
    keyed = pda.scan("9")
    finished = pda.press("finish")

    assert first == count_screen("scan_location", "Scan location A-01-01-1", seq=1, fs=fs,
                                 expect="location")
    assert at_location == count_screen(
        "scan_item", "Scan every item or container here", seq=2, fs=fs, expect="item",
        fields=[LOC], progress="0", actions=[EMPTY])
    assert at_item == count_screen(
        "scan_quantity", "Key the quantity of SKU-1 or scan it again", seq=3, fs=fs,
        expect="quantity", fields=[LOC, WIDGET, ("Counted", "1 each")], progress="0",
        actions=[BACK, CONFIRM])
    assert again["fields"][-1] == {"label": "Counted", "value": "2 each"}
    assert keyed == count_screen(
        "scan_item", "Scan every item or container here", seq=5, fs=fs, expect="item",
        fields=[LOC], progress="1", actions=[FINISH],
        message=("counted", "success", "Counted 9 each SKU-1"))
    assert finished == count_screen(
        "done", "Count of A-01-01-1 finished", seq=6, fs=fs, fields=[LOC], progress="1",
        done=True, message=("count_finished", "success", "Count of A-01-01-1 sent"))
    assert "10" not in str([first, at_location, at_item, again, keyed, finished])
    assert task_of(shelf, count_id).status is TaskStatus.done
    assert [v.diff_qty for v in open_variances(shelf, count_id)] == [Decimal(-1)]


def test_a_case_barcode_counts_in_cases(shelf, ann):
    with shelf.factory() as s, s.begin():
        from wms.model import ItemBarcode
        s.add(ItemBarcode(item_id=shelf.item("SKU-1").id, barcode="16901234567899", uom="case"))
    count_id = request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)
    pda.start("count", task_id=claimed(shelf, ann))

    pda.scan("A-01-01-1", "16901234567899", "2")
    pda.press("finish")

    assert count_of(shelf, count_id).lines[0].counted_qty == Decimal(12)


def test_an_empty_location_needs_the_empty_key_and_finds_nothing_missing(shelf, ann):
    count_id = request(shelf, "A-01-01-2", trigger="location_empty")
    pda = Terminal(shelf, ann)
    pda.start("count", task_id=claimed(shelf, ann))
    pda.scan("A-01-01-2")

    done = pda.press("empty")

    assert done["state"] == "done"
    assert done["message"]["text"] == "A-01-01-2 confirmed empty"
    assert count_of(shelf, count_id).status is CountStatus.closed


def test_finish_is_not_offered_before_anything_is_counted(shelf, ann):
    request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)
    pda.start("count", task_id=claimed(shelf, ann))
    pda.scan("A-01-01-1")

    refused = pda.press("finish")

    assert refused["state"] == "scan_item"
    assert refused["message"]["code"] == "unknown_action"


def test_wrong_location_keeps_the_screen_and_explains(shelf, ann):
    request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)
    first = pda.start("count", task_id=claimed(shelf, ann))

    wrong = pda.scan("A-01-01-2")

    assert wrong == {**first, "message": {"code": "wrong_location", "level": "error",
                                          "text": "Scan A-01-01-1, not A-01-01-2"}}


def test_not_counting_an_item_that_is_there_is_a_variance_of_all_of_it(shelf, ann):
    shelf.stock("SKU-2", "A-01-01-1", 4)
    count_id = request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)
    pda.start("count", task_id=claimed(shelf, ann))

    pda.scan("A-01-01-1", "6901234567892", "10")
    pda.press("finish")

    assert [(v.diff_qty, v.status) for v in open_variances(shelf, count_id)] == [
        (Decimal(-4), VarianceStatus.recount)]


def test_recount_is_refused_to_the_first_counter_and_done_by_another(shelf, ann):
    bob = person(shelf, "bob", skills=("counting",))
    count_id = request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)
    pda.start("count", task_id=claimed(shelf, ann))
    pda.scan("A-01-01-1", "6901234567892", "7")
    pda.press("finish")
    recount = recount_of(shelf, count_id)
    assert recount is not None

    again = Terminal(shelf, ann)
    again.start("count", task_id=claimed(shelf, ann))
    refused = again.scan("A-01-01-1")
    other = Terminal(shelf, bob, device_id="PDA-2")
    with shelf.factory() as s, s.begin():
        from wms.services import tasks as task_service
        task_service.release(s, task_id=recount.task_id, actor_id=None, reason="reassign")
    other.start("count", task_id=claimed(shelf, bob))
    other.scan("A-01-01-1", "6901234567892", "7")
    done = other.press("finish")

    assert refused["message"]["code"] == "recount_by_another_operator"
    assert refused["state"] == "scan_location"
    assert done["state"] == "done"
    assert [v.status for v in open_variances(shelf, recount.id)] == [VarianceStatus.pending]


def test_a_pick_during_the_count_makes_no_false_variance(shelf, ann):
    count_id = request(shelf, "A-01-01-1")
    pda = Terminal(shelf, ann)
    pda.start("count", task_id=claimed(shelf, ann))
    pda.scan("A-01-01-1", "6901234567892", "10")

    pick(shelf, "SKU-1", "A-01-01-1", 4)
    pda.press("finish")

    assert open_variances(shelf, count_id) == []
    assert ledger_ok(shelf)


def test_a_count_without_a_task_starts_one_at_the_scanned_location(shelf, ann):
    pda = Terminal(shelf, ann)
    pda.start("count")

    pda.scan("A-01-01-1", "6901234567892", "10")
    done = pda.press("finish")

    assert done["state"] == "done"
