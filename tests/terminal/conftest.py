"""Terminal fixtures: operators, a live server in a thread, and Chromium as a PDA.

Browser tests drive Debian's chromium through Playwright at 360×640 with
touch. If Chromium cannot start, the test fails; it never skips.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from wms.services.access import create_user
from wms.settings import DeviceSettings, Settings, TerminalSettings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A PDA set up by the customer allows sound without a tap first (see docs/terminal.md).
    "--autoplay-policy=no-user-gesture-required",
]
PDA = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
       "device_scale_factor": 2, "locale": "en-US"}


@dataclass(frozen=True)
class Operator:
    id: int
    username: str
    badge: str
    pin: str


def make_operator(
    factory: sessionmaker[Session], username: str = "op1", badge: str = "BADGE-0001",
    pin: str = "4321", locale: str = "en", **kw: object
) -> Operator:
    with factory() as s, s.begin():
        user = create_user(s, username=username, display_name=username.upper(), pin=pin,
                           badge=badge, locale=locale, **kw)  # type: ignore[arg-type]
        return Operator(user.id, username, badge, pin)


@pytest.fixture
def operator(session_factory: sessionmaker[Session]) -> Operator:
    return make_operator(session_factory)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


# -- a live server for the browser ---------------------------------------------
def browser_settings(engine: Engine, tmp_path: Path, **terminal: int) -> Settings:
    # Playwright's keystrokes can stall on a busy CI machine; a longer silence keeps a
    # typed scan whole there. Production keeps the shorter default (see docs/terminal.md).
    terminal.setdefault("scan_silence_ms", 300)
    terminal.setdefault("retry_seconds", 1)
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key="test-secret",
        testing=True,
        log_level="WARNING",
        devices=DeviceSettings(spool_dir=str(tmp_path / "spool"), start_workers=False),
        terminal=TerminalSettings(**terminal),
    )


class LiveServer:
    """The app served by werkzeug in a thread (polling and websocket both work)."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_factory() -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:
        servers.append(LiveServer(app))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def pda_factory(chromium):
    """New PDA browser contexts (each its own cookies and localStorage)."""
    contexts = []

    def new(base_url: str):
        context = chromium.new_context(base_url=base_url, **PDA)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


def wait_scan_focus(page) -> None:
    """Wedge keys go to the focused element: wait until that is the scan input.

    Predicates are arrow functions: a bare expression would be run with eval,
    which the pages' Content-Security-Policy rightly refuses.
    """
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")


def wedge(page, code: str, suffix: str | None = "Enter") -> None:
    """Type like a keyboard-wedge scanner: fast keys, then the suffix key."""
    wait_scan_focus(page)
    page.keyboard.type(code, delay=5)
    if suffix:
        page.keyboard.press(suffix)


def sign_in_by_badge(page, operator: Operator) -> None:
    page.goto("/t/login")
    wedge(page, operator.badge)
    page.wait_for_url("**/t/")
    wait_scan_focus(page)


def feedback_kinds(page) -> list[str]:
    return page.evaluate("window.__wmsFeedback.map(function (e) { return e.kind; })")
