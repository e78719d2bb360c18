"""Webhook subscription bodies and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from wms.services.webhooks import EVENT_TYPES
from wms.web.api.schemas.common import ApiModel, OutModel

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class WebhookIn(ApiModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Where events are POSTed: an absolute http(s) URL."
    )
    events: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))  # type: ignore[valid-type]
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = Field(
        None, description="HMAC key for X-WMS-Signature; generated when omitted."
    )


class WebhookOut(OutModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown once: keep it to verify X-WMS-Signature.")


class WebhookList(OutModel):
    items: list[WebhookOut]
