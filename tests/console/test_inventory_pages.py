"""Inventory at the console: variances, count plans, purchase requisitions, pick faces."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.console.conftest import Desk, flash_text
from tests.inventory.helpers import count_line, finish, ledger_ok, request, start
from tests.taskfloor import person
from wms.model import (
    Count,
    CountPlan,
    OutboxEvent,
    PickFaceSetting,
    PurchaseRequisition,
    ReorderRule,
    RequisitionStatus,
    Role,
    StockMove,
    Task,
    TaskType,
    Variance,
    VarianceStatus,
    Warehouse,
)
from wms.services import access, reorder, webhooks


def recount_above(floor, qty: int) -> None:
    """The warehouse recounts only variances above ``qty``."""
    with floor.factory() as s, s.begin():
        wh = s.get(Warehouse, floor.warehouse_id)
        wh.settings = {**(wh.settings or {}), "counting": {"recount_above_qty": qty}}


def counted_short(floor, counted: int = 8) -> int:
    """Shelf A-01-01-1 holds 10 Widgets (cost 2.5); a counter finds ``counted``."""
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    ann = person(floor, "ann", skills=("counting",))
    count_id = request(floor, "A-01-01-1")
    start(floor, count_id, ann)
    count_line(floor, count_id, "SKU-1", counted, ann)
    finish(floor, count_id, ann)
    with floor.factory() as s:
        return s.scalar(select(Variance.id).where(Variance.count_id == count_id))


def variance(floor, variance_id: int) -> Variance:
    return get(floor, Variance, variance_id)


def get(floor, model, ident):
    """A row as it is now, read in its own short session (SQLite: no lock is kept)."""
    with floor.factory() as s:
        return s.get(model, ident)


def scalar(floor, stmt):
    with floor.factory() as s:
        return s.scalar(stmt)


def scalars(floor, stmt) -> list:
    with floor.factory() as s:
        return list(s.scalars(stmt))


def test_a_supervisor_sees_a_pending_variance_and_approves_it_with_a_reason(supervisor, floor):
    recount_above(floor, 5)
    variance_id = counted_short(floor)

    listed = supervisor.page("/console/variances?lang=en")
    approved = supervisor.post(
        f"/console/variances/{variance_id}/approve",
        {"reason": "two broken in the bin"},
        follow_redirects=True,
    )

    row = listed.split(f'id="variance-{variance_id}"', 1)[1].split("</tr>", 1)[0]
    assert "A-01-01-1" in row and "SKU-1" in row and "Ann" in row
    assert ">8<" in row and ">10<" in row and "-2" in row and "waits for approval" in row
    assert flash_text(approved.text) == [
        f"Variance {variance_id} approved: the stock was adjusted."
    ]
    decided = variance(floor, variance_id)
    assert (decided.status, decided.reason) == (VarianceStatus.approved, "two broken in the bin")
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(8)
    moves = scalars(floor, select(StockMove).where(StockMove.reason == "count_adjust"))
    assert [(m.qty, m.note) for m in moves] == [(Decimal(2), "two broken in the bin")]
    assert ledger_ok(floor)


def test_a_decision_without_a_reason_changes_nothing(supervisor, floor):
    recount_above(floor, 5)
    variance_id = counted_short(floor)

    refused = supervisor.post(
        f"/console/variances/{variance_id}/reject", {"reason": " "}, follow_redirects=True
    )

    assert "请填写决定的原因。" in flash_text(refused.text)
    assert variance(floor, variance_id).status is VarianceStatus.pending
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


def test_a_rejected_variance_moves_nothing_and_is_listed_as_decided(supervisor, floor):
    recount_above(floor, 5)
    variance_id = counted_short(floor)

    supervisor.post(f"/console/variances/{variance_id}/reject", {"reason": "miscounted"})
    waiting = supervisor.page("/console/variances?lang=en")
    decided = supervisor.page("/console/variances?view=decided")

    assert f'id="variance-{variance_id}"' not in waiting
    assert f'id="variance-{variance_id}"' in decided and "miscounted" in decided
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)
    assert (
        scalar(
            floor,
            select(func.count()).select_from(StockMove).where(StockMove.reason == "count_adjust"),
        )
        == 0
    )


def test_a_variance_sent_to_recount_shows_its_recount_task_and_cannot_be_approved(
    supervisor, floor
):
    variance_id = counted_short(floor)  # any difference is recounted by default
    recount = scalar(floor, select(Count).where(Count.recount_of_id.is_not(None)))

    page = supervisor.page("/console/variances?lang=en")
    early = supervisor.post(
        f"/console/variances/{variance_id}/approve", {"reason": "now"}, follow_redirects=True
    )

    row = page.split(f'id="variance-{variance_id}"', 1)[1].split("</tr>", 1)[0]
    assert "recount requested" in row
    assert f"Recount task {recount.task_id}: Released" in row
    assert "Another operator recounts it first." in row and "Approve" not in row
    assert variance(floor, variance_id).status is VarianceStatus.recount
    assert flash_text(early.text) == [
        "This variance waits for its recount; it cannot be decided yet."
    ]
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


def operator_at_console(app, people) -> Desk:
    """An operator who got hold of a console session cookie (they cannot sign in there)."""
    user = people.add("otto", Role.operator)
    otto = Desk(app, "otto")
    assert otto.sign_in().status_code == 401
    with otto.client.session_transaction() as sess:
        sess.update(user_id=user.id, kind="console", csrf="t")
    return otto


def test_an_operator_trying_to_approve_a_variance_is_refused_and_nothing_moves(app, people, floor):
    recount_above(floor, 5)
    variance_id = counted_short(floor)
    otto = operator_at_console(app, people)

    refused = otto.post(f"/console/variances/{variance_id}/approve", {"reason": "mine"})
    page = otto.get("/console/variances")

    assert refused.status_code == 403 and page.status_code == 403
    assert "此操作需要主管角色" in refused.text
    assert variance(floor, variance_id).status is VarianceStatus.pending
    assert floor.on_hand("SKU-1", "A-01-01-1") == Decimal(10)


@pytest.mark.parametrize(
    "url", ["/console/count-plans", "/console/requisitions", "/console/replenishment"]
)
def test_an_operator_may_not_open_the_inventory_pages(app, people, floor, url):
    assert operator_at_console(app, people).get(url).status_code == 403


def test_a_supervisor_creates_an_abc_plan_with_its_frequencies_and_runs_it_now(supervisor, floor):
    floor.location("A-01-01-1", abc_class="A")
    floor.location("A-01-01-2", abc_class="C")

    created = supervisor.post(
        "/console/count-plans",
        {
            "name": "ABC cycle",
            "basis": "abc",
            "abc_A": "20",
            "abc_B": "",
            "abc_C": "180",
            "frequency_days": "90",
            "max_per_run": "",
            "active": "1",
        },
        follow_redirects=True,
    )
    plan = scalar(floor, select(CountPlan))
    ran = supervisor.post(f"/console/count-plans/{plan.id}/run", follow_redirects=True)

    assert "盘点计划 ABC cycle 已保存。" in flash_text(created.text)
    assert (plan.basis.value, plan.abc_days) == ("abc", {"A": 20, "C": 180})
    assert "已创建 2 个盘点任务。" in flash_text(ran.text)
    assert (
        scalar(floor, select(func.count()).select_from(Task).where(Task.type == TaskType.count))
        == 2
    )
    assert "A-01-01-2" in ran.text and "等待盘点员" in ran.text  # among the open counts
    twice = supervisor.post(f"/console/count-plans/{plan.id}/run", follow_redirects=True)
    assert "已创建 0 个盘点任务。" in flash_text(twice.text)  # open counts are not doubled


def test_a_plan_is_edited_and_a_bad_plan_is_explained_and_not_saved(supervisor, floor):
    floor.zone("B")
    supervisor.post(
        "/console/count-plans",
        {"name": "Zone B", "basis": "zone", "zone": "B", "frequency_days": "30", "active": "1"},
    )
    plan = scalar(floor, select(CountPlan))

    edited = supervisor.post(
        f"/console/count-plans/{plan.id}",
        {
            "name": "Zone B weekly",
            "basis": "zone",
            "zone": "B",
            "frequency_days": "7",
            "max_per_run": "50",
            "active": "1",
        },
    )
    bad = supervisor.post(
        "/console/count-plans?lang=en",
        {"name": "Nowhere", "basis": "zone", "zone": "Z9", "frequency_days": "0", "active": "1"},
    )

    plan = get(floor, CountPlan, plan.id)
    assert edited.status_code == 302
    assert (plan.name, plan.frequency_days, plan.max_per_run) == ("Zone B weekly", 7, 50)
    assert bad.status_code == 422
    assert "no such zone in this warehouse" in bad.text
    assert scalar(floor, select(func.count()).select_from(CountPlan)) == 1


def test_a_supervisor_requests_a_count_of_a_location(supervisor, floor):
    floor.location("B-02-03-1")

    done = supervisor.post(
        "/console/counts/request",
        {"location": "B-02-03-1", "reason": "customer complaint"},
        follow_redirects=True,
    )
    unknown = supervisor.post(
        "/console/counts/request?lang=en", {"location": "NOPE"}, follow_redirects=True
    )

    count = scalar(floor, select(Count))
    assert (count.trigger.value, count.reason) == ("request", "customer complaint")
    assert "已请求盘点 B-02-03-1。" in flash_text(done.text)
    assert "unknown location NOPE" in " ".join(flash_text(unknown.text))
    assert scalar(floor, select(func.count()).select_from(Count)) == 1


@pytest.fixture
def below_reorder(floor):
    """5 Widgets left; safety stock 10, reorder point 20, reorder 100; the ERP listens."""
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 5)
    with floor.factory() as s, s.begin():
        s.add(
            ReorderRule(
                item_id=floor.item("SKU-1").id,
                warehouse_id=floor.warehouse_id,
                safety_stock=Decimal(10),
                reorder_point=Decimal(20),
                reorder_qty=Decimal(100),
            )
        )
        client, _ = access.create_api_key(s, name="erp", scopes=["stock:read"])
        webhooks.subscribe(
            s,
            client_id=client.id,
            url="https://erp.example/hooks",
            event_types=["purchase_requisition.approved"],
            secret="s" * 32,
        )
    return floor


def test_a_buyer_checks_edits_and_approves_a_requisition_and_it_goes_to_the_erp(
    supervisor, below_reorder
):
    floor = below_reorder
    before = supervisor.page("/console/requisitions?lang=en")
    supervisor.post("/console/checks/reorder")
    req = scalar(floor, select(PurchaseRequisition))
    supervisor.post(f"/console/requisitions/{req.id}/edit", {"qty": "120"})
    supervisor.post(f"/console/requisitions/{req.id}/approve", {"note": "usual supplier"})
    approved = supervisor.page("/console/requisitions?status=approved&lang=en")

    assert "below safety stock" in before and "none yet" in before
    req = get(floor, PurchaseRequisition, req.id)
    assert (req.status, req.qty, req.note) == (
        RequisitionStatus.approved,
        Decimal(120),
        "usual supplier",
    )
    assert f'id="requisition-{req.id}"' in approved
    events = scalars(floor, select(OutboxEvent.type))
    assert "purchase_requisition.approved" in events
    assert "1 created" in approved and "SKU-1" in approved  # the last check's result


def test_a_bad_quantity_or_a_rejection_without_a_note_changes_nothing(supervisor, below_reorder):
    floor = below_reorder
    supervisor.post("/console/checks/reorder")
    req = scalar(floor, select(PurchaseRequisition))

    bad_qty = supervisor.post(
        f"/console/requisitions/{req.id}/edit?lang=en", {"qty": "-3"}, follow_redirects=True
    )
    no_note = supervisor.post(f"/console/requisitions/{req.id}/reject", {"note": ""})

    req = get(floor, PurchaseRequisition, req.id)
    assert "must be above zero" in " ".join(flash_text(bad_qty.text))
    assert no_note.status_code == 302
    assert (req.status, req.qty) == (RequisitionStatus.suggested, Decimal(100))


def test_an_operator_may_not_approve_a_requisition(app, people, below_reorder):
    with below_reorder.factory() as s, s.begin():
        (req,) = reorder.check(s, warehouse_id=below_reorder.warehouse_id)
        req_id = req.id
    otto = operator_at_console(app, people)

    assert otto.post(f"/console/requisitions/{req_id}/approve", {}).status_code == 403
    assert get(below_reorder, PurchaseRequisition, req_id).status is RequisitionStatus.suggested


def test_a_supervisor_sets_a_pick_face_min_max_and_checks_replenishment_now(supervisor, floor):
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "P-01-01-1", 3)
    floor.stock("SKU-1", "R-01-01-1", 100)

    saved = supervisor.post(
        "/console/replenishment/faces",
        {
            "location": "P-01-01-1",
            "sku": "SKU-1",
            "min_qty": "10",
            "max_qty": "40",
            "unit_qty": "12",
            "active": "1",
        },
    )
    face = scalar(floor, select(PickFaceSetting))
    checked = supervisor.post("/console/checks/replenishment", follow_redirects=True)
    page = supervisor.page("/console/replenishment?lang=en")

    assert saved.status_code == 302
    assert face is not None
    assert (face.min_qty, face.max_qty, face.unit_qty) == (Decimal(10), Decimal(40), Decimal(12))
    assert "检查完成：已创建 1 个。" in flash_text(checked.text)
    (task,) = scalars(floor, select(Task).where(Task.type == TaskType.replenish))
    assert task.qty == Decimal(36)
    assert "1 created" in page and "P-01-01-1 SKU-1" in page


def test_a_pick_face_with_max_below_min_is_explained_and_not_saved(supervisor, floor):
    floor.item("SKU-1")
    floor.location("P-01-01-1")
    supervisor.post(
        "/console/replenishment/faces",
        {
            "location": "P-01-01-1",
            "sku": "SKU-1",
            "min_qty": "5",
            "max_qty": "20",
            "unit_qty": "1",
            "active": "1",
        },
    )
    face = scalar(floor, select(PickFaceSetting))

    bad = supervisor.post(
        f"/console/replenishment/faces/{face.id}?lang=en",
        {
            "location": "P-01-01-1",
            "sku": "SKU-9",
            "min_qty": "30",
            "max_qty": "20",
            "unit_qty": "1",
            "active": "1",
        },
    )
    edit = supervisor.page(f"/console/replenishment/faces/{face.id}")

    assert bad.status_code == 422
    assert "max must be above min" in bad.text and "no such item" in bad.text
    face = get(floor, PickFaceSetting, face.id)
    assert (face.min_qty, face.max_qty) == (Decimal(5), Decimal(20))
    assert 'value="P-01-01-1"' in edit and 'value="20"' in edit


def test_the_inventory_section_is_in_the_console_nav_in_both_languages(supervisor):
    chinese = supervisor.page("/console/variances")
    english = supervisor.page("/console/variances?lang=en")

    assert "库存" in chinese and "盘点差异" in chinese and "采购需求" in chinese
    assert "Inventory" in english and "Count variances" in english


def test_safety_stock_alerts_are_listed_beside_the_pick_faces(supervisor, below_reorder):
    page = supervisor.page("/console/replenishment?lang=en")

    alert = page.split('id="alert-SKU-1"', 1)[1].split("</tr>", 1)[0]
    assert "Safety-stock alerts" in page
    assert "below safety stock" in alert and ">5<" in alert and ">10<" in alert
