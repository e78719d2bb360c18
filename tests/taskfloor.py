"""Builders for task tests: operators, supervisors and tasks, each its own transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tests.factories import Floor
from wms.model import Role, Task, TaskStatus, TaskType, User, Warehouse
from wms.services import tasks as task_service

LEASE = 900


def person(floor: Floor, username: str, *, role: Role = Role.operator,
           skills: tuple[str, ...] = (), locale: str = "en") -> User:
    """A user of the floor's warehouse (created once, found afterwards)."""
    wh_id = floor.warehouse_id
    with floor.factory() as s, s.begin():
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=username.title(), role=role,
                        skills=list(skills), locale=locale)
            user.warehouses.append(s.get(Warehouse, wh_id))  # type: ignore[arg-type]
            s.add(user)
            s.flush()
        return user


def task(floor: Floor, type: TaskType = TaskType.move, *, release: bool = True,
         source: str | None = None, destination: str | None = None, sku: str | None = None,
         qty: Decimal | int | str | None = None, **fields: Any) -> Task:
    """A task in the pool (released) unless ``release=False``."""
    if source:
        fields["from_location_id"] = floor.location(source).id
        fields.setdefault("zone_id", floor.location(source).zone_id)
    if destination:
        fields["to_location_id"] = floor.location(destination).id
    if sku:
        fields["item_id"] = floor.item(sku).id
    if qty is not None:
        fields["qty"] = Decimal(str(qty))
    wh_id = floor.warehouse_id
    with floor.factory() as s, s.begin():
        return task_service.create_task(s, warehouse_id=wh_id, type=type, release=release,
                                        **fields)


def fetch(floor: Floor, task_id: int) -> Task:
    with floor.factory() as s:
        found = s.get(Task, task_id)
        assert found is not None
        _ = list(found.transitions)
        return found


def history(floor: Floor, task_id: int) -> list[tuple[str, str, str | None]]:
    """(from, to, reason) of every recorded transition, oldest first."""
    return [(t.from_status.value, t.to_status.value, t.reason)
            for t in fetch(floor, task_id).transitions]


def statuses(floor: Floor) -> dict[int, TaskStatus]:
    with floor.factory() as s:
        return {t.id: t.status for t in s.scalars(select(Task))}


def all_at_once(count: int, work: Callable[[int], list[int]]) -> list[list[int]]:
    """``work(i)`` for i in 0..count-1, each in its own thread, all let go at one barrier.

    Returns each thread's result by i; any exception in a thread fails the caller.
    """
    start = threading.Barrier(count)
    results: list[list[int]] = [[] for _ in range(count)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as exc:  # surfaced below, in the caller's own thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    return results
