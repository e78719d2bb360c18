"""Opening stock for the demo: lots, serials, SSCC pallets, all received through the ledger.

Nothing is written to quants directly: every quantity arrives by a
``receipt`` move from the supplier's virtual location, so the ledger
check holds from the first minute.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.model import Container, ContainerKind, Lot, Serial, StockStatus, Tracking
from wms.scanning.checkdigits import make_sscc
from wms.services.demo.bulk import insert_rows
from wms.services.demo.catalog import ItemSpec
from wms.services.ledger import MoveRequest, post_moves

#: Moves per ``post_moves`` call: one lock set and one flush per batch.
BATCH = 500
DOCUMENT_REF = "DEMO-OPENING"


@dataclass(frozen=True)
class Places:
    warehouse_id: int
    supplier_id: int
    quarantine_id: int
    pick_faces: Sequence[int]
    reserve: Sequence[int]
    company_prefix: str


@dataclass(frozen=True)
class StockSummary:
    lots: int
    serials: int
    containers: int
    moves: int


@dataclass
class _Plan:
    """Rows and moves collected first, so lots, serials and pallets insert in bulk."""

    lots: list[dict]
    serials: list[dict]
    containers: list[dict]
    # (item id, location id, qty, lot_no, serial_no, container code, status)
    receipts: list[tuple[int, int, Decimal, str | None, str | None, str | None, StockStatus]]


def receive_opening_stock(
    session: Session,
    *,
    specs: Sequence[ItemSpec],
    item_ids: dict[str, int],
    places: Places,
    rng: random.Random,
    today: date,
) -> StockSummary:
    plan = _Plan([], [], [], [])
    for idx, spec in enumerate(specs[: len(places.pick_faces)]):
        _plan_item(plan, idx, spec, item_ids[spec.sku], places, rng, today)
    lot_ids = _insert_lots(session, plan.lots)
    serial_ids = _insert_serials(session, plan.serials)
    container_ids = _insert_containers(session, plan.containers)
    moves = [
        MoveRequest(
            item_id=item_id,
            qty=qty,
            from_location_id=places.supplier_id,
            to_location_id=location_id,
            reason="receipt",
            lot_id=lot_ids[(item_id, lot_no)] if lot_no else None,
            serial_id=serial_ids[(item_id, serial_no)] if serial_no else None,
            to_container_id=container_ids[code] if code else None,
            from_status=status,
            document_type="demo",
            document_ref=DOCUMENT_REF,
        )
        for item_id, location_id, qty, lot_no, serial_no, code, status in plan.receipts
    ]
    for start in range(0, len(moves), BATCH):
        post_moves(session, moves[start : start + BATCH])
    return StockSummary(len(plan.lots), len(plan.serials), len(plan.containers), len(moves))


def _plan_item(
    plan: _Plan,
    idx: int,
    spec: ItemSpec,
    item_id: int,
    places: Places,
    rng: random.Random,
    today: date,
) -> None:
    """A pick face for every item, a reserve pallet for every third, some quarantine."""
    face, ok = places.pick_faces[idx], StockStatus.available
    if spec.tracking is Tracking.serial:
        for k in range(1, rng.randint(2, 5) + 1):
            serial_no = f"SN{spec.sku[4:]}{k:03d}"
            plan.serials.append({"item_id": item_id, "serial_no": serial_no, "lot_id": None})
            plan.receipts.append((item_id, face, Decimal(1), None, serial_no, None, ok))
        return
    lots = _plan_lots(plan, spec, item_id, rng, today)
    for lot_no in lots or [None]:
        qty = spec.units["case"] * rng.randint(1, 4)
        plan.receipts.append((item_id, face, qty, lot_no, None, None, ok))
    last_lot = lots[-1] if lots else None
    if idx % 3 == 0 and idx // 3 < len(places.reserve):
        code = _plan_pallet(plan, places, places.reserve[idx // 3])
        qty = spec.units["pallet"]
        plan.receipts.append((item_id, places.reserve[idx // 3], qty, last_lot, None, code, ok))
    if idx % 50 == 7:
        qty, held = spec.units["inner"], StockStatus.quarantine
        plan.receipts.append((item_id, places.quarantine_id, qty, last_lot, None, None, held))


def _plan_pallet(plan: _Plan, places: Places, location_id: int) -> str:
    """A pallet with our own SSCC standing at ``location_id``."""
    code = make_sscc(0, places.company_prefix, len(plan.containers) + 1)
    plan.containers.append(
        {
            "code": code,
            "kind": ContainerKind.pallet,
            "warehouse_id": places.warehouse_id,
            "location_id": location_id,
            "is_sscc": True,
        }
    )
    return code


def _plan_lots(
    plan: _Plan, spec: ItemSpec, item_id: int, rng: random.Random, today: date
) -> list[str]:
    if spec.tracking is not Tracking.lot:
        return []
    life = spec.shelf_life_days or 365
    names = []
    for k in range(1, rng.randint(1, 3) + 1):
        made = today - timedelta(days=rng.randint(5, life // 2))
        lot_no = f"L{made:%y%m%d}-{k}"
        names.append(lot_no)
        plan.lots.append(
            {
                "item_id": item_id,
                "lot_no": lot_no,
                "production_date": made,
                "expiry_date": made + timedelta(days=life),
            }
        )
    return names


def _insert_lots(session: Session, rows: list[dict]) -> dict[tuple[int, str], int]:
    if rows:
        insert_rows(session, Lot, rows)
    found = session.execute(select(Lot.item_id, Lot.lot_no, Lot.id))
    return {(item_id, lot_no): id_ for item_id, lot_no, id_ in found}


def _insert_serials(session: Session, rows: list[dict]) -> dict[tuple[int, str], int]:
    if rows:
        insert_rows(session, Serial, rows)
    found = session.execute(select(Serial.item_id, Serial.serial_no, Serial.id))
    return {(item_id, serial_no): id_ for item_id, serial_no, id_ in found}


def _insert_containers(session: Session, rows: list[dict]) -> dict[str, int]:
    if rows:
        insert_rows(session, Container, rows)
    return dict(session.execute(select(Container.code, Container.id)).all())
