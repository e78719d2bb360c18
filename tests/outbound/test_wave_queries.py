"""A big wave asks the database as often as a small one: allocation and release are set-based."""

from __future__ import annotations

import json
import random
from collections import Counter
from decimal import Decimal

from sqlalchemy import String, cast, func, select

from tests.console.conftest import counted_queries
from tests.outbound.shop import bin, customer, ledger_ok, staging
from wms.model import (
    Allocation,
    ApiClient,
    OrderStatus,
    OutboxEvent,
    PickTrip,
    Quant,
    Reservation,
    SalesOrder,
    SalesOrderLine,
    Task,
    TaskStatus,
    TaskTransition,
    Wave,
    WebhookDelivery,
)
from wms.services import allocation, orders, waves, webhooks

SKUS = 20


def _shop(floor, n_orders: int) -> list[int]:
    """20 SKUs in two aisles, an ERP listening to order statuses, orders of 4 lines each."""
    staging(floor)
    for k in range(SKUS):
        bin(floor, f"A-{k // 10:02d}-{k % 10:02d}", k // 10, k % 10 + 1)
        floor.stock(f"SKU-{k}", f"A-{k // 10:02d}-{k % 10:02d}", 10_000)
    customer(floor)
    rng = random.Random(7)
    with floor.factory() as s, s.begin():
        erp = ApiClient(name="erp", key_hash="x" * 64, key_prefix="x", scopes=[])
        s.add(erp)
        s.flush()
        webhooks.subscribe(
            s,
            client_id=erp.id,
            url="https://erp.example/hook",
            event_types=["sales_order.status_changed"],
            secret="s" * 32,
        )
        orders.upsert_orders(
            s,
            [
                orders.OrderInput(
                    external_id=f"SO-{n:04d}",
                    customer="C1",
                    warehouse=floor.warehouse_code,
                    lines=[
                        orders.LineInput(
                            j + 1, f"SKU-{rng.randrange(SKUS)}", Decimal(rng.randint(1, 3))
                        )
                        for j in range(4)
                    ],
                )
                for n in range(n_orders)
            ],
        )
    with floor.factory() as s:
        return list(s.scalars(select(SalesOrder.id).order_by(SalesOrder.id)))


def _allocate_and_release(floor, engine, ids: list[int]) -> tuple[int, int]:
    with counted_queries(engine) as allocating, floor.factory() as s, s.begin():
        allocation.allocate_orders(s, ids)
    with counted_queries(engine) as releasing, floor.factory() as s, s.begin():
        assert waves.release_wave(s, warehouse_id=floor.warehouse_id) is not None
    return len(allocating), len(releasing)


def test_a_2000_line_wave_costs_the_same_queries_as_a_200_line_wave(floor, engine):
    ids = _shop(floor, 550)

    small = _allocate_and_release(floor, engine, ids[:50])  # 200 lines
    big = _allocate_and_release(floor, engine, ids[50:])  # 2,000 lines

    assert big == small
    with floor.factory() as s:
        last = s.scalar(select(Wave).order_by(Wave.id.desc()).limit(1))
        assert last is not None
        trips = select(PickTrip.group_id).where(PickTrip.wave_id == last.id)
        tasks = list(s.scalars(select(Task).where(Task.group_id.in_(trips))))
        assert len(tasks) == s.scalar(
            select(func.count())
            .select_from(SalesOrderLine)
            .where(SalesOrderLine.order_id.in_(ids[50:]))
        )
        assert {t.status for t in tasks} == {TaskStatus.released}
        steps = Counter(
            s.execute(
                select(TaskTransition.task_id, TaskTransition.to_status).where(
                    TaskTransition.task_id.in_([t.id for t in tasks])
                )
            )
        )
        assert set(steps.values()) == {1}
        assert len(steps) == 2 * len(tasks)  # each task: created, then released by the wave
        for alloc, task in s.execute(
            select(Allocation, Task).join(Task, Task.id == Allocation.task_id)
        ):
            assert (task.item_id, task.from_location_id, task.qty) == (
                alloc.item_id,
                alloc.location_id,
                alloc.qty,
            )
        assert (
            s.scalar(
                select(func.count()).select_from(Allocation).where(Allocation.task_id.is_(None))
            )
            == 0
        )
        reserved = s.scalar(select(func.sum(Quant.reserved)))
        assert reserved == s.scalar(select(func.sum(Reservation.qty)))
        assert reserved == s.scalar(select(func.sum(Allocation.qty)))
        assert reserved == s.scalar(select(func.sum(SalesOrderLine.qty)))
        linked = s.scalar(
            select(func.count())
            .select_from(Allocation)
            .join(Reservation, Reservation.id == Allocation.reservation_id)
            .where(
                Reservation.quant_id == Allocation.quant_id,
                Reservation.qty == Allocation.qty,
                Reservation.owner_id == cast(Allocation.line_id, String),
            )
        )
        assert linked == s.scalar(select(func.count()).select_from(Allocation))
        assert {o.status for o in s.scalars(select(SalesOrder))} == {OrderStatus.picking}
        # the ERP hears every order go reviewed, allocated, picking: one delivery each, in order
        told = [
            json.loads(body)["data"]
            for body in s.scalars(select(OutboxEvent.body).order_by(OutboxEvent.id))
        ]
        assert Counter(d["to"] for d in told) == {"reviewed": 550, "allocated": 550, "picking": 550}
        assert [d["external_id"] for d in told if d["to"] == "picking"] == [
            f"SO-{n:04d}" for n in range(550)
        ]
        assert s.scalar(select(func.count()).select_from(WebhookDelivery)) == len(told)
    assert ledger_ok(floor) == []
