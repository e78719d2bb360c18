"""A working day's open work for the demo warehouse, so the board and the PDAs have real work.

Everything goes through the same services the ERP API and the console use:
supplier profiles through ``suppliers.save_supplier``, purchase orders
(ASNs) through ``purchase_orders.upsert_purchase_orders``, sales orders
through ``orders.upsert_orders`` (which reviews them against the
warehouse's rules), count tasks through ``count_plans.run_plan`` and
replenish tasks through ``replenishment.replenish``. Deterministic for a
seed; the base demo's own random stream is not touched.

The *day items* (``is_day_item``) are the untracked items among the first
``DAY_ITEM_LIMIT`` of the catalogue without a reserve pallet: each has a
pick face setting (min/max), loose reserve stock to replenish from and a
reorder rule set just under today's stock, so the live day
(``wms demo-day``) can sell them, short-pick one, count it and see
replenishment and a reorder suggestion follow. Sales orders seeded here
use other items, so they never compete with the day for stock.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.model import (
    Container,
    ContainerKind,
    CountPlan,
    CountPlanBasis,
    Item,
    Partner,
    PickFaceSetting,
    Quant,
    ReorderRule,
    StockStatus,
    Tracking,
    Warehouse,
)
from wms.services import count_plans, orders, purchase_orders, replenishment, suppliers
from wms.services.demo.bulk import insert_rows
from wms.services.demo.catalog import ItemSpec
from wms.services.demo.stock import DOCUMENT_REF, Places
from wms.services.ledger import MoveRequest, post_moves

#: The day items are found among the first items of the catalogue.
DAY_ITEM_LIMIT = 30
#: Seeded sales orders use items from here on, away from the day items.
ORDER_ITEMS_FROM = 40
#: The supplier whose goods always go to QC.
QC_SUPPLIER = "SUP-001"
#: The customer on credit hold (review rule ``credit_hold``).
CREDIT_HOLD_CUSTOMER = "CUS-010"
#: Empty totes on the picking carts: T0001, T0002 ...
TOTES = 24
PURCHASE_ORDERS = 4
SALES_ORDERS = 8
REVIEW_RULES = {
    "credit_hold": True,
    "address_required": True,
    "value_limit": "5000",
    "stock_check": True,
}


def _runs_low(index: int, tracking: Tracking | str) -> bool:
    """A few faces past the day items start below their minimum: replenish work from the start."""
    return (
        DAY_ITEM_LIMIT <= index < ORDER_ITEMS_FROM
        and index % 3 != 0
        and Tracking(tracking) is Tracking.none
    )


def is_day_item(index: int, tracking: Tracking | str) -> bool:
    """Item ``index`` (0-based catalogue position) is one the live day sells and counts."""
    return (
        index < DAY_ITEM_LIMIT
        and index % 3 != 0  # no reserve pallet: replenishment comes from loose stock
        and Tracking(tracking) is Tracking.none
    )


@dataclass(frozen=True)
class DaySummary:
    purchase_orders: int
    sales_orders: int
    held_orders: int
    count_tasks: int
    replenish_tasks: int
    pick_faces: int


def seed_open_work(
    session: Session,
    *,
    warehouse: Warehouse,
    specs: Sequence[ItemSpec],
    item_ids: dict[str, int],
    places: Places,
    seed: int,
    today: date,
) -> DaySummary:
    rng = random.Random(f"day-{seed}")
    warehouse.settings = {**(warehouse.settings or {}), "review": dict(REVIEW_RULES)}
    _supplier_profiles(session)
    _credit_hold(session)
    insert_rows(
        session,
        Container,
        (
            {"code": f"T{n:04d}", "kind": ContainerKind.tote, "warehouse_id": warehouse.id}
            for n in range(1, TOTES + 1)
        ),
    )
    faces = _face_stock(session, places)
    pick_faces = _day_items(session, warehouse, specs, item_ids, places, faces)
    pos = _purchase_orders(session, warehouse, specs, rng, today)
    sos = _sales_orders(session, warehouse, specs, faces, item_ids, rng, today)
    held = sum(1 for o in sos if o.hold_reasons)
    plan = CountPlan(
        warehouse_id=warehouse.id,
        name="ABC cycle count",
        basis=CountPlanBasis.abc,
        max_per_run=6,
    )
    session.add(plan)
    session.flush()
    # The plan runs at the start of the demo's day, so the same seed gives the same rows.
    start_of_day = datetime.combine(today, time(6), UTC)
    counts = count_plans.run_plan(session, plan_id=plan.id, now=start_of_day)
    refills = replenishment.replenish(session, warehouse_id=warehouse.id)
    return DaySummary(pos, len(sos), held, len(counts), len(refills), pick_faces)


def _supplier_profiles(session: Session) -> None:
    for partner in session.scalars(
        select(Partner).where(Partner.code.like("SUP-%")).order_by(Partner.code)
    ):
        qc = partner.code == QC_SUPPLIER
        suppliers.save_supplier(
            session,
            suppliers.SupplierForm(
                code=partner.code,
                name=partner.name,
                over_tolerance_pct=Decimal(0 if qc else 5),
                under_tolerance_pct=Decimal(0 if qc else 2),
                qc_required=qc,
                qc_sample_pct=Decimal(10),
            ),
            partner_id=partner.id,
        )


def _credit_hold(session: Session) -> None:
    customer = session.scalar(select(Partner).where(Partner.code == CREDIT_HOLD_CUSTOMER))
    if customer is not None:
        customer.settings = {**(customer.settings or {}), "credit_hold": True}


def _face_stock(session: Session, places: Places) -> dict[int, tuple[int, Decimal]]:
    """Item id → (its pick face, available there), for untracked stock on the faces."""
    rows = session.execute(
        select(Quant.item_id, Quant.location_id, Quant.on_hand - Quant.reserved)
        .where(
            Quant.location_id.in_(places.pick_faces),
            Quant.status == StockStatus.available,
            Quant.lot_id.is_(None),
            Quant.serial_id.is_(None),
        )
        .order_by(Quant.id)
    )
    return {item_id: (loc, Decimal(qty)) for item_id, loc, qty in rows}


def _day_items(
    session: Session,
    warehouse: Warehouse,
    specs: Sequence[ItemSpec],
    item_ids: dict[str, int],
    places: Places,
    faces: dict[int, tuple[int, Decimal]],
) -> int:
    """Pick face min/max, loose reserve stock and a reorder rule for every day item."""
    spare = list(places.reserve)  # popped from the far end, where no pallet stands
    moves, made = [], 0
    for idx, spec in enumerate(specs):
        item_id = item_ids[spec.sku]
        day, low = is_day_item(idx, spec.tracking), _runs_low(idx, spec.tracking)
        if not (day or low) or item_id not in faces or not spare:
            continue
        face, there = faces[item_id]
        case, inner = spec.units["case"], spec.units["inner"]
        session.add(
            PickFaceSetting(
                warehouse_id=warehouse.id,
                location_id=face,
                item_id=item_id,
                min_qty=there + inner if low else case / 2,
                max_qty=there + case * 2 if low else case * 4,
                unit_qty=inner,
            )
        )
        reserve = case * 2
        moves.append(
            MoveRequest(
                item_id=item_id,
                qty=reserve,
                from_location_id=places.supplier_id,
                to_location_id=spare.pop(),
                reason="receipt",
                document_type="demo",
                document_ref=DOCUMENT_REF,
            )
        )
        made += 1
        if low:
            continue
        # Just under today's stock: the first loss or sale of the day crosses it.
        total = there + reserve
        session.add(
            ReorderRule(
                warehouse_id=warehouse.id,
                item_id=item_id,
                safety_stock=case,
                reorder_point=total - 1,
                max_qty=total + case * 4,
            )
        )
    if moves:
        post_moves(session, moves)
    return made


def _purchase_orders(
    session: Session,
    warehouse: Warehouse,
    specs: Sequence[ItemSpec],
    rng: random.Random,
    today: date,
) -> int:
    """Open ASNs from every supplier; lot-tracked lines announce their lot and expiry."""
    candidates = [s for s in specs if s.tracking is not Tracking.serial]
    codes = sorted(session.scalars(select(Partner.code).where(Partner.code.like("SUP-%"))))
    inputs = []
    for n in range(1, PURCHASE_ORDERS + 1):
        lines = []
        for line_no, spec in enumerate(rng.sample(candidates, rng.randint(2, 4)), start=1):
            lot = expiry = None
            if spec.tracking is Tracking.lot:
                lot = f"L{today:%y%m%d}-{n}{line_no}"
                expiry = today + timedelta(days=spec.shelf_life_days or 365)
            lines.append(
                purchase_orders.LineInput(
                    line_no=line_no,
                    sku=spec.sku,
                    qty=Decimal(rng.randint(1, 4)),
                    uom="case",
                    lot=lot,
                    expiry=expiry,
                )
            )
        inputs.append(
            purchase_orders.OrderInput(
                external_id=f"PO-{today:%y%m%d}-{n:03d}",
                supplier=codes[(n - 1) % len(codes)],
                warehouse=warehouse.code,
                expected_at=datetime.combine(today, datetime.min.time(), UTC)
                + timedelta(hours=8 + n),
                lines=lines,
            )
        )
    purchase_orders.upsert_purchase_orders(session, inputs)
    return len(inputs)


def _sales_orders(
    session: Session,
    warehouse: Warehouse,
    specs: Sequence[ItemSpec],
    faces: dict[int, tuple[int, Decimal]],
    item_ids: dict[str, int],
    rng: random.Random,
    today: date,
) -> list:
    """Orders for items with free stock on a face; one lacks an address, one is on credit hold."""
    stocked = [
        s
        for s in specs[ORDER_ITEMS_FROM:]
        if s.tracking is Tracking.none and item_ids[s.sku] in faces
    ]
    if not stocked:
        return []
    customers = sorted(
        session.scalars(
            select(Partner.code).where(
                Partner.code.like("CUS-%"), Partner.code != CREDIT_HOLD_CUSTOMER
            )
        )
    )
    inputs = []
    for n in range(1, SALES_ORDERS + 1):
        picked = rng.sample(stocked, min(len(stocked), rng.randint(1, 3)))
        customer = CREDIT_HOLD_CUSTOMER if n == SALES_ORDERS else customers[n % len(customers)]
        address = {} if n == SALES_ORDERS - 1 else {"address": f"Dock {n}, Logistics Park"}
        inputs.append(
            orders.OrderInput(
                external_id=f"SO-{today:%y%m%d}-{n:03d}",
                customer=customer,
                warehouse=warehouse.code,
                priority=rng.randint(3, 6),
                ship_by=datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=17),
                ship_to={"name": "Receiving department", **address},
                carrier="FAKE",
                lines=[
                    orders.LineInput(
                        line_no=i,
                        sku=spec.sku,
                        qty=Decimal(rng.randint(1, 2)),
                        unit_price=Decimal(rng.randint(5, 120)),
                    )
                    for i, spec in enumerate(picked, start=1)
                ],
            )
        )
    return [order for order, _ in orders.upsert_orders(session, inputs)]


def day_item_skus(session: Session) -> list[str]:
    """The day items of the built demo, by the same rule (for tests and the console)."""
    rows = session.execute(select(Item.sku, Item.tracking).order_by(Item.sku)).all()
    return [sku for idx, (sku, tracking) in enumerate(rows) if is_day_item(idx, tracking)]


__all__ = ["DaySummary", "day_item_skus", "is_day_item", "seed_open_work"]
