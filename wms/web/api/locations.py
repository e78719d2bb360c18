"""Locations by (warehouse, code): list and upsert one or many."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wms.model import Location, LocationType
from wms.queries import master as queries
from wms.services.location_upserts import LocationSpec, upsert_locations
from wms.web.api.bulk import answer
from wms.web.api.framework import Call, Reply, Router
from wms.web.api.pages import after_id, page
from wms.web.api.schemas.common import BulkReply
from wms.web.api.schemas.master import (
    LocationBulkIn,
    LocationIn,
    LocationOut,
    LocationPage,
    LocationQuery,
)

router = Router("locations")

_KEYS = {"warehouse", "code", "zone", "zone_kind", "type"}


def location_out(loc: Location) -> LocationOut:
    return LocationOut(
        warehouse=loc.warehouse.code,
        zone=loc.zone.code if loc.zone else None,
        **{
            name: getattr(loc, name)
            for name in LocationOut.model_fields
            if name not in ("warehouse", "zone")
        },
    )


def spec(body: LocationIn) -> LocationSpec:
    return LocationSpec(
        warehouse=body.warehouse,
        code=body.code,
        zone=body.zone,
        zone_kind=body.zone_kind,
        type=LocationType(body.type),
        attrs=body.model_dump(exclude=_KEYS),
    )


@router.operation(
    "GET",
    "/locations",
    scope="master:read",
    summary="List locations",
    query=LocationQuery,
    responses={200: LocationPage},
)
def list_locations(session: Session, call: Call) -> Reply:
    """Physical and virtual locations of the warehouses this key may see."""
    q: LocationQuery = call.query
    rows = queries.locations_page(
        session,
        after_id=after_id(q.cursor),
        limit=q.limit,
        warehouse_ids=call.caller.warehouse_ids,
        warehouse=q.warehouse,
        zone=q.zone,
        virtual=q.virtual,
    )
    return Reply(200, LocationPage(**page(rows, q.limit, location_out)))


@router.operation(
    "POST",
    "/locations",
    scope="master:write",
    summary="Create or update locations",
    body=LocationIn,
    bulk=LocationBulkIn,
    responses={200: BulkReply, 201: LocationOut},
)
def upsert_locations_view(session: Session, call: Call) -> Reply:
    """Upsert by (warehouse, code). Check digits are generated from the code."""
    bodies = call.body.items if call.bulk else [call.body]
    results = answer(
        call,
        lambda: upsert_locations(
            session, [spec(b) for b in bodies], may_access=call.caller.can_access
        ),
    )
    if call.bulk:
        return Reply(200, BulkReply(items=results.rows), target=f"{len(bodies)} locations")
    (one,) = results.upserted
    status = 201 if one.result == "created" else 200
    return Reply(status, location_out(one.row), f"location {one.key}")
