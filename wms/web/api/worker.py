"""The background thread that delivers webhooks and forgets old idempotency keys.

It is an entrypoint like a request: each database step is its own short
transaction, and HTTP happens between transactions, never inside one. It
sleeps until an after-commit event says a webhook is due, or for the poll
interval (retries come due by time). Under gevent the thread is a greenlet.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from sqlalchemy.orm import Session, sessionmaker

from wms.events import Event
from wms.services import idempotency, webhook_delivery
from wms.services.webhooks import WAKE_EVENT
from wms.settings import ApiSettings

log = logging.getLogger(__name__)

BATCH = 20
SENDERS = 4
PRUNE_EVERY = 600.0


class WebhookWorker:
    def __init__(self, factory: sessionmaker[Session], settings: ApiSettings) -> None:
        self.factory = factory
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http = requests.Session()
        self._pool = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="webhook-send")
        self._pruned_at = 0.0

    def publish(self, events: list[Event]) -> None:
        """An after-commit publisher: wake up when a transaction queued a webhook."""
        if any(e.name == WAKE_EVENT for e in events):
            self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="webhook-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def run_once(self) -> int:
        """Deliver what is due now; the number of deliveries attempted."""
        with self.factory() as session, session.begin():
            jobs = webhook_delivery.claim_due(session, limit=BATCH)
        if not jobs:
            return 0
        outcomes = list(self._pool.map(self._send, jobs))
        for job, outcome in zip(jobs, outcomes, strict=True):
            with self.factory() as session, session.begin():
                webhook_delivery.record_result(
                    session,
                    job,
                    outcome,
                    max_attempts=self.settings.webhook_max_attempts,
                    base=self.settings.webhook_backoff_seconds,
                    cap=self.settings.webhook_backoff_cap_seconds,
                )
        return len(jobs)

    def _send(self, job: webhook_delivery.Job) -> webhook_delivery.Outcome:
        return webhook_delivery.send(
            job, timeout=self.settings.webhook_timeout_seconds, http=self._http
        )

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # a wake-up during the step below is kept for the next one
            try:
                busy = self.run_once() == BATCH
                self._prune()
            except Exception:  # a bad row or a lost database must not kill the thread
                log.exception("webhook worker step failed")
                busy = False
            if not busy:
                self._wake.wait(self.settings.webhook_poll_seconds)

    def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = time.monotonic()
        with self.factory() as session, session.begin():
            ttl = timedelta(hours=self.settings.idempotency_ttl_hours)
            idempotency.prune_keys(session, ttl=ttl)
