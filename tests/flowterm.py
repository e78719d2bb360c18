"""A scanner terminal for flow tests: starts a flow, scans, presses keys, keeps the step number."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.factories import Floor
from wms.flows import runner
from wms.model import User


def screen(state: str, prompt: str, *, seq: int, fs: int, expect: str | None = None,
           fields: list[tuple[str, str]] | None = None, message: tuple[str, str, str] | None = None,
           actions: list[tuple[str, str, str]] | None = None, done: bool = False,
           next: dict | None = None, title: str = "Move stock") -> dict[str, Any]:
    """A whole expected screen, written compactly: message = (code, level, text)."""
    return {
        "flow": "move", "flow_session_id": fs, "seq": seq, "state": state, "title": title,
        "prompt": prompt, "expect": expect,
        "message": None if message is None else dict(zip(("code", "level", "text"), message,
                                                         strict=True)),
        "fields": [{"label": k, "value": v} for k, v in (fields or [])],
        "progress": None,
        "actions": [{"action": a, "label": label, "key": key} for a, label, key in actions or []],
        "done": done, "next": next,
    }


BACK = ("back", "Back", "F1")
CONFIRM = ("confirm", "Confirm quantity", "F2")


class Terminal:
    def __init__(self, floor: Floor, user: User, device_id: str = "PDA-1") -> None:
        self.floor, self.user, self.device_id = floor, user, device_id
        self.last: dict[str, Any] = {}
        #: The station scale reader passed to every step, as the web edge does.
        self.weigh: Callable[[], int] | None = None

    @property
    def fs(self) -> int:
        return int(self.last["flow_session_id"])

    def start(self, flow: str = "move", task_id: int | None = None) -> dict[str, Any]:
        with self.floor.factory() as s, s.begin():
            self.last = runner.start_flow(
                s, flow=flow, user=s.merge(self.user), device_id=self.device_id,
                warehouse_id=self.floor.warehouse_id, task_id=task_id,
            )
        return self.last

    def step(self, input: str | None = None, *, action: str | None = None,
             request_id: str | None = None, seq: int | None = None) -> dict[str, Any]:
        with self.floor.factory() as s, s.begin():
            shown = runner.run_step(
                s, flow_session_id=self.fs, seq=self.last["seq"] if seq is None else seq,
                request_id=request_id or uuid.uuid4().hex, input=input, action=action,
                user=self.user.id, device_id=self.device_id, weigh=self.weigh,
            )
        self.last = shown
        return shown

    def scan(self, *inputs: str) -> dict[str, Any]:
        for raw in inputs:
            self.step(raw)
        return self.last

    def press(self, action: str) -> dict[str, Any]:
        return self.step(action=action)
