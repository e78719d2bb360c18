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
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wms import events
from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import OutboxEvent, WebhookDelivery, WebhookSubscription, utcnow

#: The event types an ERP may subscribe to (docs/api.md describes each).
EVENT_TYPES = (
    "purchase_order.received",
    "sales_order.status_changed",
    "sales_order.shipped",
    "sales_order.returned",
    "stock.adjusted",
    "stock.below_safety",
    "count.approved",
    "task.exception",
    "purchase_requisition.approved",
)
#: After-commit event that wakes the delivery worker.
WAKE_EVENT = "webhook.due"
MIN_SECRET = 16
_CACHE = "wms.webhook_subscriptions"
#: Ids per IN list when reading back, well under SQLite's bound-parameter limit.
_CHUNK = 5000


def emit_webhook(session: Session, type: str, data: dict[str, Any]) -> OutboxEvent | None:
    """Queue ``type`` with ``data`` for every subscriber; None when nobody listens."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    subscriptions = [s for s in _active(session) if type in s.events]
    if not subscriptions:
        return None
    now = utcnow()
    public_id = str(uuid.uuid4())
    body = _body(public_id, type, now, data)
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


def emit_webhooks(session: Session, type: str, datas: Sequence[dict[str, Any]]) -> int:
    """Queue one ``type`` event per item of ``datas``, in that order; returns how many.

    The same rows as ``emit_webhook`` for each, written set-based: one
    executemany insert of the events, one read of their ids, one executemany
    insert of the deliveries, however many events (a wave of 500 orders).
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    if not datas:
        return 0
    subscriptions = [s for s in _active(session) if type in s.events]
    if not subscriptions:
        return 0
    now = utcnow()
    public_ids = [str(uuid.uuid4()) for _ in datas]
    session.execute(
        insert(OutboxEvent),
        [
            {"public_id": p, "type": type, "occurred_at": now, "body": _body(p, type, now, d)}
            for p, d in zip(public_ids, datas, strict=True)
        ],
    )
    ids: dict[str, int] = {}
    for k in range(0, len(public_ids), _CHUNK):
        for public_id, event_id in session.execute(
            select(OutboxEvent.public_id, OutboxEvent.id).where(
                OutboxEvent.public_id.in_(public_ids[k : k + _CHUNK])
            )
        ):
            ids[public_id] = event_id
    session.execute(
        insert(WebhookDelivery),
        [
            {"event_id": ids[p], "subscription_id": s.id, "next_attempt_at": now}
            for p in public_ids
            for s in subscriptions
        ],
    )
    events.record(session, WAKE_EVENT, {"event_id": ids[public_ids[-1]]}, namespaces=())
    return len(public_ids)


def _body(public_id: str, type: str, now: datetime, data: dict[str, Any]) -> str:
    """The event's JSON text, serialized once: every retry sends and signs these bytes."""
    return json.dumps(
        {"id": public_id, "type": type, "occurred_at": now.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


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
