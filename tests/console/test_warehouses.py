"""Warehouses and zones: admins create warehouses, supervisors keep their zones in order."""

from sqlalchemy import select

from wms.model import Location, Warehouse, Zone, ZoneKind


def test_an_admin_creates_a_warehouse_with_its_virtual_locations(admin, session):
    response = admin.post("/console/warehouses/new", {
        "code": "sh2", "name": "Shanghai 2", "timezone": "Asia/Shanghai"})

    assert response.status_code == 302
    wh = session.scalar(select(Warehouse).where(Warehouse.code == "SH2"))
    assert wh.name == "Shanghai 2"
    virtual = session.scalars(select(Location.code).where(Location.warehouse_id == wh.id)).all()
    assert "SUPPLIER" in virtual and "CUSTOMER" in virtual


def test_a_bad_warehouse_form_names_every_problem(admin, session):
    response = admin.post("/console/warehouses/new?lang=en", {
        "code": "SH 2", "name": "", "timezone": "Mars/Olympus", "gs1_company_prefix": "12"})

    assert response.status_code == 422
    for message in ("letters, digits", "required", "unknown time zone",
                    "a GS1 company prefix is 6 to 12 digits"):
        assert message in response.text
    assert session.scalar(select(Warehouse).where(Warehouse.code == "SH 2")) is None


def test_allowing_negative_stock_is_audited(admin, people, floor):
    wh = floor.warehouse()

    admin.post(f"/console/warehouses/{wh.id}", {
        "name": "Main", "timezone": "Asia/Shanghai", "allow_negative_stock": "1"})

    entry = people.audit("warehouse.negative_stock_changed")[0]
    assert (entry.target, entry.details["allowed"], entry.actor_name) == ("WH1", True, "ada")


def test_a_supervisor_adds_and_renames_a_zone_but_cannot_change_the_warehouse(
    supervisor, floor, session
):
    wh = floor.warehouse()

    supervisor.post(f"/console/warehouses/{wh.id}/zones", {
        "code": "pf", "zone_name": "Pick face A", "kind": "pick_face"})
    zone = floor.zone("PF")
    renamed = supervisor.post(f"/console/zones/{zone.id}", {"zone_name": "Fast movers",
                                                             "kind": "pick_face"})
    change_wh = supervisor.post(f"/console/warehouses/{wh.id}", {"name": "Mine"})

    assert renamed.status_code == 302 and change_wh.status_code == 403
    assert (session.get(Zone, zone.id).name, session.get(Zone, zone.id).kind) == (
        "Fast movers", ZoneKind.pick_face)
    assert session.get(Warehouse, wh.id).name == "Warehouse WH1"


def test_a_duplicate_zone_code_is_refused(supervisor, floor):
    floor.zone("A")

    response = supervisor.post(f"/console/warehouses/{floor.warehouse_id}/zones?lang=en", {
        "code": "A", "kind": "storage"})

    assert response.status_code == 422
    assert "already in use" in response.text


def test_a_supervisor_sees_only_their_warehouses(supervisor, floor):
    other = floor.warehouse("WH9")

    listed = supervisor.page("/console/warehouses")

    assert "WH1" in listed and "WH9" not in listed
    assert supervisor.get(f"/console/warehouses/{other.id}").status_code == 403
