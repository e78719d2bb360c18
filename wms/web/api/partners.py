"""Suppliers and customers by code: list and upsert one or many."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wms.model import Partner
from wms.queries import master as queries
from wms.services.partners import PartnerSpec, upsert_partners
from wms.web.api.bulk import answer
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id, page
from wms.web.api.schemas.common import BulkReply
from wms.web.api.schemas.master import (
    PartnerBulkIn,
    PartnerIn,
    PartnerOut,
    PartnerPage,
    PartnerQuery,
)

router = Router("partners")


def partner_out(partner: Partner) -> PartnerOut:
    return PartnerOut.model_validate(partner)


@router.operation(
    "GET",
    "/partners",
    scope="master:read",
    summary="List partners",
    query=PartnerQuery,
    responses={200: PartnerPage},
)
def list_partners(session: Session, call: Call) -> Reply:
    q: PartnerQuery = call.query
    rows = queries.partners_page(session, after_id=after_id(q.cursor), limit=q.limit, kind=q.kind)
    return Reply(200, PartnerPage(**page(rows, q.limit, partner_out)))


@router.operation(
    "POST",
    "/partners",
    scope="master:write",
    summary="Create or update partners",
    body=PartnerIn,
    bulk=PartnerBulkIn,
    responses={200: BulkReply, 201: PartnerOut},
)
def upsert_partners_view(session: Session, call: Call) -> Reply:
    bodies = call.body.items if call.bulk else [call.body]
    specs = [PartnerSpec(code=b.code, name=b.name, kind=b.kind, active=b.active) for b in bodies]
    results = answer(call, lambda: upsert_partners(session, specs))
    if call.bulk:
        return Reply(200, BulkReply(items=results.rows), target=f"{len(bodies)} partners")
    (one,) = results.upserted
    status = 201 if one.result == "created" else 200
    return Reply(status, partner_out(one.row), f"partner {one.key}")
