"""Webhook subscriptions and the outbox: events are rows written with the business change.

``emit_webhook(session, "stock.adjusted", {...})`` is what floor features
call inside their transaction. It writes the event (its body serialized
once, so every retry sends and signs the same bytes) and one delivery per
matching subscription, then asks for the delivery worker to be woken after
commit. No network I/O happens here; ``wms.services.webhook_delivery`` sends.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import OutboxEvent, WebhookDelivery, WebhookSubscription, utcnow

#: The event types an ERP may subscribe to (docs/api.md describes each).
EVENT_TYPES = (
    "purchase_order.received",
    "sales_order.status_changed",
    "sales_order.shipped",
    "stock.adjusted",
    "stock.below_safety",
    "count.approved",
    "task.exception",
)
#: After-commit event that wakes the delivery worker.
WAKE_EVENT = "webhook.due"
MIN_SECRET = 16
_CACHE = "wms.webhook_subscriptions"


def emit_webhook(session: Session, type: str, data: dict[str, Any]) -> OutboxEvent | None:
    """Queue ``type`` with ``data`` for every subscriber; None when nobody listens."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    subscriptions = [s for s in _active(session) if type in s.events]
    if not subscriptions:
        return None
    now = utcnow()
    public_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": public_id, "type": type, "occurred_at": now.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    event = OutboxEvent(public_id=public_id, type=type, occurred_at=now, body=body)
    session.add(event)
    session.flush()
    session.add_all(
        WebhookDelivery(event_id=event.id, subscription_id=s.id, next_attempt_at=now)
        for s in subscriptions
    )
    session.flush()
    events.record(session, WAKE_EVENT, {"event_id": event.id}, namespaces=())
    return event


def _active(session: Session) -> Sequence[WebhookSubscription]:
    """Active subscriptions, read once per transaction however many events it emits."""
    transaction = session.get_transaction()
    cached = session.info.get(_CACHE)
    if cached is None or cached[0] is not transaction:
        rows = session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
        ).all()
        cached = session.info[_CACHE] = (transaction, rows)
    return cached[1]


def subscribe(
    session: Session, *, client_id: int, url: str, event_types: Sequence[str], secret: str | None
) -> tuple[WebhookSubscription, str]:
    """A new subscription; returns it with its secret (generated when none is given)."""
    errors = _subscription_errors(url, event_types, secret)
    if errors:
        raise ValidationFailed(errors)
    secret = secret or secrets.token_urlsafe(32)
    sub = WebhookSubscription(
        client_id=client_id, url=url, events=sorted(set(event_types)), secret=secret
    )
    session.add(sub)
    session.flush()
    session.info.pop(_CACHE, None)
    return sub, secret


def _subscription_errors(
    url: str, event_types: Sequence[str], secret: str | None
) -> list[FieldError]:
    errors = []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors.append(FieldError("url", "an absolute http:// or https:// URL is required"))
    for i, name in enumerate(event_types):
        if name not in EVENT_TYPES:
            errors.append(FieldError(f"events[{i}]", f"unknown event {name}", "unknown"))
    if secret is not None and len(secret) < MIN_SECRET:
        errors.append(FieldError("secret", f"a secret has at least {MIN_SECRET} characters"))
    return errors


def unsubscribe(session: Session, *, client_id: int, subscription_id: int) -> None:
    """Stop deliveries to a subscription of this client; pending ones are dropped."""
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None or sub.client_id != client_id or not sub.active:
        raise NotFound(f"no webhook subscription {subscription_id}")
    sub.active = False
    session.flush()
    session.info.pop(_CACHE, None)


def subscriptions(session: Session, *, client_id: int) -> Sequence[WebhookSubscription]:
    return session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.client_id == client_id, WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.id)
    ).all()
