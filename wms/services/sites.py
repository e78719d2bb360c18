"""Warehouses and zones as the console edits them: checked input, clear refusals."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import User, Warehouse, Zone, ZoneKind
from wms.services import masterdata
from wms.services.access import audit

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


def _warehouse_errors(
    *, name: str, timezone: str, gs1_company_prefix: str | None
) -> list[FieldError]:
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "required"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(FieldError("timezone", "unknown time zone, e.g. Asia/Shanghai"))
    if gs1_company_prefix and not (
        gs1_company_prefix.isdigit() and 6 <= len(gs1_company_prefix) <= 12
    ):
        errors.append(FieldError("gs1_company_prefix", "a GS1 company prefix is 6 to 12 digits"))
    return errors


def add_warehouse(
    session: Session,
    *,
    code: str,
    name: str,
    timezone: str = "Asia/Shanghai",
    allow_negative_stock: bool = False,
    gs1_company_prefix: str | None = None,
    actor: User | None = None,
    **ctx: object,
) -> Warehouse:
    code = code.strip().upper()
    errors = _warehouse_errors(name=name, timezone=timezone, gs1_company_prefix=gs1_company_prefix)
    if not _CODE.match(code):
        errors.insert(0, FieldError("code", "letters, digits, '-' or '_', at most 32"))
    elif session.scalar(select(Warehouse.id).where(Warehouse.code == code)) is not None:
        errors.insert(0, FieldError("code", "already in use", "duplicate"))
    if errors:
        raise ValidationFailed(errors)
    warehouse = masterdata.create_warehouse(
        session, code=code, name=name.strip(), allow_negative_stock=allow_negative_stock,
        timezone=timezone, gs1_company_prefix=gs1_company_prefix,
    )
    audit(session, action="warehouse.created", actor=actor, target=code, **ctx)
    return warehouse


def update_warehouse(
    session: Session,
    *,
    warehouse_id: int,
    name: str,
    timezone: str,
    allow_negative_stock: bool,
    gs1_company_prefix: str | None,
    actor: User | None = None,
    **ctx: object,
) -> Warehouse:
    errors = _warehouse_errors(name=name, timezone=timezone, gs1_company_prefix=gs1_company_prefix)
    if errors:
        raise ValidationFailed(errors)
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound("unknown warehouse")
    if warehouse.allow_negative_stock != allow_negative_stock:
        # Allowing negative stock weakens an invariant: keep a trace of who did it.
        audit(session, action="warehouse.negative_stock_changed", actor=actor,
              target=warehouse.code, allowed=allow_negative_stock, **ctx)
    warehouse.name = name.strip()
    warehouse.timezone = timezone
    warehouse.allow_negative_stock = allow_negative_stock
    warehouse.gs1_company_prefix = gs1_company_prefix
    session.flush()
    return warehouse


def add_zone(
    session: Session, *, warehouse_id: int, code: str, name: str, kind: str
) -> Zone:
    code = code.strip().upper()
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound("unknown warehouse")
    errors = []
    if not _CODE.match(code):
        errors.append(FieldError("code", "letters, digits, '-' or '_', at most 32"))
    elif session.scalar(select(Zone.id).where(
        Zone.warehouse_id == warehouse_id, Zone.code == code
    )) is not None:
        errors.append(FieldError("code", "already in use", "duplicate"))
    if kind not in ZoneKind.__members__:
        errors.append(FieldError("kind", "unknown zone kind"))
    if errors:
        raise ValidationFailed(errors)
    return masterdata.create_zone(
        session, warehouse=warehouse, code=code, name=name.strip() or code, kind=ZoneKind(kind)
    )


def update_zone(session: Session, *, zone_id: int, name: str, kind: str) -> Zone:
    zone = session.get(Zone, zone_id)
    if zone is None:
        raise NotFound("unknown zone")
    if kind not in ZoneKind.__members__:
        raise ValidationFailed([FieldError("kind", "unknown zone kind")])
    zone.name = name.strip() or zone.code
    zone.kind = ZoneKind(kind)
    session.flush()
    return zone
