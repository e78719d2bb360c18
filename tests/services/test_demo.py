"""The demo warehouse: consistent with the ledger, scannable, and the same for the same seed."""

import re
from datetime import date
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from wms.db import make_engine, make_session_factory
from wms.model import (
    Base,
    Container,
    Item,
    ItemBarcode,
    Location,
    Lot,
    Quant,
    Role,
    StockStatus,
    Tracking,
    User,
    Zone,
    ZoneKind,
)
from wms.queries.ledger_check import ledger_discrepancies
from wms.scanning.checkdigits import is_gtin, is_sscc, location_check_digits
from wms.scanning.resolver import Gs1Scan, ItemScan, LocationScan, resolve
from wms.services import access
from wms.services.demo import DEMO_LOGINS, build_demo

TODAY = date(2025, 6, 1)
RACK_CODE = re.compile(r"^[A-Z]+-\d{2}-\d{2}-\d$")
#: Columns that differ between two builds on purpose: clocks and salted secrets.
VOLATILE = {
    "created_at",
    "updated_at",
    "in_date",
    "at",
    "password_hash",
    "pin_hash",
    "key_hash",
    "key_prefix",
}


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2's production cost makes each demo user take a second on a shared CPU."""
    monkeypatch.setattr(
        access, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def demo(session_factory):
    with session_factory() as s, s.begin():
        return build_demo(s, locations=150, items=40, seed=3, today=TODAY, open_work=False)


def test_demo_stock_agrees_with_the_ledger(session_factory, demo):
    with session_factory() as s:
        assert ledger_discrepancies(s) == []
        assert s.scalar(select(func.count()).select_from(Quant)) == demo.stock.moves
        quarantined = s.scalar(select(func.count()).where(Quant.status == StockStatus.quarantine))

    assert demo.stock.moves > demo.items
    assert quarantined >= 1


def test_demo_floor_has_every_zone_kind_and_labelled_locations(session_factory, demo):
    with session_factory() as s:
        kinds = set(s.scalars(select(Zone.kind)))
        locations = s.scalars(select(Location).where(Location.virtual_kind.is_(None))).all()

    assert kinds >= {
        ZoneKind.receiving,
        ZoneKind.qc,
        ZoneKind.storage,
        ZoneKind.pick_face,
        ZoneKind.packing,
        ZoneKind.shipping,
        ZoneKind.quarantine,
        ZoneKind.returns,
    }
    assert len(locations) == demo.locations == 150
    racks = [loc for loc in locations if loc.aisle]
    assert all(RACK_CODE.match(loc.code) for loc in racks)
    assert all(loc.check_digits == location_check_digits(loc.code) for loc in locations)
    assert all(loc.aisle_index and loc.x is not None and loc.side in (0, 1) for loc in racks)
    assert {loc.abc_class for loc in racks} == {"A", "B", "C"}
    assert any(loc.pickable for loc in racks) and any(not loc.pickable for loc in racks)


def test_demo_items_have_exact_units_and_valid_barcodes(session_factory, demo):
    with session_factory() as s:
        items = s.scalars(select(Item)).all()
        barcodes = s.scalars(select(ItemBarcode.barcode)).all()
        for item in items:
            assert [u.uom for u in item.units] == ["inner", "case", "pallet"]
            inner, case, pallet = (u.factor for u in item.units)
            assert case % inner == 0 and pallet % case == 0
            assert item.to_base(Decimal(2), "case") == 2 * case
        tracked = {i.tracking for i in items}
        lot_items = {i.id for i in items if i.tracking is Tracking.lot}
        lots = s.scalars(select(Lot)).all()

    assert len(items) == demo.items == 40
    assert all(is_gtin(b) for b in barcodes if b.isdigit())
    assert tracked == {Tracking.none, Tracking.lot, Tracking.serial}
    assert lots and all(lot.item_id in lot_items for lot in lots)
    assert all(lot.expiry_date > lot.production_date for lot in lots)


def test_demo_pallets_carry_valid_ssccs_in_reserve(session_factory, demo):
    with session_factory() as s:
        pallets = s.scalars(select(Container)).all()
        reserve = {
            loc.id for loc in s.scalars(select(Location).where(Location.pickable.is_(False)))
        }

    assert len(pallets) == demo.stock.containers > 0
    assert all(is_sscc(p.code) and p.is_sscc and p.location_id in reserve for p in pallets)


def test_demo_labels_resolve_as_a_scanner_reads_them(session_factory, demo):
    with session_factory() as s:
        loc = s.scalars(select(Location).where(Location.aisle.is_not(None))).first()
        lot = s.scalars(select(Lot)).first()
        ean = s.scalar(
            select(ItemBarcode.barcode).where(
                ItemBarcode.item_id == lot.item_id, ItemBarcode.uom == "each"
            )
        )
        at_location = resolve(s, f"{loc.code} {loc.check_digits}", warehouse_id=demo.warehouse_id)
        each = resolve(s, ean, warehouse_id=demo.warehouse_id)
        gs1 = resolve(
            s,
            f"]C101{ean.zfill(14)}10{lot.lot_no}|17{lot.expiry_date:%y%m%d}",
            warehouse_id=demo.warehouse_id,
        )

    assert isinstance(at_location, LocationScan) and at_location.check_digits_verified
    assert isinstance(each, ItemScan) and each.uom == "each"
    assert isinstance(gs1, Gs1Scan) and gs1.lot_id == lot.id


def test_demo_logins_work_for_every_role(session_factory, demo):
    with session_factory() as s, s.begin():
        operator = access.login_with_badge(s, badge="OP-0001")
        supervisor = access.login_with_password(
            s, username="supervisor1", password="supervisor1-demo"
        )
        admin = access.login_with_password(s, username="admin", password="admin-demo")
        client = access.authenticate_api_key(s, demo.api_key)
        roles = {u.role for u in s.scalars(select(User))}

    assert (operator.role, supervisor.role, admin.role) == (
        Role.operator,
        Role.supervisor,
        Role.admin,
    )
    assert set(client.scopes) == set(access.SCOPES)
    assert roles == set(Role)
    assert {login.username for login in demo.logins} == {login.username for login in DEMO_LOGINS}


def test_too_small_a_demo_is_refused_with_the_reason(session_factory):
    from wms.errors import ValidationFailed

    with session_factory() as s, s.begin(), pytest.raises(ValidationFailed) as err:
        build_demo(s, locations=5, items=0)

    assert {e.field for e in err.value.errors} == {"locations", "items"}


def _dump(tmp_path, name, seed):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as s:
        with s.begin():
            build_demo(s, locations=120, items=30, seed=seed, today=TODAY)
        dump = {
            table.name: [
                {k: v for k, v in row._mapping.items() if k not in VOLATILE}
                for row in s.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return dump


def test_same_seed_builds_identical_rows_and_another_seed_does_not(tmp_path):
    first = _dump(tmp_path, "one.sqlite3", seed=11)
    second = _dump(tmp_path, "two.sqlite3", seed=11)
    other = _dump(tmp_path, "three.sqlite3", seed=12)

    assert first == second
    assert first["item"] != other["item"]
    assert first["location"] and first["stock_move"] and first["lot"]
