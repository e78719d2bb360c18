"""GET /api/v1/ledger-check: the ERP proves the stock equals the ledger, as check-ledger does."""

from __future__ import annotations

from sqlalchemy import update

from tests.api.conftest import assert_problem
from wms.model import Quant


def test_a_true_book_answers_ok_with_its_counts(erp, floor):
    floor.item("SKU-1")
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.stock("SKU-1", "B-01-01-1", 5)

    answer = erp.get("/ledger-check")

    assert answer.status_code == 200
    assert answer.get_json() == {"ok": True, "quants": 2, "moves": 2, "discrepancies": []}


def test_a_quant_changed_behind_the_ledgers_back_is_reported(erp, floor):
    floor.item("SKU-1")
    floor.stock("SKU-1", "A-01-01-1", 10)
    with floor.factory() as s, s.begin():
        s.execute(update(Quant).values(on_hand=11))

    body = erp.get("/ledger-check").get_json()

    assert body["ok"] is False
    (problem,) = body["discrepancies"]
    assert "on hand differs from the ledger" in problem["problem"]
    assert (problem["expected"], problem["actual"]) == ("10", "11")


def test_the_check_needs_the_stock_read_scope(erp_as):
    assert_problem(erp_as(scopes=["master:read"]).get("/ledger-check"), 403)
