"""Delivering outbox events to subscribers: claim, send (outside any transaction), record.

Each step that touches the database is its own short transaction owned by
the caller (the worker). ``claim_due`` leases due deliveries so a second
worker skips them (``FOR UPDATE SKIP LOCKED`` on PostgreSQL); ``send`` does
the HTTP POST with a timeout and never raises; ``record_result`` marks the
delivery done, or schedules the next attempt with exponential backoff, or
gives up after the last attempt. Delivery is at least once: a crash between
send and record means a resend, which receivers dedupe by the event ``id``.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.db import is_postgres
from wms.model import DeliveryState, OutboxEvent, WebhookDelivery, WebhookSubscription, utcnow

SIGNATURE_HEADER = "X-WMS-Signature"
#: How long a claimed delivery is ours before another worker may retry it.
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Job:
    delivery_id: int
    url: str
    secret: str
    body: str
    event_id: str
    event_type: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    error: str | None = None


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def claim_due(session: Session, *, limit: int = 20, now: datetime | None = None) -> list[Job]:
    """Lease up to ``limit`` due deliveries; deliveries of cancelled subscriptions fail."""
    now = now or utcnow()
    stmt = (
        select(WebhookDelivery, WebhookSubscription, OutboxEvent)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.state == DeliveryState.pending,
            WebhookDelivery.next_attempt_at <= now,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
    jobs = []
    for delivery, sub, event in session.execute(stmt).all():
        if not sub.active:
            delivery.state = DeliveryState.failed
            delivery.last_error = "unsubscribed"
            continue
        delivery.next_attempt_at = now + LEASE
        jobs.append(Job(delivery.id, sub.url, sub.secret, event.body, event.public_id, event.type))
    session.flush()
    return jobs


def send(job: Job, *, timeout: float, http: requests.Session | None = None) -> Outcome:
    """POST the event; any 2xx is delivered. Never raises."""
    body = job.body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(job.secret, body),
        "X-WMS-Event": job.event_type,
        "X-WMS-Event-Id": job.event_id,
        "X-WMS-Delivery": str(job.delivery_id),
        "User-Agent": "wms-webhooks/1",
    }
    try:
        response = (http or requests).post(
            job.url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.RequestException as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    return Outcome(False, response.status_code, f"HTTP {response.status_code}")


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """Wait before attempt ``attempts + 1``: base·2^(attempts-1), capped, ±10 % jitter."""
    seconds = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def record_result(
    session: Session,
    job: Job,
    outcome: Outcome,
    *,
    max_attempts: int,
    base: float,
    cap: float,
    now: datetime | None = None,
) -> WebhookDelivery | None:
    now = now or utcnow()
    delivery = session.get(WebhookDelivery, job.delivery_id, with_for_update=True)
    if delivery is None or delivery.state is not DeliveryState.pending:
        return delivery
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.state = DeliveryState.delivered
        delivery.delivered_at = now
    elif delivery.attempts >= max_attempts:
        delivery.state = DeliveryState.failed
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts, base=base, cap=cap)
    session.flush()
    return delivery
