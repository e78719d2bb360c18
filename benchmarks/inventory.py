"""Count plan over 100,000 locations and replenishment check over 50,000 pick faces.

Run by hand: ``python -m benchmarks.inventory [postgresql+psycopg://.../bench_inventory]``
(default: the local ``bench_inventory`` database, wiped and rebuilt; about a
minute, most of it loading data and the naive loops).

Each check is timed twice on the same data: the set-based service (one
query, then the pure planner) and a naive per-row loop (one or three
queries per location or face). The naive loop runs over a 10,000-row slice
and is scaled to the full size; the answer of both is compared on that slice.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from wms.db import make_engine, make_session_factory
from wms.model import (
    Base,
    Count,
    CountPlan,
    CountPlanBasis,
    CountStatus,
    CountTrigger,
    Item,
    Location,
    PickFaceSetting,
    Quant,
    StockStatus,
    Task,
    TaskStatus,
    TaskType,
    Warehouse,
    utcnow,
)
from wms.services import count_plans, replenishment
from wms.strategies.counting import AbcCountPlanner, LocationToCount
from wms.strategies.replenishment import MinMaxReplenishment, PickFace

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_inventory"
LOCATIONS, FACES, SLICE = 100_000, 50_000, 10_000


def build(session: Session, rng: random.Random) -> tuple[int, int]:
    wh = Warehouse(code="BENCH", name="Bench")
    session.add(wh)
    session.flush()
    now = utcnow()
    session.execute(insert(Location), [
        {"warehouse_id": wh.id, "code": f"L-{i:06d}", "abc_class": rng.choice("AABBBCCCCC"),
         "check_digits": "00", "created_at": now, "updated_at": now}
        for i in range(LOCATIONS)])
    session.execute(insert(Item), [{"sku": f"SKU-{i:06d}", "name": "x", "created_at": now,
                                    "updated_at": now} for i in range(FACES)])
    loc_ids = list(session.scalars(select(Location.id).order_by(Location.id)))
    item_ids = list(session.scalars(select(Item.id).order_by(Item.id)))
    session.execute(insert(Count), [
        {"warehouse_id": wh.id, "location_id": lid, "trigger": CountTrigger.plan.value,
         "status": CountStatus.closed.value, "blind": True, "snapshot": {},
         "location_empty": False, "finished_at": now - timedelta(days=rng.randint(1, 400)),
         "created_at": now, "updated_at": now}
        for lid in rng.sample(loc_ids, LOCATIONS * 6 // 10)])
    faces = list(zip(loc_ids[:FACES], item_ids, strict=True))
    session.execute(insert(PickFaceSetting), [
        {"warehouse_id": wh.id, "location_id": lid, "item_id": iid, "min_qty": Decimal(10),
         "max_qty": Decimal(60), "unit_qty": Decimal(6), "active": True, "created_at": now,
         "updated_at": now} for lid, iid in faces])
    session.execute(insert(Quant), [
        {"key": f"{iid}:{lid}::::available", "warehouse_id": wh.id, "item_id": iid,
         "location_id": lid, "status": StockStatus.available.value,
         "on_hand": Decimal(rng.randint(0, 60)), "reserved": Decimal(0), "in_date": now,
         "updated_at": now} for lid, iid in faces])
    session.execute(insert(Task), [
        {"warehouse_id": wh.id, "type": TaskType.pick.value,
         "status": TaskStatus.released.value, "priority": 5, "route_seq": 0,
         "group_lead": False, "from_location_id": lid, "item_id": iid,
         "qty": Decimal(rng.randint(1, 20)), "done_qty": Decimal(0), "created_at": now,
         "updated_at": now} for lid, iid in rng.sample(faces, FACES // 5)])
    plan = CountPlan(warehouse_id=wh.id, name="ABC", basis=CountPlanBasis.abc)
    session.add(plan)
    session.commit()
    return wh.id, plan.id


def best(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def naive_count_plan(session: Session, wh_id: int, now) -> list[int]:
    planner, due = AbcCountPlanner(), []
    for loc in session.scalars(select(Location).where(Location.warehouse_id == wh_id)
                               .order_by(Location.id).limit(SLICE)):
        last = session.scalar(select(func.max(Count.finished_at)).where(
            Count.location_id == loc.id, Count.status == CountStatus.closed))
        if planner.due([LocationToCount(loc.id, loc.code, loc.abc_class, last)], now=now):
            due.append(loc.id)
    return due


def _sum(session: Session, stmt) -> Decimal:
    return Decimal(session.scalar(stmt) or 0)


def naive_replenishment(session: Session, wh_id: int) -> list[int]:
    planner, out = MinMaxReplenishment(), []
    for p in session.scalars(select(PickFaceSetting).where(PickFaceSetting.warehouse_id == wh_id)
                             .order_by(PickFaceSetting.id).limit(SLICE)):
        on_hand = _sum(session, select(func.sum(Quant.on_hand)).where(
            Quant.location_id == p.location_id, Quant.item_id == p.item_id,
            Quant.status == StockStatus.available))
        open_ = Task.status.in_((TaskStatus.released, TaskStatus.assigned,
                                 TaskStatus.in_progress))
        incoming = _sum(session, select(func.sum(Task.qty - Task.done_qty)).where(
            Task.type == TaskType.replenish, open_, Task.to_location_id == p.location_id,
            Task.item_id == p.item_id))
        demand = _sum(session, select(func.sum(Task.qty - Task.done_qty)).where(
            Task.type == TaskType.pick, open_, Task.from_location_id == p.location_id,
            Task.item_id == p.item_id))
        face = PickFace(p.id, p.location_id, p.item_id, p.min_qty, p.max_qty, p.unit_qty,
                        on_hand, incoming, demand)
        if planner.need(face) is not None:
            out.append(p.location_id)
    return out


def main(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        start = time.perf_counter()
        wh_id, plan_id = build(s, random.Random(7))
        print(f"loaded in {time.perf_counter() - start:.1f} s")
    with engine.connect() as conn:
        conn.execute(text("analyze"))
        conn.commit()
    now = utcnow()
    with factory() as s:
        plan = s.get(CountPlan, plan_id)
        fast, due = best(lambda: count_plans.due_locations(s, plan, now=now))
        slow, naive_due = best(lambda: naive_count_plan(s, wh_id, now), runs=1)
        slice_ids = set(s.scalars(select(Location.id).where(Location.warehouse_id == wh_id)
                                  .order_by(Location.id).limit(SLICE)))
        assert sorted(d.location_id for d in due if d.location_id in slice_ids) == naive_due
        print(f"count plan over {LOCATIONS:,} locations: {fast:.2f} s, {len(due):,} due; "
              f"naive per-row {slow:.2f} s per {SLICE:,} → ~{slow * LOCATIONS / SLICE:.0f} s")
        fast, needs = best(lambda: replenishment.needs(s, warehouse_id=wh_id))
        slow, naive_needs = best(lambda: naive_replenishment(s, wh_id), runs=1)
        face_slice = {r.location_id for r in needs if r.location_id in slice_ids}
        assert sorted(face_slice) == sorted(naive_needs)
        print(f"replenishment check over {FACES:,} pick faces: {fast:.2f} s, "
              f"{len(needs):,} need stock; naive per-row {slow:.2f} s per {SLICE:,} → "
              f"~{slow * FACES / SLICE:.0f} s")
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else URL)
