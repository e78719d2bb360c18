"""PostgreSQL under load: one quant hit by many threads, one key posted by many threads."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Erp
from tests.factories import Floor
from wms.app import create_app
from wms.db import make_session_factory
from wms.errors import ReservationExceeded
from wms.model import Quant, StockMove
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import ledger
from wms.services.access import SCOPES, create_api_key
from wms.settings import ApiSettings, DeviceSettings, Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_floor(pg) -> Floor:
    return Floor(make_session_factory(pg))


@pytest.fixture
def pg_app(pg, tmp_path):
    settings = Settings(
        database_url=pg.url.render_as_string(hide_password=False),
        testing=True,
        log_level="WARNING",
        devices=DeviceSettings(spool_dir=str(tmp_path), start_workers=False),
        api=ApiSettings(start_webhook_worker=False),
    )
    return create_app(settings, engine=pg)


@pytest.fixture
def pg_key(pg_floor) -> str:
    with pg_floor.factory() as s, s.begin():
        return create_api_key(s, name="erp", scopes=SCOPES)[1]


def all_at_once(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released together; return the results in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def moves(floor: Floor) -> int:
    with floor.factory() as s:
        return s.scalar(select(func.count()).select_from(StockMove)) or 0


def test_twenty_posts_of_one_key_at_once_make_one_move(pg_app, pg_floor, pg_key):
    pg_floor.stock("SKU-1", "A-01-01-1", 100)
    pg_floor.location("B-01-01-1")
    body = {
        "sku": "SKU-1",
        "qty": "1",
        "from_location": "A-01-01-1",
        "to_location": "B-01-01-1",
        "reason": "transfer",
    }

    def post(_i: int):
        response = Erp(pg_app.test_client(), pg_key).post("/stock-moves", body, key="same-key")
        return response.status_code, response.get_data()

    results = all_at_once(20, post)

    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {201, 409}, statuses
    assert len({data for status, data in results if status == 201}) == 1
    assert moves(pg_floor) == 2  # the receipt and exactly one API move
    assert pg_floor.on_hand("SKU-1", "B-01-01-1") == 1


def test_twenty_posts_of_one_key_at_once_all_get_the_one_moves_answer(pg_app, pg_floor, pg_key):
    pg_floor.stock("SKU-1", "A-01-01-1", 100)
    pg_floor.location("B-01-01-1")
    body = {
        "sku": "SKU-1",
        "qty": "1",
        "from_location": "A-01-01-1",
        "to_location": "B-01-01-1",
        "reason": "transfer",
    }

    def post(_i: int):
        response = Erp(pg_app.test_client(), pg_key).post("/stock-moves", body, key="same-key")
        replayed = response.headers.get("Idempotent-Replayed")
        return response.status_code, response.get_data(), replayed

    results = all_at_once(20, post)

    # The claim is part of the first request's transaction: the others wait for it, then replay.
    assert {status for status, _, _ in results} == {201}
    assert len({data for _, data, _ in results}) == 1
    assert sum(replayed == "true" for _, _, replayed in results) == 19
    assert pg_floor.on_hand("SKU-1", "B-01-01-1") == 1


def test_fifty_threads_reserving_and_moving_one_quant_never_oversell(pg_app, pg_floor, pg_key):
    quant = pg_floor.stock("SKU-1", "A-01-01-1", 100)
    pg_floor.location("B-01-01-1")
    body = {
        "sku": "SKU-1",
        "qty": "3",
        "from_location": "A-01-01-1",
        "to_location": "B-01-01-1",
        "reason": "transfer",
    }

    def work(i: int) -> str:
        if i % 2:
            return str(Erp(pg_app.test_client(), pg_key).post("/stock-moves", body).status_code)
        try:
            with pg_floor.factory() as s, s.begin():
                ledger.reserve(
                    s, quant_id=quant.id, qty=Decimal(3), owner_type="order", owner_id=f"SO-{i}"
                )
            return "reserved"
        except ReservationExceeded:
            return "refused"

    outcome = Counter(all_at_once(50, work))

    assert set(outcome) <= {"201", "409", "reserved", "refused"}, outcome
    with pg_floor.factory() as s:
        q = s.get(Quant, quant.id)
        assert q is not None
        assert q.on_hand == 100 - 3 * outcome["201"]
        assert q.reserved == 3 * outcome["reserved"]
        assert 0 <= q.reserved <= q.on_hand
        assert ledger_discrepancies(s) == []
    assert outcome["201"] + outcome["reserved"] == 33  # 99 of 100 taken, 3 at a time


def test_the_feed_waits_for_a_line_that_commits_late(pg_app, pg_floor, pg_key):
    from wms.services.stock import MoveSpec, post_coded_moves

    pg_floor.item("SKU-1")
    pg_floor.location("A-01-01-1")
    pg_floor.location("A-01-01-2")
    erp = Erp(pg_app.test_client(), pg_key)
    receipt = MoveSpec(
        sku="SKU-1",
        qty=Decimal(1),
        from_location="SUPPLIER",
        to_location="A-01-01-1",
        reason="receipt",
        warehouse="WH1",
    )
    slow = pg_floor.factory()
    slow.begin()
    post_coded_moves(slow, [receipt], may_access=lambda _w: True, default_warehouse="WH1")

    pg_floor.stock("SKU-1", "A-01-01-2", 2)  # a later id, committed first
    while_open = erp.get("/stock-moves").get_json()
    slow.commit()
    slow.close()
    after = erp.get("/stock-moves", cursor=while_open["next_cursor"]).get_json()

    assert while_open["items"] == []
    assert [m["qty"] for m in after["items"]] == ["1", "2"]
