"""Task assignment rules: which task an operator pulls next, which operator a task is pushed to.

Pure functions over plain values (no session), so they are unit-tested and
benchmarked without a database. The services feed them candidates read
from the database and apply the choice with a guarded write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

#: Metres walked to change aisle (down one aisle, across, up the next).
AISLE_PITCH = Decimal(3)
#: How far a task with no known place is assumed to be: last among equals.
UNKNOWN_DISTANCE = Decimal(10**9)


@dataclass(frozen=True)
class Point:
    """Where a location is for routing: aisle index and metres along the aisle."""

    aisle: int
    x: Decimal = Decimal(0)


def distance(a: Point | None, b: Point | None) -> Decimal:
    """Walking distance estimate: aisle changes plus metres along the aisle."""
    if a is None or b is None:
        return UNKNOWN_DISTANCE
    return abs(a.aisle - b.aisle) * AISLE_PITCH + abs(a.x - b.x)


@dataclass(frozen=True)
class TaskCandidate:
    task_id: int
    priority: int
    due_at: datetime | None = None
    place: Point | None = None
    zone_id: int | None = None
    required_skill: str | None = None


@dataclass(frozen=True)
class OperatorCandidate:
    user_id: int
    skills: frozenset[str] = frozenset()
    open_tasks: int = 0
    place: Point | None = None
    zone_id: int | None = None


def _due_key(due: datetime | None) -> tuple[int, float]:
    return (1, 0.0) if due is None else (0, due.timestamp())


@dataclass(frozen=True)
class NextTaskOrder:
    """Pull: highest priority, then earliest due time (none last), then nearest, then oldest."""

    def key(self, task: TaskCandidate, here: Point | None) -> tuple:
        return (-task.priority, _due_key(task.due_at), distance(here, task.place), task.task_id)

    def choose(
        self, candidates: Iterable[TaskCandidate], here: Point | None
    ) -> list[TaskCandidate]:
        """Every candidate, best first; the caller claims down the list until one sticks."""
        return sorted(candidates, key=lambda t: self.key(t, here))


@dataclass(frozen=True)
class RuleAssignment:
    """Push: pick the operator for a task by skill (required), zone, workload and distance.

    The weights say how many metres one open task or being outside the
    task's zone is worth; set them in one place to tune the rule.
    """

    metres_per_open_task: Decimal = Decimal(25)
    metres_outside_zone: Decimal = Decimal(50)
    max_open_tasks: int = 10
    skip_users: frozenset[int] = field(default_factory=frozenset)

    def eligible(self, task: TaskCandidate, op: OperatorCandidate) -> bool:
        if op.user_id in self.skip_users or op.open_tasks >= self.max_open_tasks:
            return False
        return task.required_skill is None or task.required_skill in op.skills

    def cost(self, task: TaskCandidate, op: OperatorCandidate) -> Decimal:
        walk = distance(op.place, task.place)
        if walk == UNKNOWN_DISTANCE:
            walk = Decimal(0)
        outside = task.zone_id is not None and op.zone_id != task.zone_id
        return (
            walk
            + op.open_tasks * self.metres_per_open_task
            + (self.metres_outside_zone if outside else 0)
        )

    def choose(
        self, task: TaskCandidate, operators: Sequence[OperatorCandidate]
    ) -> OperatorCandidate | None:
        fit = [op for op in operators if self.eligible(task, op)]
        if not fit:
            return None
        return min(fit, key=lambda op: (self.cost(task, op), op.open_tasks, op.user_id))
