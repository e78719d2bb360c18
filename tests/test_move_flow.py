"""The move-stock flow, screen by screen, as an operator with a scanner sees it."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.flowterm import BACK, CONFIRM, Terminal, screen
from tests.taskfloor import LEASE, fetch, person, task
from wms.flows import move as move_flow
from wms.flows import runner
from wms.flows.base import Screen
from wms.model import FlowSession, OperatorPresence, StockMove, TaskStatus
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import claims
from wms.services import tasks as task_service

FROM = ("From", "A-01-01-1")
ITEM = ("Item", "SKU-1 Widget")


@pytest.fixture
def shelf(floor):
    """Ten Widgets at A-01-01-1; B-01-01-1 empty; C-01-01-1 blocked."""
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")])
    floor.item("SKU-2", name="Gadget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    floor.location("B-01-01-2")
    floor.location("C-01-01-1", blocked=True)
    return floor


@pytest.fixture
def ann(shelf):
    return person(shelf, "ann")


@pytest.fixture
def pda(shelf, ann):
    term = Terminal(shelf, ann)
    term.start()
    return term


def moves(floor):
    with floor.factory() as s:
        return s.scalar(select(func.count()).select_from(StockMove).where(
            StockMove.reason == "transfer"))


def test_moving_stock_shows_every_screen_from_source_to_done(shelf, ann):
    pda = Terminal(shelf, ann)

    first = pda.start()
    fs = pda.fs
    at_source = pda.scan("A-01-01-1")
    at_item = pda.scan("6901234567892")
    keyed = pda.scan("4")
    finished = pda.scan("B-01-01-1")

    assert first == screen("scan_source", "Scan the source location", seq=1, fs=fs,
                           expect="location")
    assert at_source == screen("scan_item", "Scan the item or container", seq=2, fs=fs,
                               expect="item", fields=[FROM], actions=[BACK])
    assert at_item == screen("scan_quantity", "Key the quantity or scan the item again", seq=3,
                             fs=fs, expect="quantity",
                             fields=[FROM, ITEM, ("Available", "10 each"), ("Counted", "1 each")],
                             actions=[BACK, CONFIRM])
    assert keyed == screen("scan_destination", "Scan the destination location", seq=4, fs=fs,
                           expect="location", fields=[FROM, ITEM, ("Quantity", "4 each")],
                           actions=[BACK])
    assert finished == screen("done", "Stock moved", seq=5, fs=fs, done=True,
                              fields=[FROM, ITEM, ("Quantity", "4 each"), ("To", "B-01-01-1")],
                              message=("moved", "success", "Moved 4 each SKU-1 to B-01-01-1"))
    assert (shelf.on_hand("SKU-1", "A-01-01-1"), shelf.on_hand("SKU-1", "B-01-01-1")) == (6, 4)
    with shelf.factory() as s:
        assert ledger_discrepancies(s) == []


def test_wrong_source_location_keeps_the_screen_and_names_the_right_one(shelf, ann):
    t = task(shelf, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=4)
    task_service_assign(shelf, t.id, ann)
    pda = Terminal(shelf, ann)
    pda.start(task_id=t.id)

    wrong = pda.scan("B-01-01-2")

    assert wrong == screen("scan_source", "Scan location A-01-01-1", seq=1, fs=pda.fs,
                           expect="location", fields=[("Item", "SKU-1"), ("Quantity", "4")],
                           message=("wrong_location", "error", "Scan A-01-01-1, not B-01-01-2"))
    with shelf.factory() as s:
        assert s.get(FlowSession, pda.fs).state == "scan_source"  # type: ignore[union-attr]


def test_wrong_item_for_the_task_is_refused(shelf, ann):
    t = task(shelf, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=4)
    task_service_assign(shelf, t.id, ann)
    pda = Terminal(shelf, ann)
    pda.start(task_id=t.id)
    pda.scan("A-01-01-1")

    wrong = pda.scan("SKU-2")

    assert wrong == screen("scan_item", "Scan item SKU-1", seq=2, fs=pda.fs, expect="item",
                           fields=[FROM, ("Suggested", "B-01-01-1")], actions=[BACK],
                           message=("wrong_item", "error", "Scan SKU-1, not SKU-2"))


def test_an_item_that_is_not_at_the_source_is_refused(pda):
    pda.scan("A-01-01-1")

    refused = pda.scan("SKU-2")

    assert refused["message"] == {"code": "item_not_here", "level": "error",
                                  "text": "No SKU-2 at A-01-01-1: scan another item"}
    assert (refused["state"], refused["seq"]) == ("scan_item", 2)


def test_a_quantity_larger_than_the_stock_is_refused(pda):
    pda.scan("A-01-01-1", "SKU-1")

    refused = pda.scan("11")

    assert refused == screen(
        "scan_quantity", "Key the quantity or scan the item again", seq=3, fs=pda.fs,
        expect="quantity", fields=[FROM, ITEM, ("Available", "10 each"), ("Counted", "1 each")],
        actions=[BACK, CONFIRM],
        message=("qty_too_large", "error", "Only 10 each at A-01-01-1: key 10 or less"))


def test_scanning_the_item_again_counts_and_f2_takes_the_count(pda):
    pda.scan("A-01-01-1", "SKU-1", "6901234567892", "SKU-1")

    counted = pda.last
    confirmed = pda.press("confirm")

    assert counted["fields"][-1] == {"label": "Counted", "value": "3 each"}
    assert confirmed["fields"][-1] == {"label": "Quantity", "value": "3 each"}
    assert confirmed["state"] == "scan_destination"


def test_an_unexpected_but_allowed_destination_is_confirmed_by_scanning_it_again(shelf, ann):
    t = task(shelf, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=4)
    task_service_assign(shelf, t.id, ann)
    pda = Terminal(shelf, ann)
    pda.start(task_id=t.id)
    pda.scan("A-01-01-1", "SKU-1", "4")

    asked = pda.scan("B-01-01-2")
    confirmed = pda.scan("B-01-01-2")

    fields = [FROM, ITEM, ("Quantity", "4 each"), ("Suggested", "B-01-01-1")]
    assert asked == screen(
        "confirm_destination", "Scan B-01-01-2 again to confirm", seq=5, fs=pda.fs,
        expect="location", fields=[*fields, ("To", "B-01-01-2")], actions=[BACK],
        message=("unexpected_destination", "warning",
                 "B-01-01-2 is not the suggested B-01-01-1: scan it again to confirm"))
    assert confirmed["state"] == "done" and confirmed["done"] is True
    assert shelf.on_hand("SKU-1", "B-01-01-2") == 4
    assert fetch(shelf, t.id).status is TaskStatus.done
    assert fetch(shelf, t.id).done_qty == 4


def test_a_blocked_destination_is_refused_even_when_scanned_twice(pda, shelf):
    pda.scan("A-01-01-1", "SKU-1", "4")

    first = pda.scan("C-01-01-1")
    second = pda.scan("C-01-01-1")

    blocked = ("location_blocked", "error", "C-01-01-1 is blocked: scan another location")
    expected = screen("scan_destination", "Scan the destination location", seq=4, fs=pda.fs,
                      expect="location", fields=[FROM, ITEM, ("Quantity", "4 each")],
                      actions=[BACK], message=blocked)
    assert first == second == expected
    assert moves(shelf) == 0


def test_a_destination_holding_other_items_needs_a_second_scan(pda, shelf):
    shelf.stock("SKU-2", "B-01-01-1", 1)
    pda.scan("A-01-01-1", "SKU-1", "4")

    asked = pda.scan("B-01-01-1")

    assert asked["state"] == "confirm_destination"
    assert asked["message"]["code"] == "mixed_destination"
    assert moves(shelf) == 0


def test_back_returns_to_the_previous_step_and_forgets_it(pda):
    pda.scan("A-01-01-1", "SKU-1", "4")

    to_quantity = pda.press("back")
    to_item = pda.press("back")
    to_source = pda.press("back")

    assert to_quantity["state"] == "scan_quantity"
    assert to_item == screen("scan_item", "Scan the item or container", seq=6, fs=pda.fs,
                             expect="item", fields=[FROM], actions=[BACK])
    assert to_source == screen("scan_source", "Scan the source location", seq=7, fs=pda.fs,
                               expect="location")


def test_a_scan_posted_twice_applies_once_and_returns_the_same_screen(pda, shelf):
    pda.scan("A-01-01-1", "SKU-1", "4")

    first = pda.step("B-01-01-1", request_id="req-42", seq=4)
    retried = pda.step("B-01-01-1", request_id="req-42", seq=4)
    double_enter = pda.step("B-01-01-1", request_id="req-43", seq=4)

    assert first == retried == double_enter
    assert moves(shelf) == 1
    assert shelf.on_hand("SKU-1", "B-01-01-1") == 4


def test_a_location_can_be_scanned_with_its_check_digits(pda, shelf):
    digits = shelf.location("A-01-01-1").check_digits

    shown = pda.scan(f"A-01-01-1{digits}")

    assert shown["state"] == "scan_item"


def test_a_whole_container_moves_with_everything_in_it(shelf, ann):
    shelf.stock("SKU-2", "A-01-01-1", 5, container="PAL-1")
    pda = Terminal(shelf, ann)
    pda.start()

    pda.scan("A-01-01-1", "PAL-1")
    done = pda.scan("B-01-01-1")

    assert done["message"]["text"] == "Moved container PAL-1 to B-01-01-1"
    assert shelf.on_hand("SKU-2", "B-01-01-1") == 5
    assert shelf.container("PAL-1").location_id == shelf.location("B-01-01-1").id


def test_a_chinese_speaking_operator_reads_chinese(shelf):
    li = person(shelf, "li", locale="zh_CN")
    pda = Terminal(shelf, li)
    pda.start()
    pda.scan("A-01-01-1", "SKU-1")

    refused = pda.scan("11")

    assert refused["title"] == "移库"
    assert refused["message"]["text"] == "A-01-01-1 只有 10 件，请输入不超过 10 的数量"
    assert refused["fields"][0] == {"label": "源库位", "value": "A-01-01-1"}


def test_an_undeclared_transition_is_refused_and_changes_nothing(pda, monkeypatch, shelf):
    monkeypatch.setattr(move_flow.MoveFlow, "on_scan_source",
                        lambda self, scan: Screen("done", "move.done", done=True))

    refused = pda.scan("A-01-01-1")

    assert refused["state"] == "scan_source"
    assert refused["message"]["code"] == "invalid_transition"
    assert refused["seq"] == 1


def test_an_action_the_screen_does_not_offer_is_refused(pda):
    refused = pda.press("confirm")

    assert refused["message"] == {"code": "unknown_action", "level": "error",
                                  "text": "confirm is not available here"}


def test_a_rebooted_terminal_resumes_on_the_last_screen(pda, shelf, ann):
    shown = pda.scan("A-01-01-1", "SKU-1")

    with shelf.factory() as s:
        resumed = runner.current_flow(s, user_id=ann.id)

    assert resumed == shown


def test_someone_elses_flow_session_reads_as_missing(pda, shelf):
    bob = person(shelf, "bob")
    intruder = Terminal(shelf, bob)
    intruder.last = dict(pda.last)

    with pytest.raises(runner.FlowNotFound):
        intruder.scan("A-01-01-1")


def test_finishing_a_task_offers_the_next_one(shelf, ann):
    first = task(shelf, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=2)
    second = task(shelf, source="A-01-01-1", destination="B-01-01-2", sku="SKU-1", qty=2)
    task_service_assign(shelf, first.id, ann)
    task_service_assign(shelf, second.id, ann)
    pda = Terminal(shelf, ann)
    pda.start(task_id=first.id)

    done = pda.scan("A-01-01-1", "SKU-1", "2", "B-01-01-1")

    assert done["next"] == {"task_id": second.id}
    assert done["progress"] is None


def test_an_error_after_the_ledger_write_leaves_nothing_behind(pda, shelf, monkeypatch):
    pda.scan("A-01-01-1", "SKU-1", "4")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut after the ledger write")

    monkeypatch.setattr(move_flow.MoveFlow, "_complete_task", crash)
    with pytest.raises(RuntimeError):
        pda.scan("B-01-01-1")

    assert moves(shelf) == 0
    assert shelf.on_hand("SKU-1", "A-01-01-1") == Decimal(10)
    with shelf.factory() as s:
        fs = s.get(FlowSession, pda.fs)
        assert (fs.state, fs.seq) == ("scan_destination", 4)  # type: ignore[union-attr]


def task_service_assign(floor, task_id, user):
    with floor.factory() as s, s.begin():
        task_service.assign(s, task_id=task_id, user_id=user.id, actor_id=None,
                            lease_seconds=LEASE)


def test_claimed_task_drives_the_flow(shelf, ann):
    t = task(shelf, source="A-01-01-1", destination="B-01-01-1", sku="SKU-1", qty=4)
    with shelf.factory() as s, s.begin():
        claims.claim_next(s, user=s.merge(ann), warehouse_id=shelf.warehouse_id,
                          device_id="PDA-1", lease_seconds=LEASE)
    pda = Terminal(shelf, ann)

    first = pda.start(task_id=t.id)

    assert first["prompt"] == "Scan location A-01-01-1"
    assert fetch(shelf, t.id).status is TaskStatus.in_progress


def test_a_business_error_after_the_ledger_write_leaves_nothing_but_the_message(
    pda, shelf, monkeypatch
):
    pda.scan("A-01-01-1", "SKU-1", "4")
    before = pda.last

    def refuse(self, moved):
        raise move_flow.WrongItem(expected="SKU-1", scanned="late")

    monkeypatch.setattr(move_flow.MoveFlow, "_complete_task", refuse)
    refused = pda.step("B-01-01-1", request_id="req-late")

    assert refused == {**before, "message": refused["message"]}
    assert refused["message"]["code"] == "wrong_item"
    assert moves(shelf) == 0
    assert shelf.on_hand("SKU-1", "A-01-01-1") == Decimal(10)
    assert shelf.on_hand("SKU-1", "B-01-01-1") == Decimal(0)
    with shelf.factory() as s:
        fs = s.get(FlowSession, pda.fs)
        assert fs is not None
        assert (fs.state, fs.seq, fs.last_screen) == ("scan_destination", 4, before)
    monkeypatch.undo()
    done = pda.step("B-01-01-1", request_id="req-late")
    assert done["state"] == "done"
    assert pda.step("B-01-01-1", request_id="req-late", seq=4) == done
    assert moves(shelf) == 1


def test_a_step_stamps_presence_and_the_last_step_closes_the_flow_session(pda, shelf, ann):
    source, destination = shelf.location("A-01-01-1").id, shelf.location("B-01-01-1").id
    pda.scan("A-01-01-1")
    with shelf.factory() as s:
        seen = s.get(OperatorPresence, ann.id)
        assert seen is not None
        assert (seen.device_id, seen.warehouse_id, seen.last_location_id, seen.online) == (
            "PDA-1", shelf.warehouse_id, source, False)
        first = seen.last_seen_at

    done = pda.scan("SKU-1", "4", "B-01-01-1")

    with shelf.factory() as s:
        seen = s.get(OperatorPresence, ann.id)
        assert seen is not None
        assert (seen.last_location_id, seen.device_id) == (destination, "PDA-1")
        assert seen.last_seen_at >= first
        fs = s.get(FlowSession, pda.fs)
        assert fs is not None
        assert (fs.state, fs.seq, fs.active, fs.device_id) == ("done", 5, False, "PDA-1")
        assert fs.finished_at is not None and fs.last_screen == done
        assert fs.data["destination"] == "B-01-01-1" and fs.data["qty"] == "4"
