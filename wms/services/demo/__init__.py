"""A deterministic demo warehouse: ``build_demo(session, locations=..., items=..., seed=...)``.

The same seed (and ``today``) gives the same rows, ids included, on an
empty database; only secrets differ (password hashes are salted, the API
key is random). Rows go in with bulk ``INSERT``s (100k locations take
seconds, not minutes); stock arrives through the ledger. The caller owns
the transaction, like every service.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, ValidationFailed
from wms.model import (
    SKILLS,
    Item,
    ItemBarcode,
    ItemUnit,
    Location,
    Partner,
    Role,
    VirtualKind,
    Warehouse,
)
from wms.services import access, masterdata
from wms.services.demo import catalog, layout
from wms.services.demo.bulk import insert_rows
from wms.services.demo.day import DaySummary, seed_open_work
from wms.services.demo.stock import Places, StockSummary, receive_opening_stock

WAREHOUSE_CODE = "WH1"


@dataclass(frozen=True)
class DemoLogin:
    """Well-known demo credentials; a demo database is never a production one."""

    username: str
    role: Role
    password: str | None = None
    pin: str | None = None
    badge: str | None = None


DEMO_API_CLIENT = "demo-erp"

DEMO_LOGINS = (
    DemoLogin("operator1", Role.operator, pin="1111", badge="OP-0001"),
    DemoLogin("operator2", Role.operator, pin="2222", badge="OP-0002"),
    DemoLogin("receiver1", Role.operator, pin="4441", badge="RCV-0001"),
    DemoLogin("inspector1", Role.operator, pin="4442", badge="QC-0001"),
    DemoLogin("picker1", Role.operator, pin="4443", badge="PCK-0001"),
    DemoLogin("packer1", Role.operator, pin="4444", badge="PAK-0001"),
    DemoLogin("supervisor1", Role.supervisor, password="supervisor1-demo", pin="3333"),
    DemoLogin("admin", Role.admin, password="admin-demo"),
)


#: What each operator may do; operator1 and operator2 can do everything.
DEMO_SKILLS = {
    "receiver1": ("receiving", "putaway", "forklift"),
    "inspector1": ("qc", "counting"),
    "picker1": ("picking", "counting", "forklift"),
    "packer1": ("packing", "shipping"),
}


@dataclass(frozen=True)
class DemoResult:
    warehouse_id: int
    warehouse_code: str
    locations: int
    items: int
    stock: StockSummary
    logins: tuple[DemoLogin, ...]
    #: The demo ERP's API key with every scope; shown once, stored only as a hash.
    api_key: str
    #: The day's open work; None when built with ``open_work=False``.
    day: DaySummary | None = None


def build_demo(
    session: Session,
    *,
    locations: int = 2000,
    items: int = 200,
    seed: int = 1,
    today: date | None = None,
    open_work: bool = True,
) -> DemoResult:
    """Build warehouse WH1 with its floor, catalogue, opening stock, users and API key.

    ``open_work`` adds a working day's orders and tasks (``wms.services.demo.day``).
    """
    _validate(locations, items)
    rng = random.Random(seed)
    today = today or date.today()
    warehouse = masterdata.create_warehouse(
        session,
        code=WAREHOUSE_CODE,
        name="Demo warehouse",
        gs1_company_prefix=catalog.COMPANY_PREFIX,
    )
    plan = layout.Plan.for_locations(locations)
    location_ids = _insert_floor(session, warehouse, plan)
    insert_rows(session, Partner, catalog.partners(rng))
    specs = catalog.items(items, rng)
    item_ids = _insert_items(session, specs)
    places = _places(session, warehouse, location_ids)
    stock = receive_opening_stock(
        session, specs=specs, item_ids=item_ids, places=places, rng=rng, today=today
    )
    _create_users(session, warehouse)
    summary = None
    if open_work:
        summary = seed_open_work(
            session,
            warehouse=warehouse,
            specs=specs,
            item_ids=item_ids,
            places=places,
            seed=seed,
            today=today,
        )
    _, key = access.create_api_key(
        session, name=DEMO_API_CLIENT, scopes=access.SCOPES, warehouses=[warehouse]
    )
    return DemoResult(
        warehouse_id=warehouse.id,
        warehouse_code=warehouse.code,
        locations=len(location_ids),
        items=len(specs),
        stock=stock,
        logins=DEMO_LOGINS,
        api_key=key,
        day=summary,
    )


def _validate(locations: int, items: int) -> None:
    errors = []
    minimum = layout.AREA_LOCATIONS + 2
    if locations < minimum:
        errors.append(FieldError("locations", f"at least {minimum} locations"))
    if not 1 <= items <= catalog.MAX_ITEMS:
        errors.append(FieldError("items", f"between 1 and {catalog.MAX_ITEMS} items"))
    if errors:
        raise ValidationFailed(errors)


def _insert_floor(session: Session, warehouse: Warehouse, plan: layout.Plan) -> dict[str, int]:
    zone_ids = {
        z.code: masterdata.create_zone(
            session, warehouse=warehouse, code=z.code, name=z.name, kind=z.kind
        ).id
        for z in layout.zones(plan)
    }

    def rows() -> Iterable[dict]:
        for source in (layout.area_rows(), layout.rack_rows(plan)):
            for row in source:
                zone = row.pop("zone")
                yield {**row, "warehouse_id": warehouse.id, "zone_id": zone_ids[zone]}

    insert_rows(session, Location, rows())
    found = session.execute(
        select(Location.code, Location.id).where(
            Location.warehouse_id == warehouse.id, Location.virtual_kind.is_(None)
        )
    )
    return dict(found.all())


def _insert_items(session: Session, specs: list[catalog.ItemSpec]) -> dict[str, int]:
    insert_rows(
        session,
        Item,
        (
            {
                "sku": s.sku,
                "name": s.name,
                "base_uom": "each",
                "tracking": s.tracking,
                "shelf_life_days": s.shelf_life_days,
                "weight_kg": s.weight_kg,
                "volume_l": s.volume_l,
                "abc_class": s.abc_class,
            }
            for s in specs
        ),
    )
    ids = dict(session.execute(select(Item.sku, Item.id)).all())
    insert_rows(
        session,
        ItemUnit,
        (
            {
                "item_id": ids[s.sku],
                "uom": uom,
                "factor": factor,
                "weight_kg": s.weight_kg * factor,
                "volume_l": s.volume_l * factor,
            }
            for s in specs
            for uom, factor in s.units.items()
        ),
    )
    insert_rows(
        session,
        ItemBarcode,
        ({"item_id": ids[s.sku], "barcode": b, "uom": u} for s in specs for b, u in s.barcodes),
    )
    return ids


def _places(session: Session, warehouse: Warehouse, location_ids: dict[str, int]) -> Places:
    """Rack locations in code order: pick faces get an item each, reserve holds pallets."""
    racks = session.execute(
        select(Location.id, Location.pickable)
        .where(Location.warehouse_id == warehouse.id, Location.aisle.is_not(None))
        .order_by(Location.id)
    ).all()
    supplier = masterdata.virtual_location(
        session, warehouse_id=warehouse.id, kind=VirtualKind.supplier
    )
    return Places(
        warehouse_id=warehouse.id,
        supplier_id=supplier.id,
        quarantine_id=location_ids["QUA-01"],
        pick_faces=[loc_id for loc_id, pickable in racks if pickable],
        reserve=[loc_id for loc_id, pickable in racks if not pickable],
        company_prefix=catalog.COMPANY_PREFIX,
    )


def _create_users(session: Session, warehouse: Warehouse) -> None:
    for login in DEMO_LOGINS:
        access.create_user(
            session,
            username=login.username,
            role=login.role,
            password=login.password,
            pin=login.pin,
            badge=login.badge,
            skills=DEMO_SKILLS.get(login.username, SKILLS) if login.role is Role.operator else (),
            warehouses=[warehouse],
            locale="zh_CN",
        )


__all__ = [
    "DEMO_API_CLIENT",
    "DEMO_LOGINS",
    "DemoLogin",
    "DemoResult",
    "build_demo",
]
