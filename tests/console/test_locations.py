"""Locations at the console: many at once by pattern, blocking with a reason, fast search."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select, text

from tests.console.conftest import counted_queries, flash_text
from wms.db import is_postgres
from wms.model import Location, LocationType, VirtualKind
from wms.queries.locations import location_search, search_locations
from wms.scanning.checkdigits import location_check_digits


def listed_codes(html: str) -> list[str]:
    return re.findall(r'<a href="/console/locations/\d+"><code>([^<]+)</code>', html)


def location_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Location).where(
        Location.type != LocationType.virtual))


def test_a_supervisor_previews_then_creates_a_hundred_locations(supervisor, session):
    form = {"warehouse": "1", "pattern": "A-01..20-1..5", "bay_width": "1.2", "sides": "both"}

    preview = supervisor.post("/console/locations/new?lang=en", {**form, "action": "preview"})
    created = supervisor.post("/console/locations/new", {**form, "action": "create"})

    assert "100 locations" in preview.text and "A-20-5" in preview.text
    assert created.status_code == 302
    assert location_count(session) == 100
    a_20_5 = session.scalar(select(Location).where(Location.code == "A-20-5"))
    assert (a_20_5.aisle, a_20_5.bay, a_20_5.level) == ("A", "20", "5")
    # Bay 20 faces bay 19, in the tenth pair of 1.2 m bays: 9.5 × 1.2 m from the front.
    assert (a_20_5.aisle_index, a_20_5.side, a_20_5.x) == (0, 1, Decimal("11.4"))
    assert a_20_5.check_digits == location_check_digits("A-20-5")
    assert listed_codes(supervisor.page(created.headers["Location"]))[:3] == [
        "A-01-1", "A-01-2", "A-01-3"]
    assert supervisor.page("/console/audit?action=locations.").count("A-01..20-1..5") == 1


def test_the_preview_writes_nothing(supervisor, session):
    supervisor.post("/console/locations/new",
                    {"warehouse": "1", "pattern": "B-1..9", "action": "preview"})

    assert location_count(session) == 0


def test_a_pattern_that_overlaps_existing_locations_creates_none_and_names_them(
    supervisor, floor, session
):
    floor.location("A-02-3", zone="")

    response = supervisor.post("/console/locations/new?lang=en", {
        "warehouse": "1", "pattern": "A-01..03-1..5", "action": "create"})

    assert response.status_code == 422
    assert "some of these locations already exist: A-02-3" in flash_text(response.text)[0]
    assert location_count(session) == 1


def test_a_bad_pattern_is_explained_on_the_form(supervisor, session):
    response = supervisor.post("/console/locations/new?lang=en", {
        "warehouse": "1", "pattern": "A-20..01", "action": "create"})

    assert response.status_code == 422
    assert "a range runs from low to high" in response.text
    assert location_count(session) == 0


def test_more_than_ten_thousand_at_once_is_refused(supervisor, session):
    response = supervisor.post("/console/locations/new", {
        "warehouse": "1", "pattern": "A..Z-001..100-1..5", "action": "create"})

    assert response.status_code == 422
    assert location_count(session) == 0


def test_a_supervisor_cannot_create_locations_in_another_warehouse(supervisor, floor, session):
    other = floor.warehouse("WH2")

    response = supervisor.post("/console/locations/new", {
        "warehouse": str(other.id), "pattern": "A-1", "action": "create"})

    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(Location).where(
        Location.warehouse_id == other.id, Location.type != LocationType.virtual)) == 0


def test_blocking_needs_a_reason_and_unblocking_clears_it(supervisor, floor, people):
    loc = floor.location("A-01-1")

    refused = supervisor.post(f"/console/locations/{loc.id}/block", {"reason": " "})
    blocked = supervisor.post(f"/console/locations/{loc.id}/block", {"reason": "rack damaged"})
    listed = supervisor.page("/console/locations?blocked=1")
    supervisor.post(f"/console/locations/{loc.id}/unblock")

    assert refused.status_code == 422
    assert blocked.status_code == 302
    assert "rack damaged" in listed
    assert [a.action for a in people.audit("location.")] == [
        "location.blocked", "location.unblocked"]
    assert supervisor.page("/console/locations?blocked=1").count("rack damaged") == 0


def test_a_virtual_location_is_not_editable(supervisor, floor):
    supplier = floor.virtual(VirtualKind.supplier)

    assert supervisor.get(f"/console/locations/{supplier.id}").status_code == 404


def test_editing_a_location_checks_its_numbers(supervisor, floor, session):
    loc = floor.location("A-01-1")

    bad = supervisor.post(f"/console/locations/{loc.id}", {
        "type": "shelf", "max_weight_kg": "heavy", "storable": "1"})
    good = supervisor.post(f"/console/locations/{loc.id}", {
        "type": "pallet_rack", "max_weight_kg": "1000.5", "storable": "1", "abc_class": "A"})

    assert bad.status_code == 422
    assert good.status_code == 302
    saved = session.get(Location, loc.id)
    assert (saved.type, str(saved.max_weight_kg).rstrip("0"), saved.pickable) == (
        LocationType.pallet_rack, "1000.5", False)


def fill_warehouse(session, warehouse_id: int) -> None:
    """100,000 locations: aisles AA..AZ and BA..BZ..DV, 20 bays, 5 levels, 10 positions."""
    aisles = [a + b for a in "ABCD" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"][:100]
    rows = [
        {"warehouse_id": warehouse_id, "code": f"{a}-{bay:02d}-{lvl}-{pos}",
         "type": "shelf", "check_digits": "00"}
        for a in aisles for bay in range(1, 21) for lvl in range(1, 6) for pos in range(10)
    ]
    session.execute(insert(Location), rows)
    session.commit()
    if is_postgres(session):
        session.execute(text("analyze location"))
    else:
        session.execute(text("analyze"))
    session.commit()


@pytest.mark.slow
def test_searching_a_hundred_thousand_locations_stays_on_the_index(supervisor, floor, session,
                                                                   engine):
    wh_id = floor.warehouse_id
    fill_warehouse(session, wh_id)

    with counted_queries(engine) as first_page:
        html = supervisor.page("/console/locations?q=CQ-0")
    next_url = re.search(r'href="([^"]+after=[^"]+)"', html).group(1).replace("&amp;", "&")
    with counted_queries(engine) as second_page:
        html2 = supervisor.page(next_url)
    plan = explain(session, location_search(warehouse_id=wh_id, prefix="CQ-0"))

    assert listed_codes(html)[0] == "CQ-01-1-0" and listed_codes(html)[-1] == "CQ-01-5-9"
    assert listed_codes(html2)[0] == "CQ-02-1-0" and len(listed_codes(html2)) == 50
    assert len(first_page) <= 6 and len(second_page) <= 6
    assert uses_code_index(plan), plan


def test_keyset_pages_walk_forward_and_back_without_gaps(floor, session):
    for code in [f"A-{n:02d}" for n in range(1, 8)]:
        floor.location(code, zone="")
    wh = floor.warehouse_id

    first = search_locations(session, warehouse_id=wh, size=3)
    second = search_locations(session, warehouse_id=wh, size=3, after=first.next_key)
    third = search_locations(session, warehouse_id=wh, size=3, after=second.next_key)
    back = search_locations(session, warehouse_id=wh, size=3, before=second.prev_key)

    assert [loc.code for loc in first.rows] == ["A-01", "A-02", "A-03"]
    assert [loc.code for loc in second.rows] == ["A-04", "A-05", "A-06"]
    assert [loc.code for loc in third.rows] == ["A-07"] and third.next_key is None
    assert [loc.code for loc in back.rows] == ["A-01", "A-02", "A-03"] and back.prev_key is None


def explain(session, stmt) -> str:
    compiled = stmt.order_by(Location.code).limit(51).compile(
        session.get_bind(), compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN " if is_postgres(session) else "EXPLAIN QUERY PLAN "
    rows = session.execute(text(prefix + str(compiled))).all()
    return "\n".join(str(row[-1]) for row in rows)


def uses_code_index(plan: str) -> bool:
    """The (warehouse_id, code) unique index serves the search; no scan of every location."""
    if "QUERY PLAN" in plan or "SEARCH" in plan or "SCAN" in plan:  # SQLite
        return "USING INDEX sqlite_autoindex_location" in plan and "code>" in plan.replace(
            " ", "") and "TEMP B-TREE" not in plan
    return "uq_location_warehouse_id" in plan and "Seq Scan" not in plan and "Sort" not in plan



def test_a_nul_character_in_a_search_is_refused_not_a_crash(supervisor):
    assert supervisor.get("/console/locations?after=A%00").status_code == 400
