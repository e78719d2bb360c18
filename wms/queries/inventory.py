"""Read models of the inventory console: variances with their context, plans, faces, requisitions.

Each page is one keyset page of its table plus one lookup query per kind of
name it shows (locations, items, lots, people), never a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.model import (
    Count,
    CountPlan,
    CountStatus,
    Item,
    Location,
    Lot,
    PickFaceSetting,
    PurchaseRequisition,
    Quant,
    RequisitionStatus,
    ScheduledJob,
    StockStatus,
    Task,
    TaskStatus,
    User,
    Variance,
    VarianceStatus,
    Zone,
)
from wms.queries.paging import Page, keyset_page

OPEN_COUNT = (CountStatus.open, CountStatus.counting)
WAITING = (VarianceStatus.pending, VarianceStatus.recount)
DECIDED = (VarianceStatus.approved, VarianceStatus.rejected, VarianceStatus.superseded)


@dataclass(frozen=True)
class VarianceRow:
    variance: Variance
    location: str
    sku: str
    item_name: str
    lot: str | None
    counter: str | None
    recount_task_id: int | None
    recount_task_status: TaskStatus | None
    decided_by: str | None

    @property
    def id(self) -> int:
        return self.variance.id


def _names(session: Session, key: Any, name: Any, ids: set[int | None]) -> dict[int, Any]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {r[0]: r[1] for r in session.execute(select(key, name).where(key.in_(wanted)))}


def variance_page(
    session: Session,
    *,
    warehouse_id: int,
    waiting: bool = True,
    after: Any = None,
    before: Any = None,
) -> Page[VarianceRow]:
    """Variances of the warehouse, newest first: waiting (pending, recount) or decided."""
    stmt = select(Variance).where(
        Variance.warehouse_id == warehouse_id, Variance.status.in_(WAITING if waiting else DECIDED)
    )
    page = keyset_page(
        session, stmt, Variance.id, after=_int(after), before=_int(before), descending=True
    )
    rows = list(page.rows)
    counts = (
        {
            c.id: c
            for c in session.scalars(select(Count).where(Count.id.in_({v.count_id for v in rows})))
        }
        if rows
        else {}
    )
    recounts = (
        {
            c.recount_of_id: c
            for c in session.scalars(select(Count).where(Count.recount_of_id.in_(list(counts))))
        }
        if counts
        else {}
    )
    tasks = (
        {
            t.id: t
            for t in session.scalars(
                select(Task).where(Task.id.in_([c.task_id for c in recounts.values() if c.task_id]))
            )
        }
        if recounts
        else {}
    )
    locs = _names(session, Location.id, Location.code, {v.location_id for v in rows})
    items = (
        {
            i.id: i
            for i in session.scalars(select(Item).where(Item.id.in_({v.item_id for v in rows})))
        }
        if rows
        else {}
    )
    lots = _names(session, Lot.id, Lot.lot_no, {v.lot_id for v in rows})
    people = _names(
        session,
        User.id,
        User.display_name,
        {c.counted_by_id for c in counts.values()} | {v.decided_by_id for v in rows},
    )
    out = []
    for v in rows:
        count = counts.get(v.count_id)
        recount = recounts.get(v.count_id)
        task = tasks.get(recount.task_id) if recount and recount.task_id else None
        item = items.get(v.item_id)
        out.append(
            VarianceRow(
                v,
                locs.get(v.location_id, "?"),
                item.sku if item else "?",
                item.name if item else "",
                lots.get(v.lot_id) if v.lot_id else None,
                people.get(count.counted_by_id) if count and count.counted_by_id else None,
                task.id if task else None,
                task.status if task else None,
                people.get(v.decided_by_id) if v.decided_by_id else None,
            )
        )
    return Page(out, next_key=page.next_key, prev_key=page.prev_key)


def _int(value: Any) -> int | None:
    return int(value) if value is not None and str(value).isdigit() else None


@dataclass(frozen=True)
class PlanRow:
    plan: CountPlan
    target: str
    open_counts: int


def plans(session: Session, *, warehouse_id: int) -> list[PlanRow]:
    found = list(
        session.scalars(
            select(CountPlan)
            .where(CountPlan.warehouse_id == warehouse_id)
            .order_by(CountPlan.name, CountPlan.id)
        )
    )
    zones = _names(session, Zone.id, Zone.code, {p.zone_id for p in found})
    skus = _names(session, Item.id, Item.sku, {p.item_id for p in found})
    open_by_plan: dict[int, int] = {}
    for plan_id in session.scalars(
        select(Count.plan_id).where(
            Count.plan_id.in_([p.id for p in found]), Count.status.in_(OPEN_COUNT)
        )
    ):
        open_by_plan[plan_id] = open_by_plan.get(plan_id, 0) + 1
    return [
        PlanRow(
            p,
            zones.get(p.zone_id or 0) or p.location_prefix or skus.get(p.item_id or 0) or "",
            open_by_plan.get(p.id, 0),
        )
        for p in found
    ]


@dataclass(frozen=True)
class OpenCount:
    count: Count
    location: str
    task_status: TaskStatus | None


def open_counts(session: Session, *, warehouse_id: int, limit: int = 50) -> list[OpenCount]:
    found = list(
        session.scalars(
            select(Count)
            .where(Count.warehouse_id == warehouse_id, Count.status.in_(OPEN_COUNT))
            .order_by(Count.id.desc())
            .limit(limit)
        )
    )
    locs = _names(session, Location.id, Location.code, {c.location_id for c in found})
    tasks = _names(session, Task.id, Task.status, {c.task_id for c in found})
    return [OpenCount(c, locs.get(c.location_id, "?"), tasks.get(c.task_id or 0)) for c in found]


@dataclass(frozen=True)
class FaceRow:
    face: PickFaceSetting
    location: str
    sku: str
    item_name: str
    on_hand: Decimal


def face_page(
    session: Session, *, warehouse_id: int, after: Any = None, before: Any = None
) -> Page[FaceRow]:
    stmt = select(PickFaceSetting).where(PickFaceSetting.warehouse_id == warehouse_id)
    page = keyset_page(session, stmt, PickFaceSetting.id, after=_int(after), before=_int(before))
    rows = list(page.rows)
    locs = _names(session, Location.id, Location.code, {f.location_id for f in rows})
    items = (
        {
            i.id: i
            for i in session.scalars(select(Item).where(Item.id.in_({f.item_id for f in rows})))
        }
        if rows
        else {}
    )
    stock: dict[tuple[int, int], Decimal] = {}
    if rows:
        for loc_id, item_id, qty in session.execute(
            select(Quant.location_id, Quant.item_id, Quant.on_hand).where(
                Quant.location_id.in_({f.location_id for f in rows}),
                Quant.status == StockStatus.available,
            )
        ):
            stock[(loc_id, item_id)] = stock.get((loc_id, item_id), Decimal(0)) + qty
    out = [
        FaceRow(
            f,
            locs.get(f.location_id, "?"),
            items[f.item_id].sku,
            items[f.item_id].name,
            stock.get((f.location_id, f.item_id), Decimal(0)),
        )
        for f in rows
    ]
    return Page(out, next_key=page.next_key, prev_key=page.prev_key)


@dataclass(frozen=True)
class RequisitionRow:
    requisition: PurchaseRequisition
    sku: str
    item_name: str
    buyer: str | None

    @property
    def id(self) -> int:
        return self.requisition.id


def requisition_page(
    session: Session,
    *,
    warehouse_id: int,
    status: RequisitionStatus,
    after: Any = None,
    before: Any = None,
) -> Page[RequisitionRow]:
    stmt = select(PurchaseRequisition).where(
        PurchaseRequisition.warehouse_id == warehouse_id, PurchaseRequisition.status == status
    )
    page = keyset_page(
        session,
        stmt,
        PurchaseRequisition.id,
        after=_int(after),
        before=_int(before),
        descending=True,
    )
    rows = list(page.rows)
    items = (
        {
            i.id: i
            for i in session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))
        }
        if rows
        else {}
    )
    buyers = _names(session, User.id, User.display_name, {r.buyer_id for r in rows})
    out = [
        RequisitionRow(r, items[r.item_id].sku, items[r.item_id].name, buyers.get(r.buyer_id or 0))
        for r in rows
    ]
    return Page(out, next_key=page.next_key, prev_key=page.prev_key)


@dataclass(frozen=True)
class JobRow:
    job: str
    last_run_at: datetime | None
    next_run_at: datetime | None
    result: dict[str, Any]
    error: str | None
    runs: int


def scheduled_jobs(session: Session, *, warehouse_id: int) -> dict[str, JobRow]:
    return {
        j.job: JobRow(
            j.job, j.last_run_at, j.next_run_at, dict(j.last_result or {}), j.last_error, j.runs
        )
        for j in session.scalars(
            select(ScheduledJob).where(ScheduledJob.warehouse_id == warehouse_id)
        )
    }
