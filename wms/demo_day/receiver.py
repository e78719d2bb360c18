"""The ERP's webhook endpoint for the day: a small local HTTP server that checks every signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Delivery:
    event_id: str
    type: str
    data: dict[str, Any]
    signature_ok: bool


@dataclass
class WebhookReceiver:
    """Listens on 127.0.0.1 (an ephemeral port); ``secret`` is set once the ERP subscribed."""

    host: str = "127.0.0.1"
    secret: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    on_delivery: Callable[[Delivery], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the receiver first"
        return f"http://{self.host}:{self._server.server_port}/wms-events"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver._receive(raw, self.headers.get("X-WMS-Signature") or "")
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the day prints its own lines."""

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def verify(self, raw: bytes, header: str) -> bool:
        """As docs/api.md says: HMAC-SHA256 of the raw body with the secret, before parsing."""
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        return bool(self.secret) and hmac.compare_digest(expected, header)

    def _receive(self, raw: bytes, signature: str) -> None:
        ok = self.verify(raw, signature)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        delivery = Delivery(
            str(body.get("id", "")), str(body.get("type", "")), body.get("data") or {}, ok
        )
        with self._lock:
            if any(d.event_id == delivery.event_id for d in self.deliveries if d.event_id):
                return  # at least once: a repeated delivery is the same event
            self.deliveries.append(delivery)
        if self.on_delivery is not None:
            self.on_delivery(delivery)

    def of_type(self, event_type: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.type == event_type]

    def wait_for(self, check: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return True
            time.sleep(0.1)
        return check()
