"""The PostgreSQL pool keeps the statements psycopg prepared: hot connections first, reads
that never roll back (see "Databases" in docs/architecture.md)."""

from __future__ import annotations

from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, select, text

from wms.db import make_engine, make_session_factory, reader
from wms.model import Warehouse
from wms.services import masterdata


def backend_pid(conn) -> int:
    return conn.execute(text("select pg_backend_pid()")).scalar_one()


def test_the_pool_hands_out_the_connection_returned_last(pg: Engine):
    engine = make_engine(pg.url.render_as_string(hide_password=False), pool_size=3)
    try:
        first, second = engine.connect(), engine.connect()
        first_pid, second_pid = backend_pid(first), backend_pid(second)
        first.close()
        second.close()  # returned last

        with engine.connect() as again:
            assert backend_pid(again) == second_pid != first_pid
    finally:
        engine.dispose()


def test_a_read_through_the_reader_leaves_nothing_to_roll_back_on_postgresql(pg: Engine):
    factory = make_session_factory(pg)
    with factory() as s, s.begin():
        masterdata.create_warehouse(s, code="WH1", name="Main")

    with factory(bind=reader(pg)) as s:
        found = s.scalars(select(Warehouse.code)).all()
        driver = s.connection().connection.driver_connection
        status = driver.info.transaction_status

    assert found == ["WH1"]
    # No transaction is open after the read, so closing the session sends no ROLLBACK
    # (at which psycopg would forget every statement it prepared on the connection).
    assert status == TransactionStatus.IDLE
