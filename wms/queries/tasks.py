"""Read-side task queries: tasks as JSON-ready dicts with codes and names, the board's filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from wms.model import Item, Location, Task, TaskStatus, TaskTransition, User, Zone, qty_str, utcnow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def describe(task: Task) -> dict[str, Any]:
    """A task as plain values (ids only), for events and APIs."""
    return describe_values({key: getattr(task, key) for key in DESCRIBED})


DESCRIBED = (
    "id", "type", "status", "priority", "due_at", "warehouse_id", "zone_id", "required_skill",
    "route_seq", "group_id", "assignee_id", "device_id", "item_id", "qty", "done_qty", "uom",
    "from_location_id", "to_location_id", "lease_expires_at", "exception_reason", "created_at",
    "updated_at",
)


def describe_values(task: Mapping[str, Any]) -> dict[str, Any]:
    """``describe`` of a task's column values (a row read as plain SQL, or a task's attributes)."""
    return {
        "id": task["id"], "type": task["type"].value, "status": task["status"].value,
        "priority": task["priority"], "due_at": _iso(task["due_at"]),
        "warehouse_id": task["warehouse_id"], "zone_id": task["zone_id"],
        "required_skill": task["required_skill"], "route_seq": task["route_seq"],
        "group_id": task["group_id"], "assignee_id": task["assignee_id"],
        "device_id": task["device_id"], "item_id": task["item_id"],
        "qty": qty_str(task["qty"]) if task["qty"] is not None else None,
        "done_qty": qty_str(task["done_qty"]), "uom": task["uom"],
        "from_location_id": task["from_location_id"], "to_location_id": task["to_location_id"],
        "lease_expires_at": _iso(task["lease_expires_at"]),
        "exception_reason": task["exception_reason"],
        "created_at": _iso(task["created_at"]), "updated_at": _iso(task["updated_at"]),
    }


def _names(session: Session, model: Any, column: Any, ids: Iterable[int | None]) -> dict:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, column).where(model.id.in_(wanted))).all())


def _lookups(session: Session, tasks: Sequence[Task]) -> dict[str, dict[int, Any]]:
    """The codes and names ``enrich`` shows, every kind in one round trip (a UNION ALL).

    Keyed by the ids the tasks carry now (flushed or not), kind by kind:
    "loc" → location code, "item" → (SKU, name), "zone" → zone code,
    "user" → display name.
    """
    wanted: dict[str, set[int]] = {
        "loc": {i for t in tasks for i in (t.from_location_id, t.to_location_id) if i is not None},
        "item": {t.item_id for t in tasks if t.item_id is not None},
        "zone": {t.zone_id for t in tasks if t.zone_id is not None},
        "user": {t.assignee_id for t in tasks if t.assignee_id is not None},
    }
    columns = {
        "loc": (Location, Location.code, None),
        "item": (Item, Item.sku, Item.name),
        "zone": (Zone, Zone.code, None),
        "user": (User, User.display_name, None),
    }
    parts = [
        select(literal(kind).label("kind"), model.id.label("id"), first.label("a"),
               (second if second is not None else null()).label("b"))
        .where(model.id.in_(sorted(wanted[kind])))
        for kind, (model, first, second) in columns.items() if wanted[kind]
    ]
    found: dict[str, dict[int, Any]] = {kind: {} for kind in columns}
    if not parts:
        return found
    stmt = parts[0] if len(parts) == 1 else union_all(*parts)
    for kind, key, a, b in session.execute(stmt):
        found[kind][key] = (a, b) if kind == "item" else a
    return found


def enrich(session: Session, tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """Tasks with location codes, SKU, item name, zone code and assignee name filled in."""
    names = _lookups(session, tasks)
    locs, items = names["loc"], names["item"]
    return [
        {**describe(t), "from_location": locs.get(t.from_location_id),
         "to_location": locs.get(t.to_location_id),
         "sku": items.get(t.item_id, (None, None))[0],
         "item_name": items.get(t.item_id, (None, None))[1],
         "zone": names["zone"].get(t.zone_id), "assignee": names["user"].get(t.assignee_id)}
        for t in tasks
    ]


def operator_tasks(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """What the operator holds now, in the order they should do it."""
    stmt = (
        select(Task).where(Task.assignee_id == user_id,
                           Task.status.in_((TaskStatus.assigned, TaskStatus.in_progress)))
        .order_by(Task.priority.desc(), Task.due_at.asc().nullslast(), Task.route_seq, Task.id)
    )
    return enrich(session, list(session.scalars(stmt)))


@dataclass(frozen=True)
class BoardFilter:
    warehouse_id: int
    statuses: tuple[str, ...] = ()
    zone_id: int | None = None
    assignee_id: int | None = None
    min_priority: int | None = None
    older_than_minutes: int | None = None
    page: int = 1
    per_page: int = 50


def _filtered(f: BoardFilter, now: datetime) -> Select:
    stmt = select(Task).where(Task.warehouse_id == f.warehouse_id)
    if f.statuses:
        stmt = stmt.where(Task.status.in_([TaskStatus(s) for s in f.statuses]))
    if f.zone_id is not None:
        stmt = stmt.where(Task.zone_id == f.zone_id)
    if f.assignee_id is not None:
        stmt = stmt.where(Task.assignee_id == f.assignee_id)
    if f.min_priority is not None:
        stmt = stmt.where(Task.priority >= f.min_priority)
    if f.older_than_minutes is not None:
        stmt = stmt.where(Task.created_at <= now - timedelta(minutes=f.older_than_minutes))
    return stmt


def board(session: Session, f: BoardFilter, *, now: datetime | None = None) -> dict[str, Any]:
    """One page of the task board, most urgent first, with the total for paging."""
    stmt = _filtered(f, now or utcnow())
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = list(session.scalars(
        stmt.order_by(Task.priority.desc(), Task.due_at.asc().nullslast(), Task.id)
        .offset((f.page - 1) * f.per_page).limit(f.per_page)
    ))
    return {"tasks": enrich(session, page), "total": int(total or 0), "page": f.page,
            "per_page": f.per_page}


def detail(session: Session, task: Task) -> dict[str, Any]:
    """A task with its whole recorded history, names resolved."""
    steps = list(session.scalars(
        select(TaskTransition).where(TaskTransition.task_id == task.id)
        .order_by(TaskTransition.id)))
    names = _names(session, User, User.display_name,
                   [s.actor_id for s in steps] + [s.to_user_id for s in steps]
                   + [s.from_user_id for s in steps])
    history = [
        {"at": _iso(s.at), "from": s.from_status.value, "to": s.to_status.value,
         "actor": names.get(s.actor_id), "actor_id": s.actor_id, "device_id": s.device_id,
         "reason": s.reason, "from_user": names.get(s.from_user_id),
         "to_user": names.get(s.to_user_id)}
        for s in steps
    ]
    return {**enrich(session, [task])[0], "history": history}
