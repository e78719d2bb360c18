"""Count plans on the database: ABC, zone, code prefix and item plans make count tasks."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.inventory.helpers import count_line, finish, request, start
from tests.taskfloor import person
from wms.model import Count, CountPlan, CountPlanBasis, CountTrigger, utcnow
from wms.services import count_plans


@pytest.fixture
def aisles(floor):
    floor.location("A-01-01-1", abc_class="A")
    floor.location("A-01-01-2", abc_class="B")
    floor.location("C-01-01-1", abc_class="C")
    floor.item("SKU-1")
    floor.stock("SKU-1", "C-01-01-1", 3)
    return floor


def plan(floor, **fields):
    with floor.factory() as s, s.begin():
        p = CountPlan(warehouse_id=floor.warehouse_id, name="plan", **fields)
        s.add(p)
        s.flush()
        return p.id


def run(floor, plan_id, now=None):
    with floor.factory() as s, s.begin():
        made = count_plans.run_plan(s, plan_id=plan_id, now=now)
        return sorted((c.location_id, c.trigger) for c in made)


def test_an_abc_plan_counts_never_counted_locations_and_then_waits_for_their_class(aisles):
    ann = person(aisles, "ann")
    abc = plan(aisles, basis=CountPlanBasis.abc)
    a = aisles.location("A-01-01-1").id

    first = run(aisles, abc)
    for code in ("A-01-01-1", "A-01-01-2", "C-01-01-1"):
        count_id = request(aisles, code)  # joins the open plan count
        start(aisles, count_id, ann)
        if code == "C-01-01-1":
            count_line(aisles, count_id, "SKU-1", 3, ann)
            finish(aisles, count_id, ann)
        else:
            finish(aisles, count_id, ann, empty=True)
    month_later = run(aisles, abc, now=utcnow() + timedelta(days=31))

    assert len(first) == 3
    assert {t for _, t in first} == {CountTrigger.plan}
    assert month_later == [(a, CountTrigger.plan)]


def test_zone_prefix_and_item_plans_select_their_locations(aisles):
    zone_c = aisles.zone("C").id

    by_zone = run(aisles, plan(aisles, basis=CountPlanBasis.zone, zone_id=zone_c))
    by_prefix = run(aisles, plan(aisles, basis=CountPlanBasis.location, location_prefix="A-01"))
    by_item = run(aisles, plan(aisles, basis=CountPlanBasis.item, item_id=aisles.item("SKU-1").id))

    c = aisles.location("C-01-01-1").id
    assert [loc for loc, _ in by_zone] == [c]
    assert len(by_prefix) == 2
    assert by_item == []  # C-01-01-1 is being counted for the zone plan: not due again
    with aisles.factory() as s:
        assert s.scalar(select(func.count()).select_from(Count).where(Count.location_id == c)) == 1


def test_max_per_run_takes_the_most_overdue(aisles):
    capped = plan(aisles, basis=CountPlanBasis.abc, max_per_run=1)

    assert len(run(aisles, capped)) == 1
