"""After picking: pack check with weight and label, ship at the dock, webhook; cancel mid-pick."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.outbound.shop import bin, configure, fetch, ledger_ok, order, staging
from tests.taskfloor import LEASE, person
from wms.model import (
    Container,
    ContainerKind,
    OrderStatus,
    OutboxEvent,
    Package,
    PrinterAssignment,
    PrinterDriver,
    PrintJob,
    Quant,
    Task,
    TaskStatus,
    TaskType,
    WebhookSubscription,
    Workstation,
)
from wms.model import Printer as PrinterRow
from wms.services import allocation, claims, orders, pack_check, picking, shipping, waves
from wms.services import tasks as task_service


def _picked(floor, *, pick: bool = True) -> int:
    """SO-1 (2 × SKU-1 of 0.5 kg) allocated, released and picked into TOTE-1 by ann."""
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    floor.item("SKU-1", weight_kg=Decimal("0.5"))
    floor.stock("SKU-1", "A-01-05", 5)
    configure(floor, packing={"packaging_g": 100, "tolerance_g": 30})
    order(floor, "SO-1", ("SKU-1", 2), carrier="SF")
    ann = person(floor, "ann")
    with floor.factory() as s, s.begin():
        s.add(Container(code="TOTE-1", kind=ContainerKind.tote, warehouse_id=floor.warehouse_id))
        s.add(WebhookSubscription(client_id=_client(s), url="http://erp.test/hook",
                                  events=["sales_order.shipped"], secret="s" * 16))
        station = Workstation(code="PACK-1", name="Pack 1", warehouse_id=floor.warehouse_id)
        printer = PrinterRow(code="ZT-1", name="ZT-1", driver=PrinterDriver.fake,
                             warehouse_id=floor.warehouse_id)
        s.add_all([station, printer])
        s.flush()
        s.add(PrinterAssignment(printer_id=printer.id, workstation_id=station.id))
        allocation.allocate_orders(s, [orders.get_order(s, "SO-1").id])
        waves.release_wave(s, warehouse_id=floor.warehouse_id)
        task = claims.claim_next(s, user=s.merge(ann), warehouse_id=floor.warehouse_id,
                                 device_id="PDA-1", lease_seconds=LEASE)[0]
        task_service.start(s, task_id=task.id, user_id=ann.id, device_id="PDA-1",
                           lease_seconds=LEASE)
        if pick:
            tote = picking.bind_tote(s, task, "TOTE-1")
            picking.confirm_pick(s, task=task, qty=Decimal(2), tote=tote, user_id=ann.id)
    return ann.id


def _client(s) -> int:
    from wms.model import ApiClient

    client = ApiClient(name="erp", key_hash="x" * 64, key_prefix="x", scopes=[])
    s.add(client)
    s.flush()
    return client.id


def test_pack_weigh_label_ship_and_tell_the_erp(floor):
    user = _picked(floor)
    assert fetch(floor, "SO-1").status is OrderStatus.picked

    with floor.factory() as s, s.begin():
        so = pack_check.order_for_scan(s, "TOTE-1")
        package = pack_check.open_package(s, so, station="PACK-1", user_id=user)
        pack_check.add_item(s, package, item_id=so.lines[0].item_id, qty=Decimal(1),
                            user_id=user)
        with pytest.raises(pack_check.PackIncomplete):
            pack_check.finish_order(s, so)
        with pytest.raises(pack_check.MoreThanPicked):
            pack_check.add_item(s, package, item_id=so.lines[0].item_id, qty=Decimal(2),
                                user_id=user)
        pack_check.add_item(s, package, item_id=so.lines[0].item_id, qty=Decimal(1),
                            user_id=user)
        with pytest.raises(pack_check.WeightOutOfTolerance):
            pack_check.close_package(s, package, weight_g=1300, user_id=user)
        pack_check.close_package(s, package, weight_g=1110, user_id=user)
        pack_check.finish_order(s, so)
        code = package.code

    with floor.factory() as s:
        package = s.scalars(select(Package)).one()
        job = s.get(PrintJob, package.label_job_id)
        assert (package.expected_weight_g, package.status) == (1100, "closed")
        assert job.label_kind == "shipping" and package.tracking_no in job.zpl
    assert fetch(floor, "SO-1").status is OrderStatus.packed

    with floor.factory() as s, s.begin():
        shipping.ship_package(s, code, dock_location_id=None, user_id=user)

    so = fetch(floor, "SO-1")
    assert so.status is OrderStatus.shipped and so.lines[0].shipped_qty == 2
    with floor.factory() as s:
        body = json.loads(s.scalars(select(OutboxEvent.body)).one())
        assert body["type"] == "sales_order.shipped"
        assert body["data"]["packages"][0]["tracking_no"].startswith("FK")
        assert s.scalar(select(Quant.on_hand).where(Quant.container_id.is_not(None))) == 0
    assert ledger_ok(floor) == []
    with floor.factory() as s, s.begin(), pytest.raises(orders.OrderShipped):
        orders.cancel_order(s, "SO-1")


def test_cancel_during_picking_stops_tasks_and_sends_picked_goods_back(floor):
    user = _picked(floor, pick=False)
    with floor.factory() as s, s.begin():
        task = s.scalars(select(Task).where(Task.type == TaskType.pick)).one()
        tote = picking.bind_tote(s, task, "TOTE-1")
        picking.confirm_pick(s, task=task, qty=Decimal(1), tote=tote, user_id=user)

    with floor.factory() as s, s.begin():
        orders.cancel_order(s, "SO-1", reason="customer changed mind")

    assert fetch(floor, "SO-1").status is OrderStatus.cancelled
    with floor.factory() as s:
        pick = s.scalars(select(Task).where(Task.type == TaskType.pick)).one()
        back = s.scalars(select(Task).where(Task.type == TaskType.move)).one()
        assert pick.status is TaskStatus.cancelled
        assert (back.status, back.qty, back.container_id) == (
            TaskStatus.released, Decimal(1), s.scalar(select(Container.id).where(
                Container.code == "TOTE-1")))
        assert s.scalar(select(Quant.reserved).where(Quant.container_id.is_(None),
                                                     Quant.location_id == back.to_location_id)
                        ) == 0
    assert ledger_ok(floor) == []
