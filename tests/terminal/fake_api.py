"""TEST-ONLY fake of the terminal JSON API and the /terminal Socket.IO namespace.

The real API (wms/web/flows_api.py, the flow runner, the pushes) is built on
another branch. This fake answers the same contract so the page and its JS
can be tested in a real browser before the merge. It is registered only by
the test fixtures, under its own prefix (``/t/fake-api``) and namespace
(``/terminal-fake``), so it can never shadow the real routes; it is never
imported by ``wms``.

It keeps every step request it receives (``fake.steps``) so tests can check
what the browser sent: raw scan text, request ids, sequence numbers.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, jsonify, request, session
from flask_socketio import emit, join_room

from wms.web.auth import current_user, login_required

PREFIX = "/t/fake-api"
NAMESPACE = "/terminal-fake"
LOCATION = re.compile(r"^[A-Z]-\d{2}-\d{2}(-\d)?$")

terminal_only = login_required(kind="terminal")


@dataclass
class FakeFlow:
    id: int
    user_id: int
    flow: str
    task_id: int | None
    state: str = "scan_source"
    seq: int = 1
    data: dict[str, Any] = field(default_factory=dict)
    done: bool = False
    answers: dict[str, dict] = field(default_factory=dict)  # request_id -> screen


@dataclass
class FakeTerminalApi:
    socketio: Any = None
    tasks: dict[int, dict] = field(default_factory=dict)
    flows: dict[int, FakeFlow] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    acks: list[int] = field(default_factory=list)
    applied: int = 0
    #: Seconds each step waits before answering (to test scans made while one is in flight).
    step_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- what a test does -------------------------------------------------------
    def add_task(self, user_id: int, summary: str, type: str = "move", **extra: Any) -> dict:
        with self.lock:
            task = {"id": len(self.tasks) + 1, "type": type, "status": "assigned",
                    "priority": 5, "zone": "A", "summary": summary, "user_id": user_id, **extra}
            self.tasks[task["id"]] = task
        return task

    def push_task(self, user_id: int, summary: str, *, emit_live: bool = True) -> dict:
        """Assign a task and push ``task.assigned``; stored first, like the real pushes."""
        task = self.add_task(user_id, summary)
        with self.lock:
            event = {"seq": len(self.events) + 1, "name": "task.assigned", "user_id": user_id,
                     "payload": {"task_ids": [task["id"]], "task": _public(task)}}
            self.events.append(event)
        if emit_live:
            self.socketio.emit("task.assigned", _envelope(event), namespace=NAMESPACE,
                               to=f"user:{user_id}")
        return task

    def wait_for_steps(self, n: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.steps) >= n:
                return list(self.steps)
            time.sleep(0.02)
        raise AssertionError(f"expected {n} step request(s), got {self.steps}")

    # -- the move flow, as a small state machine --------------------------------
    def start_flow(self, user_id: int, flow: str, task_id: int | None) -> FakeFlow:
        with self.lock:
            for old in self.flows.values():
                if old.user_id == user_id:
                    old.done = True
            fake = FakeFlow(id=len(self.flows) + 1, user_id=user_id, flow=flow, task_id=task_id)
            self.flows[fake.id] = fake
            return fake

    def step(self, fake: FakeFlow, body: dict) -> dict:
        with self.lock:
            self.steps.append(dict(body, flow_session_id=fake.id, at=time.monotonic()))
            rid = str(body.get("request_id") or "")
            if rid in fake.answers:  # a resend: the stored answer, applied once
                return fake.answers[rid]
            if body.get("seq") != fake.seq:
                return screen(fake, message=("stale_step", "That scan was for an older screen.",
                                             "warning"))
            answer = self._advance(fake, body)
            fake.answers[rid] = answer
            return answer

    def _advance(self, fake: FakeFlow, body: dict) -> dict:
        action, value = body.get("action"), body.get("input")
        if action == "back":
            order = ["scan_source", "scan_item", "enter_qty", "scan_destination"]
            fake.state = order[max(order.index(fake.state) - 1, 0)]
            fake.seq += 1
            self.applied += 1
            return screen(fake)
        expects = {"scan_source": "location", "scan_destination": "location"}
        if expects.get(fake.state) == "location" and not LOCATION.match(value or ""):
            return screen(fake, message=("wrong_location",
                                         f"Scan a location, not {value}.", "error"))
        if fake.state == "enter_qty" and not (value or "").isdigit():
            return screen(fake, message=("not_a_quantity", f"{value} is not a quantity.",
                                         "error"))
        fake.data[fake.state] = value
        fake.state = {"scan_source": "scan_item", "scan_item": "enter_qty",
                      "enter_qty": "scan_destination", "scan_destination": "done"}[fake.state]
        fake.done = fake.state == "done"
        fake.seq += 1
        self.applied += 1
        return screen(fake)


PROMPTS = {
    "scan_source": ("Scan the source location", "location"),
    "scan_item": ("Scan the item", "item"),
    "enter_qty": ("Enter the quantity", "quantity"),
    "scan_destination": ("Scan the destination location", "location"),
    "done": ("Stock moved", None),
}


def screen(fake: FakeFlow, message: tuple[str, str, str] | None = None) -> dict:
    prompt, expect = PROMPTS[fake.state]
    labels = {"scan_source": "From", "scan_item": "Item", "enter_qty": "Qty",
              "scan_destination": "To"}
    return {
        "flow": fake.flow, "flow_session_id": fake.id, "seq": fake.seq, "state": fake.state,
        "title": "Move stock", "prompt": prompt, "expect": expect,
        "message": {"code": message[0], "text": message[1], "level": message[2]}
        if message else None,
        "fields": [{"label": labels[k], "value": v} for k, v in fake.data.items()],
        "progress": f"{len(fake.data)}/4",
        "actions": [] if fake.done else [{"action": "back", "label": "Back", "key": "F1"}],
        "done": fake.done,
        "next": None,
    }


def _public(task: dict) -> dict:
    return {k: v for k, v in task.items() if k != "user_id"}


def _envelope(event: dict) -> dict:
    return {"seq": event["seq"], "name": event["name"], "payload": event["payload"]}


def install(app: Flask) -> FakeTerminalApi:
    """Point the terminal pages at the fake and register it. Test apps only."""
    fake = FakeTerminalApi(socketio=app.extensions["wms"].socketio)
    app.config["WMS_TERMINAL_API"] = PREFIX
    app.config["WMS_TERMINAL_NAMESPACE"] = NAMESPACE
    bp = Blueprint("fake_terminal_api", __name__, url_prefix=PREFIX)

    def uid() -> int:
        user = current_user()
        assert user is not None
        return user.id

    def current_flow() -> FakeFlow | None:
        return next((f for f in fake.flows.values() if f.user_id == uid() and not f.done), None)

    @bp.get("/me/tasks")
    @terminal_only
    def my_tasks() -> Any:
        items = [_public(t) for t in fake.tasks.values()
                 if t["user_id"] == uid() and t["status"] != "done"]
        return jsonify({"items": items})

    @bp.post("/tasks/next")
    @terminal_only
    def next_task() -> Any:
        mine = [t for t in fake.tasks.values()
                if t["user_id"] == uid() and t["status"] == "assigned"]
        if not mine:
            return jsonify({"code": "no_task", "detail": "No task is waiting for you."}), 404
        return jsonify(_public(mine[0]))

    @bp.post("/tasks/<int:task_id>/start")
    @terminal_only
    def start_task(task_id: int) -> Any:
        fake.tasks[task_id]["status"] = "in_progress"
        return jsonify(_public(fake.tasks[task_id]))

    @bp.post("/flows/start")
    @terminal_only
    def start_flow() -> Any:
        body = request.get_json()
        return jsonify(screen(fake.start_flow(uid(), body["flow"], body.get("task_id"))))

    @bp.post("/flows/<int:flow_id>/step")
    @terminal_only
    def step(flow_id: int) -> Any:
        body = request.get_json()
        if fake.step_delay:
            time.sleep(fake.step_delay)
        return jsonify(fake.step(fake.flows[flow_id], body))

    @bp.get("/flows/current")
    @terminal_only
    def current() -> Any:
        found = current_flow()
        return jsonify(screen(found) if found else None)

    @bp.get("/events")
    @terminal_only
    def events() -> Any:
        after = int(request.args.get("after", 0))
        mine = [_envelope(e) for e in fake.events if e["user_id"] == uid() and e["seq"] > after]
        return jsonify({"events": mine})

    @bp.post("/events/ack")
    @terminal_only
    def ack() -> Any:
        fake.acks.append(int(request.get_json()["seq"]))
        return jsonify({"ok": True})

    app.register_blueprint(bp)
    sio = fake.socketio

    @sio.on("connect", namespace=NAMESPACE)
    def _connect(auth: dict | None) -> bool:
        user_id = session.get("user_id")
        if user_id is None or session.get("kind") != "terminal":
            return False
        join_room(f"user:{user_id}")
        last = int((auth or {}).get("last_seq") or 0)
        for event in fake.events:  # replay what this terminal missed
            if event["user_id"] == user_id and event["seq"] > last:
                emit(event["name"], _envelope(event))
        return True

    @sio.on("ack", namespace=NAMESPACE)
    def _ack(data: dict) -> None:
        fake.acks.append(int(data["seq"]))

    return fake
