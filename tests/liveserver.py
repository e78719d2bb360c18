"""A live HTTP + Socket.IO server on 127.0.0.1 (ephemeral port) in a thread, and its clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import socketio
from werkzeug.serving import make_server


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` (threading mode: werkzeug carries the WebSocket) until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


class Listener:
    """A python-socketio client that writes down every event it receives, in order."""

    def __init__(self, namespace: str = "/terminal") -> None:
        self.namespace = namespace
        self.received: list[tuple[str, Any]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._record, namespace=namespace)

    def _record(self, event: str, data: Any = None) -> None:
        self.received.append((event, data))

    def connect(self, url: str, cookie: str | None, auth: dict | None = None) -> None:
        """Connect; a terminal waits for its catch-up replay to finish, as the real one does."""
        headers = {"Cookie": cookie} if cookie else {}
        self.client.connect(url, headers=headers, auth=auth, namespaces=[self.namespace],
                            transports=["websocket"], wait_timeout=5)
        if self.namespace == "/terminal":
            assert wait_until(lambda: "events.replayed" in self.names()), "no replay"

    def disconnect(self) -> None:
        """Drop the connection like a PDA leaving Wi-Fi: close, do not wait for the goodbye."""
        self.client.eio.disconnect(abort=True)

    def seqs(self, name: str | None = None) -> list[int]:
        return [d["seq"] for e, d in self.received
                if (name is None or e == name) and isinstance(d, dict) and "seq" in d]

    def names(self) -> list[str]:
        return [e for e, _ in self.received]

    def pushes(self) -> list[tuple[str, Any]]:
        return [(e, d) for e, d in self.received if e != "events.replayed"]


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()
