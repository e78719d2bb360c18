"""REAL-API browser journeys: the PDA page against the real terminal API, flows and pushes.

These need the terminal JSON API (wms/web/flows_api.py), the move flow and
the /terminal Socket.IO namespace from the tasks branch. Until that branch
is merged they fail at once with a message saying so; after the merge they
must pass. They use only the terminal contract (docs/terminal.md) for what
the page does, and the task services for what a supervisor does.

The flow is driven by the screen's ``expect`` field, not by state names, so
it follows whatever states the real move flow has.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import Floor
from tests.terminal.conftest import (
    Operator,
    browser_settings,
    feedback_kinds,
    sign_in_by_badge,
    wait_scan_focus,
    wedge,
)
from wms.db import make_session_factory
from wms.model import Warehouse
from wms.services.access import create_user

pytestmark = pytest.mark.browser

REAL_ROUTES = ("/t/api/me/tasks", "/t/api/flows/start", "/t/api/flows/current", "/t/api/events")


@dataclass
class RealSite:
    url: str
    app: object
    floor: Floor
    factory: object


@pytest.fixture
def real(sqlite_engine, tmp_path, live_factory) -> RealSite:
    from wms.app import create_app

    app = create_app(browser_settings(sqlite_engine, tmp_path), engine=sqlite_engine)
    rules = {r.rule for r in app.url_map.iter_rules()}
    missing = [r for r in REAL_ROUTES if r not in rules]
    if missing:
        pytest.fail(f"the real terminal API is not in this build (missing {missing}); "
                    "these tests run after the tasks branch is merged")
    factory = make_session_factory(sqlite_engine)
    floor = Floor(factory)
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-02-01-1")
    return RealSite(live_factory(app).url, app, floor, factory)


def operator_in(real: RealSite, username: str, badge: str) -> Operator:
    with real.factory() as s, s.begin():
        warehouse = s.get(Warehouse, real.floor.warehouse_id)
        user = create_user(s, username=username, pin="4321", badge=badge, locale="en",
                           skills=["putaway", "picking"], warehouses=[warehouse])
        return Operator(user.id, username, badge, "4321")


def assign_move_task(real: RealSite, operator: Operator, qty: int = 3) -> int:
    """What a supervisor's "assign" does on the console: create a move task, assign it."""
    from wms.model import Item, Location
    from wms.model import tasks as task_model
    from wms.services import tasks

    ctx = real.app.extensions["wms"]
    # The app's own session factory: its commits publish the push to Socket.IO.
    with ctx.session_factory() as s, s.begin():
        item = s.scalars(select(Item).where(Item.sku == "SKU-1")).one()
        src = s.scalars(select(Location).where(Location.code == "A-01-01-1")).one()
        dst = s.scalars(select(Location).where(Location.code == "B-02-01-1")).one()
        task = tasks.create_task(
            s, warehouse_id=real.floor.warehouse_id, type=task_model.TaskType.move, release=True,
            item_id=item.id, qty=Decimal(qty), uom="each",
            from_location_id=src.id, to_location_id=dst.id,
        )
        tasks.assign(s, task_id=task.id, user_id=operator.id, actor_id=None,
                     lease_seconds=ctx.settings.tasks.lease_seconds)
        return task.id


def current_screen(page) -> dict:
    return page.evaluate("window.__wmsFlow.screen()")


def answer(page, value: str) -> dict:
    """Scan ``value`` and wait for the next screen (a new seq, or the same with a message)."""
    before = page.evaluate("window.__wmsFeedback.length")
    wedge(page, value)
    page.wait_for_function(
        f"() => window.__wmsFeedback.length > {before} && !document.body.hasAttribute('data-busy')")
    return current_screen(page)


def finish_move(page, *, source: str, destination: str, sku: str, qty: int) -> dict:
    """Answer each prompt by what it expects, as an operator reading the screen would.

    The first location asked for is the source, any later one the destination.
    """
    locations = [source, destination]
    for _ in range(12):
        screen = current_screen(page)
        if screen["done"]:
            return screen
        expect = screen["expect"]
        if expect == "location":
            value = locations.pop(0) if len(locations) > 1 else locations[0]
        elif expect in ("item", "barcode"):
            value = sku
        elif expect in ("quantity", "qty"):
            value = str(qty)
        else:
            raise AssertionError(f"the move flow expects {expect!r}, which this test can't answer")
        after = answer(page, value)
        assert not (after["message"] and after["message"]["level"] == "error"), after
    raise AssertionError(f"the move flow did not finish: {current_screen(page)}")


def test_operator_signs_in_by_badge_and_moves_stock_by_typed_scans(real, pda_factory):
    op = operator_in(real, "op1", "BADGE-0001")
    page = pda_factory(real.url).new_page()
    sign_in_by_badge(page, op)

    page.keyboard.press("F2")  # move stock
    page.wait_for_url("**/t/flow")
    wait_scan_focus(page)
    done = finish_move(page, source="A-01-01-1", destination="B-02-01-1", sku="SKU-1", qty=3)

    assert done["done"] is True
    assert real.floor.on_hand("SKU-1", "A-01-01-1") == Decimal(7)
    assert real.floor.on_hand("SKU-1", "B-02-01-1") == Decimal(3)
    assert feedback_kinds(page).count("error") == 0


def test_wrong_scan_is_seen_and_heard_and_changes_nothing(real, pda_factory):
    op = operator_in(real, "op1", "BADGE-0001")
    page = pda_factory(real.url).new_page()
    sign_in_by_badge(page, op)
    page.keyboard.press("F2")
    page.wait_for_url("**/t/flow")
    page.wait_for_function("() => window.__wmsFlow && window.__wmsFlow.screen()")
    first = current_screen(page)
    assert first["expect"] == "location"

    after = answer(page, "NO-SUCH-PLACE-99")

    assert after["message"]["level"] == "error"
    assert after["state"] == first["state"]
    assert page.locator("#message.message-error").inner_text() == after["message"]["text"]
    last = page.evaluate("window.__wmsFeedback[window.__wmsFeedback.length - 1]")
    assert (last["kind"], last["tone"]) == ("error", "error")
    assert real.floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


def test_pushed_task_arrives_live_and_is_done_on_the_terminal(real, pda_factory):
    op = operator_in(real, "op1", "BADGE-0001")
    page = pda_factory(real.url).new_page()
    sign_in_by_badge(page, op)
    page.wait_for_function("() => window.__wmsLive && window.__wmsLive.socket.connected")

    task_id = assign_move_task(real, op, qty=4)

    page.wait_for_selector(f"[data-task-id='{task_id}']")
    assert "task" in feedback_kinds(page)
    page.locator(f"[data-task-id='{task_id}']").click()
    page.wait_for_url("**/t/flow")
    wait_scan_focus(page)
    finish_move(page, source="A-01-01-1", destination="B-02-01-1", sku="SKU-1", qty=4)
    assert real.floor.on_hand("SKU-1", "B-02-01-1") == Decimal(4)


def test_supervisor_assignment_reaches_only_that_operator_without_reload(real, pda_factory):
    alice = operator_in(real, "op1", "BADGE-0001")
    bob = operator_in(real, "op2", "BADGE-0002")
    pages = {}
    for op in (alice, bob):
        pages[op.username] = pda_factory(real.url).new_page()
        sign_in_by_badge(pages[op.username], op)
        pages[op.username].wait_for_function(
            "() => window.__wmsLive && window.__wmsLive.socket.connected")
    loads = {name: page.evaluate("performance.getEntriesByType('navigation').length")
             for name, page in pages.items()}

    task_id = assign_move_task(real, alice)

    pages["op1"].wait_for_selector(f"[data-task-id='{task_id}']")
    pages["op2"].wait_for_timeout(1000)
    assert pages["op2"].locator(f"[data-task-id='{task_id}']").count() == 0
    assert "task" not in feedback_kinds(pages["op2"])
    for name, page in pages.items():  # nobody reloaded
        assert page.evaluate("performance.getEntriesByType('navigation').length") == loads[name]


def released_move_task(real: RealSite, qty: int = 2) -> int:
    """A move task in the pool, as the putaway or replenishment planners leave them."""
    from wms.model import Item, Location
    from wms.model import tasks as task_model
    from wms.services import tasks

    with real.app.extensions["wms"].session_factory() as s, s.begin():
        item = s.scalars(select(Item).where(Item.sku == "SKU-1")).one()
        src = s.scalars(select(Location).where(Location.code == "A-01-01-1")).one()
        dst = s.scalars(select(Location).where(Location.code == "B-02-01-1")).one()
        task = tasks.create_task(
            s, warehouse_id=real.floor.warehouse_id, type=task_model.TaskType.move, release=True,
            item_id=item.id, qty=Decimal(qty), uom="each",
            from_location_id=src.id, to_location_id=dst.id,
        )
        return task.id


def test_a_supervisor_assigns_on_the_console_and_the_pda_gets_it_without_reload(
    real, pda_factory, chromium
):
    from wms.model import Role, Task, TaskStatus

    op = operator_in(real, "op1", "BADGE-0001")
    with real.factory() as s, s.begin():
        create_user(s, username="boss", display_name="Shift supervisor", password="s3cret-Pass!",
                    role=Role.supervisor, locale="en",
                    warehouses=[s.get(Warehouse, real.floor.warehouse_id)])
    task_id = released_move_task(real)

    pda = pda_factory(real.url).new_page()
    sign_in_by_badge(pda, op)
    pda.wait_for_function("() => window.__wmsLive && window.__wmsLive.socket.connected")
    pda_loads = pda.evaluate("performance.getEntriesByType('navigation').length")

    console_context = chromium.new_context(base_url=real.url, locale="en-US")
    try:
        board = console_context.new_page()
        board.set_default_timeout(10_000)
        board.goto("/console/login")
        board.fill("#f-username", "boss")
        board.fill("#f-password", "s3cret-Pass!")
        board.click("button[type=submit].primary")
        board.goto("/console/board")
        board.wait_for_selector(f"#tasks tr[data-task-id='{task_id}']")
        board.wait_for_selector(f"#assign-to option[value='{op.id}']", state="attached")

        board.check(f"#tasks tr[data-task-id='{task_id}'] input.pick")
        board.select_option("#assign-to", str(op.id))
        board.click("#assign-selected")

        board.wait_for_selector("#board-message.flash-success")
        confirmation = board.inner_text("#board-message")
        pda.wait_for_selector(f"[data-task-id='{task_id}']")
    finally:
        console_context.close()

    assert "Assigned 1 task(s)" in confirmation
    assert "task" in feedback_kinds(pda)
    assert pda.evaluate("performance.getEntriesByType('navigation').length") == pda_loads
    with real.factory() as s:
        task = s.get(Task, task_id)
        assert (task.status, task.assignee_id) == (TaskStatus.assigned, op.id)
