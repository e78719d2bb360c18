"""The demo's working day: open ASNs, reviewed and held orders, counts, refills, pick faces."""

from datetime import date
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from wms.db import make_engine, make_session_factory
from wms.model import (
    Base,
    Container,
    ContainerKind,
    OrderStatus,
    Partner,
    PickFaceSetting,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Quant,
    ReorderRule,
    SalesOrder,
    StockStatus,
    SupplierProfile,
    Task,
    TaskStatus,
    TaskType,
    User,
)
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import access
from wms.services.demo import build_demo
from wms.services.demo.day import QC_SUPPLIER, TOTES, day_item_skus

TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(
        access, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def demo(session_factory):
    with session_factory() as s, s.begin():
        return build_demo(s, locations=400, items=60, seed=5, today=TODAY)


def test_the_day_starts_with_open_asns_from_every_supplier_one_of_them_inspected(
    session_factory, demo
):
    with session_factory() as s:
        orders = s.scalars(select(PurchaseOrder).order_by(PurchaseOrder.external_id)).all()
        lot_lines = s.scalars(
            select(PurchaseOrderLine).where(PurchaseOrderLine.lot_no.is_not(None))
        ).all()
        qc = s.scalar(
            select(SupplierProfile.qc_required)
            .join(Partner, Partner.id == SupplierProfile.partner_id)
            .where(Partner.code == QC_SUPPLIER)
        )
        suppliers = {o.supplier_id for o in orders}

    assert [o.external_id for o in orders] == [f"PO-250601-00{n}" for n in range(1, 5)]
    assert {o.status for o in orders} == {PurchaseOrderStatus.open}
    assert len(suppliers) == 4 and demo.day.purchase_orders == 4
    assert lot_lines and all(line.expiry_date for line in lot_lines)
    assert qc is True


def test_most_orders_are_reviewed_and_the_rules_hold_two(session_factory, demo):
    with session_factory() as s:
        orders = s.scalars(select(SalesOrder).order_by(SalesOrder.external_id)).all()

    held = {o.external_id: o.hold_reasons for o in orders if o.status is OrderStatus.on_hold}
    reviewed = [o for o in orders if o.status is OrderStatus.reviewed]
    assert held == {"SO-250601-007": ["address_missing"], "SO-250601-008": ["credit_hold"]}
    assert len(reviewed) == 6 and (demo.day.sales_orders, demo.day.held_orders) == (8, 2)


def test_the_board_has_counts_and_refills_waiting_and_the_cart_has_totes(session_factory, demo):
    with session_factory() as s:
        open_tasks = s.execute(
            select(Task.type, func.count())
            .where(Task.status == TaskStatus.released)
            .group_by(Task.type)
        ).all()
        totes = s.scalar(
            select(func.count()).select_from(Container).where(Container.kind == ContainerKind.tote)
        )

    assert dict(open_tasks) == {TaskType.count: 6, TaskType.replenish: demo.day.replenish_tasks}
    assert demo.day.replenish_tasks >= 1
    assert totes == TOTES


def test_every_day_item_has_a_face_a_loose_reserve_and_a_reorder_point_just_under_its_stock(
    session_factory, demo
):
    with session_factory() as s:
        skus = day_item_skus(s)
        faces = s.scalars(select(PickFaceSetting)).all()
        rules = s.scalars(select(ReorderRule)).all()
        for rule in rules:
            stock = s.scalar(
                select(func.sum(Quant.on_hand - Quant.reserved)).where(
                    Quant.item_id == rule.item_id, Quant.status == StockStatus.available
                )
            )
            assert rule.reorder_point == Decimal(stock) - 1
        assert ledger_discrepancies(s) == []

    assert len(skus) >= 3
    assert len(rules) == len(skus) and len(faces) == demo.day.pick_faces > len(rules)


def test_operators_have_the_skills_of_their_jobs(session_factory, demo):
    with session_factory() as s:
        skills = {u.username: set(u.skills or []) for u in s.scalars(select(User))}

    assert skills["receiver1"] == {"receiving", "putaway", "forklift"}
    assert skills["packer1"] == {"packing", "shipping"}
    assert "counting" in skills["inspector1"] and "picking" in skills["picker1"]


def test_without_open_work_the_demo_has_no_orders_or_tasks(session_factory):
    with session_factory() as s, s.begin():
        built = build_demo(s, locations=150, items=20, seed=5, today=TODAY, open_work=False)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0
        assert s.scalar(select(func.count()).select_from(PurchaseOrder)) == 0
    assert built.day is None


def test_the_same_seed_opens_the_same_day(tmp_path):
    def orders(name):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        Base.metadata.create_all(engine)
        with make_session_factory(engine)() as s:
            with s.begin():
                build_demo(s, locations=400, items=60, seed=9, today=TODAY)
            found = [
                (o.external_id, o.status.value, [(ln.item_id, ln.qty) for ln in o.lines])
                for o in s.scalars(select(SalesOrder).order_by(SalesOrder.id))
            ]
        engine.dispose()
        return found

    assert orders("one.sqlite3") == orders("two.sqlite3")
