"""Safety stock and reorder point: alert, webhook, requisition, buyer's edit and decision."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.inventory.helpers import pick
from tests.taskfloor import person
from wms.errors import WmsError
from wms.model import OutboxEvent, ReorderRule, RequisitionStatus, Role, User
from wms.services import access, reorder, webhooks


@pytest.fixture
def stocked(floor):
    """40 Widgets; safety stock 10, reorder point 30, reorder 100; the ERP listens."""
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 25)
    floor.stock("SKU-1", "B-01-01-1", 15)
    with floor.factory() as s, s.begin():
        s.add(ReorderRule(item_id=floor.item("SKU-1").id, warehouse_id=floor.warehouse_id,
                          safety_stock=Decimal(10), reorder_point=Decimal(30),
                          reorder_qty=Decimal(100)))
        client, _ = access.create_api_key(s, name="erp", scopes=["stock:read"])
        webhooks.subscribe(s, client_id=client.id, url="https://erp.example/hooks",
                           event_types=["stock.below_safety", "purchase_requisition.approved"],
                           secret="s" * 32)
    return floor


def check(floor):
    with floor.factory() as s, s.begin():
        return [r.id for r in reorder.check(s, warehouse_id=floor.warehouse_id)]


def outbox(floor):
    with floor.factory() as s:
        return [json.loads(e.body) for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]


def requisition(floor, rid):
    with floor.factory() as s:
        from wms.model import PurchaseRequisition
        return s.get(PurchaseRequisition, rid)


def test_above_the_reorder_point_nothing_is_suggested(stocked):
    assert check(stocked) == []
    assert outbox(stocked) == []


def test_falling_below_the_reorder_point_suggests_a_requisition_once(stocked):
    pick(stocked, "SKU-1", "A-01-01-1", 15)  # 25 available across both locations

    (rid,) = check(stocked)

    req = requisition(stocked, rid)
    assert (req.status, req.qty, req.available_qty) == (RequisitionStatus.suggested,
                                                        Decimal(100), Decimal(25))
    (event,) = outbox(stocked)
    assert event["type"] == "stock.below_safety"
    assert event["data"]["sku"] == "SKU-1"
    assert event["data"]["below_safety_stock"] is False
    assert check(stocked) == []


def test_reserved_stock_does_not_count_as_available(stocked):
    quant = stocked.quant("SKU-1", "A-01-01-1")
    with stocked.factory() as s, s.begin():
        from wms.services import ledger
        ledger.reserve(s, quant_id=quant.id, qty=Decimal(20), owner_type="test", owner_id="1")

    (rid,) = check(stocked)

    assert requisition(stocked, rid).available_qty == Decimal(20)


def test_min_max_rule_orders_up_to_max(stocked):
    with stocked.factory() as s, s.begin():
        rule = s.scalars(select(ReorderRule)).one()
        rule.reorder_qty, rule.max_qty = None, Decimal(120)
    pick(stocked, "SKU-1", "B-01-01-1", 15)

    (rid,) = check(stocked)

    assert requisition(stocked, rid).qty == Decimal(95)


def test_the_buyer_edits_and_approves_and_the_erp_is_told(stocked):
    pick(stocked, "SKU-1", "A-01-01-1", 25)
    (rid,) = check(stocked)
    buyer = person(stocked, "sue", role=Role.supervisor)

    with stocked.factory() as s, s.begin():
        user = s.get(User, buyer.id)
        reorder.edit(s, requisition_id=rid, qty=Decimal(150), user=user)
        reorder.decide(s, requisition_id=rid, approve=True, user=user, note="bigger lot")

    req = requisition(stocked, rid)
    assert (req.status, req.qty, req.suggested_qty) == (RequisitionStatus.approved,
                                                        Decimal(150), Decimal(100))
    events = outbox(stocked)
    assert [e["type"] for e in events] == ["stock.below_safety", "purchase_requisition.approved"]
    assert events[0]["data"]["below_safety_stock"] is False
    assert events[1]["data"]["qty"] == "150"
    with stocked.factory() as s, s.begin():
        reorder.mark_exported(s, requisition_id=rid)
    assert requisition(stocked, rid).status is RequisitionStatus.exported


def test_an_operator_cannot_decide_and_a_rejected_one_allows_a_new_suggestion(stocked):
    pick(stocked, "SKU-1", "A-01-01-1", 25)
    (rid,) = check(stocked)
    ann, sue = person(stocked, "ann"), person(stocked, "sue", role=Role.supervisor)

    with pytest.raises(WmsError) as refused, stocked.factory() as s, s.begin():
        reorder.decide(s, requisition_id=rid, approve=True, user=s.get(User, ann.id))
    with stocked.factory() as s, s.begin():
        reorder.decide(s, requisition_id=rid, approve=False, user=s.get(User, sue.id))

    assert refused.value.code == "requisition_needs_buyer"
    assert requisition(stocked, rid).status is RequisitionStatus.rejected
    assert len(check(stocked)) == 1
