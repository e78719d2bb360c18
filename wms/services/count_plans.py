"""Count plans: which locations are due, read in one query, chosen by a pure planner.

``due_locations`` selects the plan's locations (all physical locations of
the warehouse for an ABC plan; a zone; a code prefix; the locations that
hold an item) with the time each was last counted, and lets
``AbcCountPlanner`` or ``FrequencyCountPlanner`` pick the due ones.
``run_plan`` turns up to ``max_per_run`` of them into count tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import (
    Count,
    CountPlan,
    CountPlanBasis,
    CountStatus,
    CountTrigger,
    Item,
    Location,
    Quant,
    Warehouse,
    Zone,
    utcnow,
)
from wms.services import counting
from wms.strategies.counting import (
    AbcCountPlanner,
    CountDue,
    FrequencyCountPlanner,
    LocationToCount,
)


def _candidates(plan: CountPlan, cutoff: Any = None) -> Select:
    """The plan's locations with their last count; with a cutoff, only those that may be due.

    A location with a count still open is not due again: it is being counted.
    """
    last = (
        select(Count.location_id, func.max(Count.finished_at).label("at"))
        .where(
            Count.warehouse_id == plan.warehouse_id,
            Count.status.in_((CountStatus.counted, CountStatus.closed)),
        )
        .group_by(Count.location_id)
        .subquery()
    )
    stmt = (
        select(Location.id, Location.code, Location.abc_class, last.c.at)
        .outerjoin(last, last.c.location_id == Location.id)
        .where(Location.warehouse_id == plan.warehouse_id, Location.virtual_kind.is_(None))
    )
    being_counted = exists().where(
        Count.location_id == Location.id, Count.status.in_(counting.OPEN)
    )
    stmt = stmt.where(~being_counted)
    if cutoff is not None:
        # A pre-filter only: the planner still decides exactly on the rows that come back.
        stmt = stmt.where(or_(last.c.at.is_(None), last.c.at <= cutoff))
    if plan.basis is CountPlanBasis.zone:
        stmt = stmt.where(Location.zone_id == plan.zone_id)
    elif plan.basis is CountPlanBasis.location:
        stmt = stmt.where(Location.code.startswith(plan.location_prefix or "", autoescape=True))
    elif plan.basis is CountPlanBasis.item:
        holding = select(Quant.location_id).where(Quant.item_id == plan.item_id, Quant.on_hand != 0)
        stmt = stmt.where(Location.id.in_(holding))
    return stmt


def planner_for(session: Session, plan: CountPlan) -> AbcCountPlanner | FrequencyCountPlanner:
    if plan.basis is CountPlanBasis.abc:
        wh = session.get(Warehouse, plan.warehouse_id)
        defaults = ((wh.settings or {}).get("counting", {}).get("abc_days") if wh else None) or {}
        return AbcCountPlanner(days={**defaults, **(plan.abc_days or {})})
    return FrequencyCountPlanner(days=plan.frequency_days)


def due_locations(
    session: Session, plan: CountPlan, *, now: datetime | None = None, limit: int | None = None
) -> list[CountDue]:
    now = now or utcnow()
    planner = planner_for(session, plan)
    cutoff: Any
    if isinstance(planner, AbcCountPlanner):
        days = planner.days_by_class()
        cutoff = case(
            *(
                (func.upper(Location.abc_class) == k, now - timedelta(days=v))
                for k, v in days.items()
            ),
            else_=now - timedelta(days=days[planner.default_class]),
        )
    else:
        cutoff = now - timedelta(days=planner.days)
    locations = map(LocationToCount._make, session.execute(_candidates(plan, cutoff)))
    return planner.due(locations, now=now, limit=limit)


def run_plan(
    session: Session,
    *,
    plan_id: int,
    now: datetime | None = None,
    actor_id: int | None = None,
    not_run_since: datetime | None = None,
) -> list[Count] | None:
    """Create count tasks for the plan's due locations; the new counts (none for one open).

    The plan row is locked, so a "run now" and a scheduled run never both
    request the same location. With ``not_run_since``, a plan that ran after
    it is skipped (``None``): the scheduler's once per period.
    """
    plan = session.scalars(
        select(CountPlan)
        .where(CountPlan.id == plan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if plan is None or not plan.active:
        raise NotFound(f"no active count plan {plan_id}")
    now = now or utcnow()
    if (
        not_run_since is not None
        and plan.last_run_at is not None
        and plan.last_run_at > not_run_since
    ):
        return None
    made = [
        counting.request_count(
            session,
            location_id=due.location_id,
            trigger=CountTrigger.plan,
            requested_by=actor_id,
            plan_id=plan.id,
            due_at=max(due.due_at, now),
            reason=plan.name,
        )
        for due in due_locations(session, plan, now=now, limit=plan.max_per_run)
    ]
    plan.last_run_at = now
    return made


ABC_CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class PlanForm:
    """A count plan as entered at the console: codes, not ids."""

    name: str
    basis: str
    zone: str | None = None
    location_prefix: str | None = None
    sku: str | None = None
    frequency_days: int | None = 90
    abc_days: dict[str, int | None] = field(default_factory=dict)
    max_per_run: int | None = None
    active: bool = True


def _plan_target(
    session: Session, warehouse_id: int, form: PlanForm, errors: list[FieldError]
) -> dict[str, Any]:
    """The zone, prefix or item the plan's basis needs; problems go to ``errors``."""
    target: dict[str, Any] = {"zone_id": None, "location_prefix": None, "item_id": None}
    if form.basis == CountPlanBasis.zone:
        zone = session.scalar(
            select(Zone.id).where(Zone.warehouse_id == warehouse_id, Zone.code == (form.zone or ""))
        )
        if zone is None:
            errors.append(FieldError("zone", "no such zone in this warehouse"))
        target["zone_id"] = zone
    elif form.basis == CountPlanBasis.location:
        if not form.location_prefix:
            errors.append(FieldError("location_prefix", "required"))
        target["location_prefix"] = form.location_prefix
    elif form.basis == CountPlanBasis.item:
        item = session.scalar(select(Item.id).where(Item.sku == (form.sku or "")))
        if item is None:
            errors.append(FieldError("sku", "no such item"))
        target["item_id"] = item
    return target


def save_plan(
    session: Session, form: PlanForm, *, warehouse_id: int, plan_id: int | None = None
) -> CountPlan:
    """Create or change a count plan; every problem is reported at once, nothing saved."""
    errors: list[FieldError] = []
    if not form.name:
        errors.append(FieldError("name", "required"))
    if form.basis not in CountPlanBasis.__members__:
        errors.append(FieldError("basis", "unknown plan basis"))
    if form.basis != CountPlanBasis.abc and not (form.frequency_days or 0) >= 1:
        errors.append(FieldError("frequency_days", "a whole number of days is needed"))
    abc = {k: v for k, v in form.abc_days.items() if v is not None}
    errors += [
        FieldError(f"abc_{k}", "a whole number of days is needed")
        for k, v in abc.items()
        if k not in ABC_CLASSES or v < 1
    ]
    if form.max_per_run is not None and form.max_per_run < 1:
        errors.append(FieldError("max_per_run", "a whole number is needed"))
    target = _plan_target(session, warehouse_id, form, errors)
    plan = (
        CountPlan(warehouse_id=warehouse_id) if plan_id is None else session.get(CountPlan, plan_id)
    )
    if plan is None or plan.warehouse_id != warehouse_id:
        raise NotFound(f"no count plan {plan_id}")
    if errors:
        raise ValidationFailed(errors)
    plan.name, plan.basis, plan.active = form.name, CountPlanBasis(form.basis), form.active
    plan.frequency_days = form.frequency_days or plan.frequency_days or 90
    plan.abc_days = abc or None
    plan.max_per_run = form.max_per_run
    plan.zone_id, plan.location_prefix = target["zone_id"], target["location_prefix"]
    plan.item_id = target["item_id"]
    session.add(plan)
    session.flush()
    return plan
