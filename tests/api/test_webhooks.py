"""Webhooks: signed, retried with backoff, deduplicable, and never in the way of floor work."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.api.conftest import Erp, assert_problem, count, fields
from wms.model import DeliveryState, OutboxEvent, WebhookDelivery
from wms.services.webhooks import emit_webhook

SECRET = "a-secret-of-32-characters-long!!"


@dataclass
class Receiver:
    """A local ERP endpoint answering with ``statuses`` in turn (the last one repeats)."""

    url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    calls: list[tuple[float, dict[str, str], bytes]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def wait_for(self, n: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.calls) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.calls) >= n, f"only {len(self.calls)} of {n} deliveries arrived"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            rec.calls.append((time.monotonic(), dict(self.headers), body))
            time.sleep(rec.delay)
            status = rec.statuses[min(len(rec.calls), len(rec.statuses)) - 1]
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker(app):
    return app.extensions["wms.webhook_worker"]


def subscribe(erp: Erp, url: str, events=("stock.adjusted",)) -> dict:
    response = erp.post("/webhooks", {"url": url, "events": list(events), "secret": SECRET})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def adjust(erp: Erp, floor, qty: str = "5") -> None:
    floor.item("SKU-1")
    floor.location("A-01-01-1")
    response = erp.post(
        "/stock-moves",
        {
            "sku": "SKU-1",
            "qty": qty,
            "from_location": "INVENTORY_LOSS",
            "to_location": "A-01-01-1",
            "reason": "count_adjust",
        },
    )
    assert response.status_code == 201


def deliveries(floor) -> list[WebhookDelivery]:
    with floor.factory() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_an_adjustment_is_posted_signed_with_the_subscription_secret(erp, floor, receiver, worker):
    subscribe(erp, receiver.url)
    adjust(erp, floor)

    worker.run_once()

    receiver.wait_for(1)
    _at, headers, body = receiver.calls[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-WMS-Signature"] == expected
    event = json.loads(body)
    assert set(event) == {"id", "type", "occurred_at", "data"}
    assert event["type"] == "stock.adjusted"
    assert event["data"]["sku"] == "SKU-1" and event["data"]["qty"] == "5"
    assert headers["X-WMS-Event-Id"] == event["id"]
    assert deliveries(floor)[0].state is DeliveryState.delivered


def test_a_failing_endpoint_is_retried_with_growing_waits_and_the_same_id(
    erp, floor, receiver, worker
):
    worker.settings = worker.settings.__class__(webhook_backoff_seconds=0.2)
    receiver.statuses = [500, 500, 200]
    subscribe(erp, receiver.url)
    adjust(erp, floor)

    deadline = time.monotonic() + 10
    while len(receiver.calls) < 3 and time.monotonic() < deadline:
        worker.run_once()
        time.sleep(0.02)

    receiver.wait_for(3)
    times = [at for at, _h, _b in receiver.calls]
    assert times[2] - times[1] > times[1] - times[0] >= 0.15
    ids = {json.loads(body)["id"] for _at, _h, body in receiver.calls}
    assert len(ids) == 1  # the receiver dedupes by this id
    assert len({body for _at, _h, body in receiver.calls}) == 1
    (delivery,) = deliveries(floor)
    assert (delivery.state, delivery.attempts) == (DeliveryState.delivered, 3)


def test_an_endpoint_that_keeps_failing_is_given_up_after_the_last_attempt(
    erp, floor, receiver, worker
):
    worker.settings = worker.settings.__class__(
        webhook_backoff_seconds=0.01, webhook_max_attempts=3
    )
    receiver.statuses = [503]
    subscribe(erp, receiver.url)
    adjust(erp, floor)

    for _ in range(50):
        worker.run_once()
        time.sleep(0.02)

    (delivery,) = deliveries(floor)
    assert (delivery.state, delivery.attempts, delivery.last_status) == (
        DeliveryState.failed,
        3,
        503,
    )
    assert len(receiver.calls) == 3


def test_an_unreachable_endpoint_is_recorded_and_retried_later(erp, floor, worker):
    subscribe(erp, "http://127.0.0.1:9/closed")
    adjust(erp, floor)

    worker.run_once()

    (delivery,) = deliveries(floor)
    assert delivery.state is DeliveryState.pending and delivery.attempts == 1
    assert "Connection" in (delivery.last_error or "")


def test_a_hanging_endpoint_never_slows_floor_work(app, erp, floor, receiver):
    receiver.delay = 3.0
    subscribe(erp, receiver.url)
    worker = app.extensions["wms.webhook_worker"]
    worker.start()
    try:
        adjust(erp, floor)
        receiver.wait_for(1)  # the worker is now stuck on the slow receiver

        started = time.monotonic()
        adjust(erp, floor, qty="1")
        elapsed = time.monotonic() - started
    finally:
        worker.stop(timeout=0.1)

    assert elapsed < 1.0
    assert floor.on_hand("SKU-1", "A-01-01-1") == 6


def test_the_worker_thread_wakes_when_a_transaction_commits(app, erp, floor, receiver):
    worker = app.extensions["wms.webhook_worker"]
    worker.settings = worker.settings.__class__(webhook_poll_seconds=30)
    subscribe(erp, receiver.url)
    worker.start()
    try:
        started = time.monotonic()
        adjust(erp, floor)
        receiver.wait_for(1, timeout=5)
    finally:
        worker.stop(timeout=1)

    assert receiver.calls[0][0] - started < 5


def test_nobody_subscribed_means_nothing_is_queued(erp, floor):
    adjust(erp, floor)

    assert count(floor, OutboxEvent) == 0


def test_a_rolled_back_transaction_queues_no_event(erp, floor, receiver):
    subscribe(erp, receiver.url)

    with pytest.raises(RuntimeError), floor.factory() as s, s.begin():
        emit_webhook(s, "stock.adjusted", {"sku": "SKU-1"})
        raise RuntimeError("the business change failed")

    assert count(floor, OutboxEvent) == 0


def test_an_unsubscribed_endpoint_gets_nothing_more(erp, floor, receiver, worker):
    sub = subscribe(erp, receiver.url)
    adjust(erp, floor)

    assert erp.delete(f"/webhooks/{sub['id']}").status_code == 204
    worker.run_once()

    assert receiver.calls == []
    assert deliveries(floor)[0].state is DeliveryState.failed
    assert erp.get("/webhooks").get_json()["items"] == []


def test_subscriptions_are_listed_without_their_secret(erp, receiver):
    created = subscribe(erp, receiver.url, events=["stock.adjusted", "task.exception"])

    listed = erp.get("/webhooks").get_json()["items"]

    assert created["secret"] == SECRET
    assert listed == [{k: v for k, v in created.items() if k != "secret"}]


def test_a_generated_secret_is_shown_once(erp, receiver):
    response = erp.post("/webhooks", {"url": receiver.url, "events": ["stock.adjusted"]})

    assert len(response.get_json()["secret"]) >= 32


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://erp/hooks", "events": ["stock.adjusted"]}, "url"),
        ({"url": "not a url", "events": ["stock.adjusted"]}, "url"),
        ({"url": "https://erp/hooks", "events": ["stock.exploded"]}, "events[0]"),
        ({"url": "https://erp/hooks", "events": []}, "events"),
        ({"url": "https://erp/hooks", "events": ["stock.adjusted"], "secret": "short"}, "secret"),
    ],
)
def test_bad_subscriptions_are_refused(erp, body, field):
    assert field in fields(assert_problem(erp.post("/webhooks", body), 422))


def test_another_clients_subscription_cannot_be_deleted(erp, erp_as, receiver):
    sub = subscribe(erp, receiver.url)

    assert_problem(erp_as().delete(f"/webhooks/{sub['id']}"), 404)
    assert_problem(erp.delete("/webhooks/abc"), 404)
