"""A scan step on PostgreSQL sends its BEGIN with its first statement and its COMMIT with its
last, and every way a step can end gives the pooled connection back as it came."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, func, select

from benchmarks.step_profile import Trips
from tests.factories import Floor
from tests.flowterm import Terminal
from tests.taskfloor import person
from wms.db import make_engine, make_session_factory
from wms.flows import runner
from wms.model import FlowSession, StockMove


@pytest.fixture
def traced(pg: Engine):
    """A floor on an engine of its own whose round trips are counted."""
    engine = make_engine(pg.url.render_as_string(hide_password=False), pool_size=2)
    trips = Trips()
    trips.install(engine)
    floor = Floor(make_session_factory(engine))
    floor.item("SKU-1", name="Widget")
    floor.stock("SKU-1", "A-01-01-1", 10)
    floor.location("B-01-01-1")
    yield floor, trips, engine
    engine.dispose()


def back_in_the_pool_as_it_came(engine: Engine) -> None:
    with engine.connect() as conn:  # the pool hands out the connection returned last
        driver = conn.connection.driver_connection
        assert driver.autocommit is False
        assert driver.info.transaction_status == TransactionStatus.IDLE


def test_a_scan_step_is_two_round_trips_begin_with_the_lock_and_commit_with_the_save(traced):
    floor, trips, engine = traced
    pda = Terminal(floor, person(floor, "ann"))
    pda.start()
    trips.take()

    pda.scan("A-01-01-1")
    count, sent = trips.take()

    assert count == 2
    assert sent[0] == "BEGIN" and sent[1].startswith("SELECT u.active, u.role")  # the lock
    assert sent[-2].startswith("WITH seen AS") and sent[-1] == "COMMIT"
    back_in_the_pool_as_it_came(engine)


def test_a_moved_unit_is_committed_whole_and_the_connection_comes_back_clean(traced):
    floor, _trips, engine = traced
    pda = Terminal(floor, person(floor, "ann"))
    pda.start()

    done = pda.scan("A-01-01-1", "SKU-1", "4", "B-01-01-1")

    assert done["done"] is True
    assert floor.on_hand("SKU-1", "A-01-01-1") == 6
    assert floor.on_hand("SKU-1", "B-01-01-1") == 4
    back_in_the_pool_as_it_came(engine)


def test_a_refused_scan_rolls_back_and_the_connection_comes_back_clean(traced):
    floor, _trips, engine = traced
    pda = Terminal(floor, person(floor, "ann"))
    pda.start()
    before = pda.last

    refused = pda.scan("NO-SUCH-PLACE")

    assert refused["message"]["level"] == "error"
    assert (refused["seq"], refused["state"]) == (before["seq"], before["state"])
    back_in_the_pool_as_it_came(engine)


def test_a_repeated_scan_answers_the_stored_screen_and_the_connection_comes_back_clean(traced):
    floor, _trips, engine = traced
    pda = Terminal(floor, person(floor, "ann"))
    pda.start()
    first = pda.step("A-01-01-1", request_id="r-1")

    again = pda.step("A-01-01-1", request_id="r-1", seq=first["seq"] - 1)

    assert again == first
    back_in_the_pool_as_it_came(engine)


def test_a_step_that_fails_mid_way_leaves_nothing_and_the_connection_comes_back_clean(
    traced, monkeypatch
):
    floor, _trips, engine = traced
    pda = Terminal(floor, person(floor, "ann"))
    pda.start()
    pda.scan("A-01-01-1", "SKU-1", "4")

    def broken(*args, **kwargs):
        raise RuntimeError("the save never ran")

    monkeypatch.setattr(runner, "_save", broken)
    with pytest.raises(RuntimeError):
        pda.scan("B-01-01-1")

    assert floor.on_hand("SKU-1", "A-01-01-1") == 10
    with floor.factory() as s:
        assert s.scalar(select(func.count()).select_from(StockMove)) == 1  # the receipt only
        fs = s.get(FlowSession, pda.fs)
        assert fs is not None and fs.state == "scan_destination"
    back_in_the_pool_as_it_came(engine)
