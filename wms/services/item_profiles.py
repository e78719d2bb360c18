"""Item inbound profiles at the console: QC, lot format, shelf life, fixed location, zone.

A profile is per item; its fixed location and putaway zone are places of
the warehouse the supervisor edits it from, and must be ones putaway can
use there: a storable, unblocked location of a storage or pick-face zone,
and a zone of one of those kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import Item, ItemInboundProfile, Location, User, Zone
from wms.services.access import audit
from wms.services.putaway_floor import PUTAWAY_ZONES

LOT_PATTERN_MAX = 200
MAX_SHELF_LIFE_DAYS = 36_500


@dataclass(frozen=True)
class ItemProfileForm:
    """What a supervisor enters; location and zone by code, blank for none."""

    qc_required: bool = False
    lot_pattern: str | None = None
    min_remaining_shelf_life_days: int | None = None
    fixed_location: str | None = None
    putaway_zone: str | None = None


@dataclass(frozen=True)
class _Places:
    location: Location | None
    zone: Zone | None


def item_profile_errors(
    session: Session, form: ItemProfileForm, *, warehouse_id: int
) -> list[FieldError]:
    """Every problem of ``form`` at once (the places are looked up in ``warehouse_id``)."""
    errors, _ = _check(session, form, warehouse_id)
    return errors


def _check(
    session: Session, form: ItemProfileForm, warehouse_id: int
) -> tuple[list[FieldError], _Places]:
    errors = []
    if form.lot_pattern:
        if len(form.lot_pattern) > LOT_PATTERN_MAX:
            errors.append(FieldError("lot_pattern", "too long"))
        else:
            try:
                re.compile(form.lot_pattern)
            except re.error:
                errors.append(
                    FieldError("lot_pattern", "not a valid regular expression", "invalid_pattern")
                )
    days = form.min_remaining_shelf_life_days
    if days is not None and not 0 <= days <= MAX_SHELF_LIFE_DAYS:
        errors.append(FieldError("min_remaining_shelf_life_days", "a whole number is needed"))
    location = zone = None
    if form.fixed_location:
        location = session.scalar(
            select(Location).where(
                Location.warehouse_id == warehouse_id, Location.code == form.fixed_location
            )
        )
        problem = _location_problem(session, location)
        if problem:
            errors.append(FieldError("fixed_location", problem, "location_not_allowed"))
    if form.putaway_zone:
        zone = session.scalar(
            select(Zone).where(Zone.warehouse_id == warehouse_id, Zone.code == form.putaway_zone)
        )
        if zone is None:
            errors.append(FieldError("putaway_zone", "no such zone in this warehouse"))
        elif zone.kind not in PUTAWAY_ZONES:
            errors.append(FieldError("putaway_zone", "not a storage or pick-face zone"))
    return errors, _Places(location, zone)


def _location_problem(session: Session, location: Location | None) -> str | None:
    if location is None:
        return "no such location in this warehouse"
    zone = session.get(Zone, location.zone_id) if location.zone_id else None
    if (
        location.is_virtual
        or not location.storable
        or zone is None
        or (zone.kind not in PUTAWAY_ZONES)
    ):
        return "not a storage location"
    if location.blocked:
        return "location is blocked"
    return None


def _in_warehouse(
    session: Session, model: type[Location] | type[Zone], row_id: int | None, warehouse_id: int
) -> bool:
    found = session.get(model, row_id) if row_id else None
    return found is not None and found.warehouse_id == warehouse_id


def save_item_profile(
    session: Session,
    item_id: int,
    form: ItemProfileForm,
    *,
    warehouse_id: int,
    actor: User | None = None,
    **ctx: object,
) -> ItemInboundProfile:
    """Create or change the profile of ``item_id``; every problem is raised at once.

    A blank fixed location or zone clears the one of ``warehouse_id``; one
    stored in another warehouse is kept, since only that warehouse manages it.
    """
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"no item {item_id}")
    errors, places = _check(session, form, warehouse_id)
    if errors:
        raise ValidationFailed(errors)
    profile = session.get(ItemInboundProfile, item_id)
    if profile is None:
        profile = ItemInboundProfile(item_id=item_id)
        session.add(profile)
    profile.qc_required = form.qc_required
    profile.lot_pattern = form.lot_pattern or None
    profile.min_remaining_shelf_life_days = form.min_remaining_shelf_life_days
    if places.location or _in_warehouse(session, Location, profile.fixed_location_id, warehouse_id):
        profile.fixed_location_id = places.location.id if places.location else None
    if places.zone or _in_warehouse(session, Zone, profile.putaway_zone_id, warehouse_id):
        profile.putaway_zone_id = places.zone.id if places.zone else None
    session.flush()
    audit(
        session,
        action="item.inbound_profile_saved",
        actor=actor,
        target=item.sku,
        qc_required=form.qc_required,
        lot_pattern=profile.lot_pattern,
        min_remaining_shelf_life_days=form.min_remaining_shelf_life_days,
        fixed_location=form.fixed_location or None,
        putaway_zone=form.putaway_zone or None,
        **ctx,
    )
    return profile
