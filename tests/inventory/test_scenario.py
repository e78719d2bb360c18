"""A shift in one test: picks, a short pick, its triggered count, the recount, the approval.

Then the ledger must agree with the stock and the ERP must have been told
(``count.approved`` and ``stock.adjusted`` in the webhook outbox: the
delivery worker is not on this branch yet, so the outbox rows are the proof).
"""

import json
from decimal import Decimal
from functools import partial

from sqlalchemy import select

from tests.flowterm import Terminal
from tests.inventory.helpers import adjustments, approve, ledger_ok, open_variances, pick
from tests.taskfloor import LEASE, person, task
from wms.model import Count, OutboxEvent, Role, TaskStatus, TaskType, VarianceStatus
from wms.services import access, claims, webhooks


def claimed(floor, user):
    with floor.factory() as s, s.begin():
        (t,) = claims.claim_next(s, user=s.merge(user), warehouse_id=floor.warehouse_id,
                                 device_id=f"PDA-{user.username}", lease_seconds=LEASE)
        return t.id


def subscribe_erp(floor):
    with floor.factory() as s, s.begin():
        client, _ = access.create_api_key(s, name="erp", scopes=["stock:read"])
        webhooks.subscribe(s, client_id=client.id, url="https://erp.example/hooks",
                           event_types=["count.approved", "stock.adjusted"], secret="s" * 32)


def outbox(floor):
    with floor.factory() as s:
        return [json.loads(e.body) for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]


def test_short_pick_count_recount_and_approval_keep_the_ledger_and_tell_the_erp(floor):
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")])
    floor.stock("SKU-1", "A-01-01-1", 20)
    ann, bob = person(floor, "ann"), person(floor, "bob")
    sue = person(floor, "sue", role=Role.supervisor)
    subscribe_erp(floor)
    pick_ = partial(pick, floor, "SKU-1", "A-01-01-1")

    pick_(5)
    pick_(6)  # the system now says 9; the shelf really holds 6 (3 were lost)
    short = task(floor, TaskType.count, source="A-01-01-1", document_type="short_pick",
                 note="short pick: found 6 of 9", priority=8)
    first = Terminal(floor, ann, device_id="PDA-ann")
    first.start("count", task_id=claimed(floor, ann))
    first.scan("A-01-01-1", "6901234567892", "6")
    pick_(2)  # a picker takes 2 while the count is open: no false adjustment
    first.press("finish")
    with floor.factory() as s:
        count = s.scalars(select(Count).where(Count.task_id == short.id)).one()
        recount = s.scalars(select(Count).where(Count.recount_of_id == count.id)).one()
    second = Terminal(floor, bob, device_id="PDA-bob")
    second.start("count", task_id=claimed(floor, bob))
    second.scan("A-01-01-1", "6901234567892", "4")
    second.press("finish")
    (variance,) = open_variances(floor, recount.id)
    approve(floor, variance.id, sue, "lost in the aisle")

    assert count.trigger.value == "short_pick"
    assert [v.status for v in open_variances(floor, count.id)] == [VarianceStatus.superseded]
    assert (variance.expected_qty, variance.counted_qty) == (Decimal(7), Decimal(4))
    assert adjustments(floor) == [("3", "count_adjust")]
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(4)
    assert ledger_ok(floor)
    events = outbox(floor)
    assert [e["type"] for e in events] == ["count.approved", "stock.adjusted"]
    assert events[0]["data"]["diff_qty"] == "-3"
    assert events[0]["data"]["location"] == "A-01-01-1"
    assert events[0]["data"]["reason"] == "lost in the aisle"
    with floor.factory() as s:
        from wms.model import Task
        assert s.get(Task, short.id).status is TaskStatus.done
