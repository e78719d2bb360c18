"""Webhooks: subscriptions of API clients, the outbox of events and one delivery per subscriber.

An event is written to the outbox in the business transaction that caused
it, with one delivery row per matching subscription. A worker delivers them
after commit, at least once, retrying with exponential backoff; receivers
dedupe by the event's ``public_id`` (the ``id`` in the body).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.model.base import Base, IdMixin, utcnow
from wms.model.master import _enum


class DeliveryState(enum.StrEnum):
    pending = "pending"
    delivered = "delivered"
    #: Gave up after the last attempt; kept for the console to show and replay.
    failed = "failed"


class WebhookSubscription(IdMixin, Base):
    __tablename__ = "webhook_subscription"

    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    #: Event types this subscription receives, e.g. ["stock.adjusted"].
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: HMAC key for ``X-WMS-Signature``; kept in clear because we must sign with it.
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(IdMixin, Base):
    """One business event; ``body`` is the exact JSON text that is signed and sent."""

    __tablename__ = "outbox_event"

    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)


class WebhookDelivery(IdMixin, Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState), default=DeliveryState.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the next attempt is due; while one is being sent, the end of its lease.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[OutboxEvent] = relationship()
    subscription: Mapped[WebhookSubscription] = relationship()
