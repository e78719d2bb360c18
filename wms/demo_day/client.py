"""The day's actors as HTTP clients: an ERP with its API key, PDAs signed in by badge, a console.

Each speaks to the server only as the real thing does: the ERP calls
/api/v1 with its bearer key; a PDA signs in at /t/login by badge and
sends the same JSON steps as the terminal page (``/t/api/...`` with the
``X-CSRF-Token`` header, a fresh request id and the screen's ``seq``); the
console signs in at /console/login and posts the same forms (with the
``csrf_token`` field) and JSON calls (with the header) as its pages.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
FLASH = re.compile(r'class="flash flash-(\w+)"[^>]*>([^<]*)<')
TIMEOUT = 30


class DayError(Exception):
    """The server refused a step of the day: the day stops and says which and why."""


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    message = body.get("message") or {}
    text = message.get("text") if isinstance(message, dict) else None
    return f"HTTP {response.status_code} {body.get('code', '')}: {text or body.get('detail')}"


class Erp:
    """The upstream ERP: pushes orders, reads them back, subscribes to webhooks."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {api_key}"

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        headers = {"Idempotency-Key": uuid.uuid4().hex} if method != "GET" else {}
        r = self.http.request(
            method,
            self.base + path,
            json=body,
            params=params or None,
            headers=headers,
            timeout=TIMEOUT,
        )
        if r.status_code >= 400:
            raise DayError(f"ERP {method} {path}: {_problem(r)}")
        return r.json() if r.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, **params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)


class Pda:
    """One operator's scanner terminal, signed in by badge."""

    def __init__(self, base_url: str, *, badge: str, device_id: str) -> None:
        self.base = base_url.rstrip("/")
        self.badge, self.device_id = badge, device_id
        self.http = requests.Session()
        self.csrf = ""
        self.screen: dict[str, Any] = {}

    def sign_in(self) -> None:
        page = self.http.get(f"{self.base}/t/login", timeout=TIMEOUT)
        token = CSRF_FIELD.search(page.text)
        if token is None:
            raise DayError("the terminal sign-in page has no CSRF token")
        r = self.http.post(
            f"{self.base}/t/login",
            timeout=TIMEOUT,
            data={"csrf_token": token.group(1), "badge": self.badge, "device_id": self.device_id},
        )
        meta = CSRF_META.search(r.text)
        if r.status_code != 200 or not r.url.rstrip("/").endswith("/t") or meta is None:
            raise DayError(f"badge {self.badge} was not accepted (HTTP {r.status_code})")
        self.csrf = meta.group(1)

    def _post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(
            f"{self.base}/t/api{path}",
            json=body or {},
            timeout=TIMEOUT,
            headers={"X-CSRF-Token": self.csrf},
        )

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self._post(path, body)
        if r.status_code >= 400:
            raise DayError(f"PDA {self.badge} {path}: {_problem(r)}")
        return r.json()

    def my_tasks(self) -> list[dict[str, Any]]:
        r = self.http.get(f"{self.base}/t/api/me/tasks", timeout=TIMEOUT)
        if r.status_code >= 400:
            raise DayError(f"PDA {self.badge} my tasks: {_problem(r)}")
        return r.json()["tasks"]

    def start(self, flow: str, task_id: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"flow": flow}
        if task_id is not None:
            body["task_id"] = task_id
        self.screen = self.api("/flows/start", body)
        return self.screen

    def step(
        self, value: str | None = None, *, action: str | None = None, allow_error: bool = False
    ) -> dict[str, Any]:
        """Send one scan (or one action key) for the screen shown; refuse a red screen."""
        body: dict[str, Any] = {"seq": self.screen["seq"], "request_id": uuid.uuid4().hex}
        if action is not None:
            body["action"] = action
        else:
            body["input"] = value
        shown = self.api(f"/flows/{self.screen['flow_session_id']}/step", body)
        self.screen = shown
        message = shown.get("message") or {}
        if message.get("level") == "error" and not allow_error:
            raise DayError(
                f"PDA {self.badge} at {shown['state']} scanned {value or action}: "
                f"{message.get('text')}"
            )
        return shown

    def has_action(self, action: str) -> bool:
        return any(a["action"] == action for a in self.screen.get("actions") or [])


class Console:
    """The supervisor at the console: forms with the csrf_token field, JSON with the header."""

    def __init__(self, base_url: str, *, username: str, password: str) -> None:
        self.base = base_url.rstrip("/")
        self.username, self.password = username, password
        self.http = requests.Session()
        self.csrf = ""

    def sign_in(self) -> None:
        page = self.http.get(f"{self.base}/console/login", timeout=TIMEOUT)
        token = CSRF_FIELD.search(page.text)
        if token is None:
            raise DayError("the console sign-in page has no CSRF token")
        r = self.http.post(
            f"{self.base}/console/login",
            timeout=TIMEOUT,
            data={
                "csrf_token": token.group(1),
                "username": self.username,
                "password": self.password,
            },
        )
        meta = CSRF_META.search(r.text)
        if r.status_code != 200 or meta is None:
            raise DayError(f"console sign-in of {self.username} failed (HTTP {r.status_code})")
        self.csrf = meta.group(1)

    def page(self, path: str) -> str:
        r = self.http.get(self.base + path, timeout=TIMEOUT)
        if r.status_code >= 400:
            raise DayError(f"console {path}: HTTP {r.status_code}")
        return r.text

    def form(self, path: str, data: dict[str, str] | None = None) -> str:
        """Post a console form as the page does; an error flash stops the day."""
        r = self.http.post(
            self.base + path, data={"csrf_token": self.csrf, **(data or {})}, timeout=TIMEOUT
        )
        if r.status_code >= 400:
            raise DayError(f"console {path}: HTTP {r.status_code}")
        for level, text in FLASH.findall(r.text):
            if level == "error":
                raise DayError(f"console {path}: {text.strip()}")
        return r.text

    def get(self, path: str, **params: Any) -> Any:
        r = self.http.get(self.base + path, params=params or None, timeout=TIMEOUT)
        if r.status_code >= 400:
            raise DayError(f"console {path}: {_problem(r)}")
        return r.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.post(
            self.base + path, json=body or {}, timeout=TIMEOUT, headers={"X-CSRF-Token": self.csrf}
        )
        if r.status_code >= 400:
            raise DayError(f"console {path}: {_problem(r)}")
        return r.json()
