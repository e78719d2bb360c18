"""Inbound at the console: purchase orders, suppliers with their rules, unexpected items."""

import re
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from tests.console.conftest import Desk, flash_text
from tests.inbound.dock import Dock
from wms.model import (
    DecisionStatus,
    Partner,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Role,
    SupplierProfile,
    UnexpectedItem,
)
from wms.services import unexpected_items


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_an_operator_may_not_open_the_inbound_pages(app, people, session):
    """Even with a console session cookie (as if signed in elsewhere), an operator is refused."""
    otto_user = people.add("otto", Role.operator)
    otto = Desk(app, "otto")
    assert otto.sign_in().status_code == 401
    with otto.client.session_transaction() as sess:
        sess.update(user_id=otto_user.id, kind="console", csrf="t")

    for url in ("/console/purchase-orders", "/console/suppliers", "/console/unexpected-items"):
        assert otto.get(url).status_code == 403, url
    refused = otto.post("/console/suppliers/new", {"code": "S9", "name": "Nine", "active": "1"})

    assert refused.status_code == 403
    assert count(session, Partner) == 0


def test_orders_are_listed_by_status_and_number_with_received_and_conflicts(
    supervisor, floor, session
):
    dock = Dock(floor)
    dock.order("PO-1", [("SKU-A", 10)])
    receiving_order = dock.order("PO-2", [("SKU-A", 10), ("SKU-X", 4)])
    receipt = dock.start(receiving_order)
    dock.receive(receipt, "SKU-A", 6)
    dock.order("PO-2", [("SKU-A", 3), ("SKU-X", 4)])  # below what has arrived: a conflict

    all_orders = supervisor.page("/console/purchase-orders")
    receiving_only = supervisor.page("/console/purchase-orders?status=receiving")
    by_number = supervisor.page("/console/purchase-orders?q=PO-1")
    po2 = session.scalar(select(PurchaseOrder).where(PurchaseOrder.external_id == "PO-2"))
    detail = supervisor.page(f"/console/purchase-orders/{po2.id}?lang=en")

    assert "PO-1" in all_orders and "PO-2" in all_orders
    assert "PO-2" in receiving_only and "PO-1" not in receiving_only
    assert "PO-1" in by_number and "PO-2" not in by_number
    assert "6 / 3 each" in detail and "0 / 4 each" in detail
    assert po2.conflicts and 'class="conflict"' in detail
    session.close()
    dock.ledger_ok()


def test_a_supervisor_enters_a_purchase_order_by_hand(supervisor, floor, session):
    Dock(floor)
    response = supervisor.post(
        "/console/purchase-orders/new",
        {
            "external_id": "PO-HAND",
            "supplier": "SUP1",
            "expected_at": "2026-12-31",
            "lines-0-sku": "SKU-A",
            "lines-0-qty": "2",
            "lines-0-uom": "case",
            "lines-0-lot": "",
            "lines-1-sku": "SKU-X",
            "lines-1-qty": "5",
            "lines-1-uom": "",
            "lines-1-lot": "",
            "lines-2-sku": "",
            "lines-2-qty": "",
            "lines-2-uom": "",
            "lines-2-lot": "",
        },
    )

    assert response.status_code == 302
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.external_id == "PO-HAND"))
    assert [(ln.item.sku, ln.qty_base) for ln in order.lines] == [
        ("SKU-A", Decimal(24)),
        ("SKU-X", Decimal(5)),
    ]
    assert order.expected_at is not None and order.expected_at.year == 2026


def test_a_bad_order_names_every_problem_and_writes_nothing(supervisor, floor, session):
    dock = Dock(floor)
    dock.order("PO-1", [("SKU-A", 1)])
    response = supervisor.post(
        "/console/purchase-orders/new?lang=en",
        {
            "external_id": "PO-NEW",
            "supplier": "SUP1",
            "expected_at": "",
            "lines-0-sku": "SKU-NOPE",
            "lines-0-qty": "1",
            "lines-0-uom": "",
            "lines-0-lot": "",
            "lines-1-sku": "SKU-A",
            "lines-1-qty": "2",
            "lines-1-uom": "pallet",
            "lines-1-lot": "",
        },
    )
    taken = supervisor.post(
        "/console/purchase-orders/new?lang=en",
        {
            "external_id": "PO-1",
            "supplier": "SUP1",
            "lines-0-sku": "SKU-A",
            "lines-0-qty": "1",
            "lines-0-uom": "",
            "lines-0-lot": "",
        },
    )
    no_number = supervisor.post(
        "/console/purchase-orders/new?lang=zh_Hans_CN",
        {
            "external_id": "",
            "supplier": "SUP1",
            "lines-0-sku": "SKU-A",
            "lines-0-qty": "x",
            "lines-0-uom": "",
            "lines-0-lot": "",
        },
    )

    assert response.status_code == taken.status_code == no_number.status_code == 422
    assert "unknown item SKU-NOPE" in response.text and 'value="SKU-NOPE"' in response.text
    assert "pallet" in response.text
    assert "already in use" in taken.text
    assert "未保存任何内容" in " ".join(flash_text(no_number.text))
    assert count(session, PurchaseOrder) == 1 and count(session, PurchaseOrderLine) == 1


def test_a_supervisor_creates_and_edits_a_supplier_with_its_rules(supervisor, session):
    created = supervisor.post(
        "/console/suppliers/new",
        {
            "code": "ACME",
            "name": "Acme Ltd",
            "active": "1",
            "over_tolerance_pct": "5",
            "under_tolerance_pct": "2.5",
            "qc_required": "1",
            "qc_sample_pct": "20",
        },
    )
    acme_id = session.scalar(select(Partner.id).where(Partner.code == "ACME"))
    session.close()  # SQLite: no reader may hold the file while the console writes
    edited = supervisor.post(
        f"/console/suppliers/{acme_id}",
        {
            "code": "ACME",
            "name": "Acme Limited",
            "active": "1",
            "over_tolerance_pct": "0",
            "under_tolerance_pct": "0",
            "qc_sample_pct": "10",
        },
    )

    assert created.status_code == edited.status_code == 302
    acme = session.get(Partner, acme_id)
    profile = session.get(SupplierProfile, acme_id)
    assert acme.name == "Acme Limited" and acme.kind.value == "supplier"
    assert (profile.over_tolerance_pct, profile.qc_required) == (Decimal(0), False)
    listing = supervisor.page("/console/suppliers")
    assert "Acme Limited" in listing


def test_a_bad_supplier_is_explained_and_nothing_is_written(supervisor, session):
    response = supervisor.post(
        "/console/suppliers/new?lang=en",
        {
            "code": "",
            "name": "Nameless",
            "over_tolerance_pct": "150",
            "under_tolerance_pct": "abc",
            "qc_sample_pct": "10",
        },
    )

    assert response.status_code == 422
    assert "must be between 0 and 100" in response.text
    assert "not an exact number" in response.text and "required" in response.text
    assert count(session, Partner) == count(session, SupplierProfile) == 0


def test_a_supplier_without_rules_gets_them_from_its_page_and_the_change_is_audited(
    supervisor, floor, people, session
):
    Dock(floor)  # SUP1 exists as a partner, with no receiving rules yet
    sup1 = session.scalar(select(Partner.id).where(Partner.code == "SUP1"))
    session.close()

    page = supervisor.page(f"/console/suppliers/{sup1}?lang=en")
    saved = supervisor.post(
        f"/console/suppliers/{sup1}",
        {
            "code": "SUP1",
            "name": "Supplier SUP1",
            "active": "1",
            "over_tolerance_pct": "3",
            "under_tolerance_pct": "1.5",
            "qc_required": "1",
            "qc_sample_pct": "12.5",
        },
    )

    assert 'value="10"' in page and saved.status_code == 302
    profile = session.get(SupplierProfile, sup1)
    assert (
        profile.over_tolerance_pct,
        profile.under_tolerance_pct,
        profile.qc_required,
        profile.qc_sample_pct,
    ) == (Decimal(3), Decimal("1.5"), True, Decimal("12.5"))
    session.close()
    (entry,) = people.audit("supplier.")
    assert (entry.action, entry.actor_name, entry.target) == ("supplier.saved", "sam", "SUP1")
    assert entry.details["under_tolerance_pct"] == "1.5"
    assert "sample 12.5 %" in supervisor.page("/console/suppliers?lang=en")


def test_inspection_without_a_sample_is_refused_and_an_unknown_supplier_is_not_found(
    supervisor, session
):
    response = supervisor.post(
        "/console/suppliers/new?lang=en",
        {
            "code": "S0",
            "name": "Zero",
            "qc_required": "1",
            "qc_sample_pct": "0",
        },
    )

    assert response.status_code == 422
    assert '<small class="error" id="e-qc_sample_pct">must be above zero</small>' in response.text
    assert count(session, Partner) == 0
    assert supervisor.get("/console/suppliers/999").status_code == 404


def _report(dock: Dock, order: PurchaseOrder, sku: str, qty: int) -> int:
    with dock.factory() as s, s.begin():
        return unexpected_items.report(
            s, order_id=order.id, item_id=dock.floor.item(sku).id, qty=Decimal(qty), uom="each"
        ).id


def test_an_unexpected_item_is_accepted_onto_its_order_or_rejected(supervisor, floor, session):
    dock = Dock(floor)
    order = dock.order("PO-1", [("SKU-A", 10)])
    extra = _report(dock, order, "SKU-X", 3)
    wrong = _report(dock, order, "SKU-LOT", 1)

    pending = supervisor.page("/console/unexpected-items")
    accepted = supervisor.post(
        f"/console/unexpected-items/{extra}/decision",
        {"decision": "accept", "note": "ordered by phone"},
    )
    rejected = supervisor.post(
        f"/console/unexpected-items/{wrong}/decision", {"decision": "reject"}
    )
    again = supervisor.post(
        f"/console/unexpected-items/{wrong}/decision?lang=en",
        {"decision": "accept"},
        follow_redirects=True,
    )

    assert "SKU-X" in pending and "SKU-LOT" in pending
    assert accepted.status_code == rejected.status_code == 302
    statuses = {i: s for i, s in session.execute(select(UnexpectedItem.id, UnexpectedItem.status))}
    assert statuses == {extra: DecisionStatus.accepted, wrong: DecisionStatus.refused}
    lines = session.scalars(select(PurchaseOrderLine).order_by(PurchaseOrderLine.line_no)).all()
    assert [(ln.item.sku, ln.added_by_decision) for ln in lines] == [
        ("SKU-A", False),
        ("SKU-X", True),
    ]
    assert any("already" in m for m in flash_text(again.text))
    assert "SKU-X" not in supervisor.page("/console/unexpected-items")
    session.close()
    dock.ledger_ok()


def test_a_decision_must_be_accept_or_reject(supervisor, floor, session):
    dock = Dock(floor)
    order = dock.order("PO-1", [("SKU-A", 10)])
    extra = _report(dock, order, "SKU-X", 3)

    response = supervisor.post(f"/console/unexpected-items/{extra}/decision", {"decision": "x"})
    forged = supervisor.post(
        f"/console/unexpected-items/{extra}/decision", {"decision": "accept"}, csrf=False
    )

    assert response.status_code == 400 and forged.status_code in (400, 403)
    assert session.get(UnexpectedItem, extra).status is DecisionStatus.pending


def test_every_inbound_console_text_has_a_chinese_translation():
    root = Path(__file__).resolve().parents[2] / "wms"
    texts = set()
    for template in (root / "web/templates/console/inbound").glob("*.html"):
        texts |= set(re.findall(r"_\('([^']+)'\)", template.read_text(encoding="utf-8")))
    code = (root / "web/console/inbound.py").read_text(encoding="utf-8")
    texts |= set(re.findall(r'gettext\("([^"]+)"\)', code))
    texts |= {s.value for s in PurchaseOrderStatus} | {"must be between 0 and 100"}
    catalog = (root / "translations/zh_Hans_CN/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    translated = set(re.findall(r'^msgid "(.+)"\nmsgstr "(?:.+)"$', catalog, re.M))

    assert len(texts) > 40
    assert sorted(texts - translated) == []


def test_the_inbound_pages_speak_chinese(supervisor, floor):
    Dock(floor).order("PO-1", [("SKU-A", 10)])

    listing = supervisor.page("/console/purchase-orders?lang=zh_Hans_CN")
    bad = supervisor.post(
        "/console/suppliers/new?lang=zh_Hans_CN",
        {"code": "S1", "name": "S", "over_tolerance_pct": "101"},
    )

    assert "采购订单" in listing and "未开始" in listing
    assert "必须在 0 到 100 之间" in bad.text
