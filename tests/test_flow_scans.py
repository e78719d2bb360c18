"""A scan resolved as plain SQL on PostgreSQL names the same things, as the same entities."""

from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import sessionmaker

from tests.factories import Floor
from wms.flows import scans
from wms.model import Location, VirtualKind


@pytest.fixture
def floor(pg):
    floor = Floor(sessionmaker(pg, expire_on_commit=False))
    floor.item("SKU-1", name="Widget", units={"box": 12}, barcodes=[("6901234567892", "box")])
    floor.location("A-01-01-1", x=Decimal("3.250"), max_volume_l=Decimal("1.5"))
    floor.container("P-1", location="A-01-01-1")
    floor.virtual(VirtualKind.supplier)
    return floor


def columns(entity: object) -> dict[str, object]:
    state = inspect(entity)
    return {a.key: getattr(entity, a.key) for a in state.mapper.column_attrs}


def entities(scan: scans.Scan) -> dict[str, dict[str, object]]:
    found = {"location": scan.location, "item": scan.item, "container": scan.container}
    return {name: columns(e) for name, e in found.items() if e is not None}


def core(s, raw: str, warehouse_id: int) -> scans.Scan:
    params = {"warehouse_id": warehouse_id, "raw": raw, "raw_short": raw[:-2]}
    return scans.scan_of(raw, s.execute(scans._RESOLVE, params).all())


@pytest.mark.parametrize(
    "raw", ["A-01-01-1", "SKU-1", "6901234567892", "P-1", "nothing", "7", "A-01-01-1" + "00"]
)
def test_plain_sql_resolves_what_the_orm_query_resolves(floor, raw):
    wh = floor.warehouse_id
    with floor.factory() as s, s.begin():
        fast = scans.interpret(s, raw, warehouse_id=wh)
        fast_values = entities(fast)
        assert all(
            inspect(v).persistent and not inspect(v).modified
            for v in (fast.location, fast.item, fast.container)
            if v is not None
        )
    with floor.factory() as s, s.begin():
        slow = core(s, raw, wh)
        slow_values = entities(slow)
    assert (fast.kind, fast.uom, fast.raw) == (slow.kind, slow.uom, slow.raw)
    assert fast_values == slow_values
    for name, values in fast_values.items():  # same Python types, not only equal values
        assert {k: type(v) for k, v in values.items()} == {
            k: type(v) for k, v in slow_values[name].items()
        }


def test_a_scan_gives_the_sessions_own_entity_and_its_relationships_load(floor):
    with floor.factory() as s, s.begin():
        held = s.get(Location, floor.location("A-01-01-1").id)
        scan = scans.interpret(s, "A-01-01-1", warehouse_id=floor.warehouse_id)
        assert scan.location is held
        item = scans.interpret(s, "6901234567892", warehouse_id=floor.warehouse_id)
        assert item.item is not None and item.item.factor("box") == Decimal(12)
        assert item.uom == "box"
