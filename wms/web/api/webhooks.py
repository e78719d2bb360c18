"""Webhook subscriptions of the calling API client: list, subscribe, unsubscribe."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wms.errors import NotFound
from wms.services import webhooks
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.schemas.webhooks import WebhookCreated, WebhookIn, WebhookList, WebhookOut

router = Router("webhooks")


@router.operation(
    "GET",
    "/webhooks",
    scope="events:manage",
    summary="List this client's subscriptions",
    responses={200: WebhookList},
)
def list_webhooks(session: Session, call: Call) -> Reply:
    rows = webhooks.subscriptions(session, client_id=call.caller.id)
    return Reply(200, WebhookList(items=[WebhookOut.model_validate(r) for r in rows]))


@router.operation(
    "POST",
    "/webhooks",
    scope="events:manage",
    summary="Subscribe a URL to events",
    body=WebhookIn,
    responses={201: WebhookCreated},
)
def create_webhook(session: Session, call: Call) -> Reply:
    """Events are POSTed with `X-WMS-Signature: sha256=<hex HMAC of the body>`."""
    body: WebhookIn = call.body
    sub, secret = webhooks.subscribe(
        session,
        client_id=call.caller.id,
        url=body.url,
        event_types=body.events,
        secret=body.secret,
    )
    out = WebhookCreated(
        id=sub.id, url=sub.url, events=sub.events, created_at=sub.created_at, secret=secret
    )
    return Reply(201, out, target=f"webhook {sub.id}")


@router.operation(
    "DELETE",
    "/webhooks/{id}",
    scope="events:manage",
    summary="Unsubscribe",
    responses={204: None},
    errors=(404,),
)
def delete_webhook(session: Session, call: Call) -> Reply:
    """Stops deliveries; events not yet delivered to it are dropped."""
    raw = call.path["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"no webhook subscription {raw}")
    webhooks.unsubscribe(session, client_id=call.caller.id, subscription_id=int(raw))
    return Reply(204, None, target=f"webhook {raw}")
