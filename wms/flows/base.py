"""What a scanner flow is made of: its screens, the step's context, the ``Flow`` base class.

A flow is a ``Flow`` subclass: a ``StrEnum`` of states, ``TRANSITIONS``, one
``on_<state>(scan)`` handler per state and ``act_<action>()`` for buttons,
each returning a frozen ``Screen``; ``render`` turns a screen into the JSON
the terminal draws. ``wms.flows.runner`` runs them, one transaction per scan.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from wms.errors import InvalidTransition, WmsError
from wms.flows.scans import Scan, interpret
from wms.messages import CATALOG, translate, unit
from wms.model import Task, User

#: Function keys for the usual actions; others take the next free key in order.
ACTION_KEYS = {"back": "F1", "confirm": "F2", "exception": "F3", "skip": "F4"}


class UnknownAction(WmsError):
    code = "unknown_action"
    http_status = 422
    title = "This action is not available here"


@dataclass(frozen=True)
class Message:
    code: str
    level: str = "error"  # error | warning | success | info
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Screen:
    """What the terminal shows; texts are catalog codes, translated by ``render``."""

    state: str
    prompt: str
    params: Mapping[str, Any] = field(default_factory=dict)
    expect: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    message: Message | None = None
    progress: str | None = None
    actions: tuple[str, ...] = ()
    done: bool = False
    next: Mapping[str, Any] | None = None


@dataclass
class StepContext:
    user: User
    device_id: str | None
    warehouse_id: int
    locale: str
    request_id: str | None
    data: dict[str, Any]
    task: Task | None = None
    lease_seconds: int = 900
    #: The location the operator proved to be at in this step, for presence and "nearest".
    here_location_id: int | None = None
    #: Reads the station scale's stable weight in grams; None when the station has no scale.
    weigh: Callable[[], int] | None = None
    #: The step's input, already resolved with the flow session's lock (PostgreSQL).
    scan: Scan | None = None


class Flow(ABC):
    """Base of every scanner flow; subclasses declare states, transitions and handlers."""

    name: ClassVar[str]
    title: ClassVar[str]
    initial: ClassVar[StrEnum]
    TRANSITIONS: ClassVar[Mapping[StrEnum, frozenset[StrEnum]]]
    BACK: ClassVar[Mapping[StrEnum, StrEnum]] = {}
    task_types: ClassVar[frozenset[str]] = frozenset()
    #: Reads the station scale: only such a flow has the scale looked up on each step.
    weighs: ClassVar[bool] = False

    def __init__(self, session: Session, ctx: StepContext) -> None:
        self.session, self.ctx, self.data = session, ctx, ctx.data

    def prepare(self) -> None:  # noqa: B027 - an optional hook, not a duty
        """Fill ``data`` at start (e.g. from the task); override when needed."""

    @abstractmethod
    def screen(self, state: str) -> Screen:
        """The screen for ``state``: every flow draws its own."""

    def interpret(self, raw: str) -> Scan:
        scan, self.ctx.scan = self.ctx.scan, None
        if scan is not None and scan.raw == raw.strip():
            return scan  # resolved with the step's lock
        return interpret(self.session, raw, warehouse_id=self.ctx.warehouse_id)

    def dispatch(self, state: str, raw: str | None, action: str | None) -> Screen:
        if action:
            if action not in self.screen(state).actions:
                raise UnknownAction(f"{action} is not available in {state}", action=action)
            if action == "back":
                return self.back(state)
            return getattr(self, f"act_{action}")()
        return getattr(self, f"on_{state}")(self.interpret(raw or ""))

    def back(self, state: str) -> Screen:
        target = self.BACK[self.initial.__class__(state)]
        for key in self.forget_on_back(target):
            self.data.pop(key, None)
        return self.screen(target)

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return ()

    def check_transition(self, source: str, target: str) -> None:
        allowed = self.TRANSITIONS.get(self.initial.__class__(source), frozenset())
        if target not in allowed:
            raise InvalidTransition(
                f"{self.name}: {source} → {target} is not declared", source=source, target=target
            )


def render(
    screen: Screen, *, flow: type[Flow], flow_session_id: int, seq: int, locale: str
) -> dict[str, Any]:
    """The screen JSON the terminal draws (see the contract in docs/tasks.md)."""
    message = None
    if screen.message is not None:
        params = {k: unit(v, locale) if k == "uom" else v for k, v in screen.message.params.items()}
        message = {
            "code": screen.message.code,
            "level": screen.message.level,
            "text": translate(screen.message.code, locale, **params),
        }
    used = set(ACTION_KEYS.values())
    spare = iter(f"F{n}" for n in range(1, 13) if f"F{n}" not in used)
    return {
        "flow": flow.name,
        "flow_session_id": flow_session_id,
        "seq": seq,
        "state": str(screen.state),
        "title": translate(flow.title, locale),
        "prompt": translate(screen.prompt, locale, **screen.params),
        "expect": screen.expect,
        "message": message,
        "fields": [
            {"label": translate(label, locale), "value": value} for label, value in screen.fields
        ],
        "progress": screen.progress,
        "actions": [
            {
                "action": a,
                "label": _action_label(flow.name, a, locale),
                "key": ACTION_KEYS.get(a) or next(spare),
            }
            for a in screen.actions
        ],
        "done": screen.done,
        "next": dict(screen.next) if screen.next else None,
    }


def _action_label(flow_name: str, action: str, locale: str) -> str:
    """A flow may name an action in its own words ("receive.action.close"), else the shared one."""
    own = f"{flow_name}.action.{action}"
    return translate(own if own in CATALOG else f"action.{action}", locale)
