"""Migrations: upgrade to head gives exactly the models' schema; downgrade leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, ensure_pg_database
from wms import schema as migrate
from wms.db import make_engine
from wms.model import Base


def _fresh_engine(backend: str, tmp_path: Path) -> Engine:
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")
    url = make_url(PG_URL)
    url = url.set(database=f"{url.database}_migrations")
    rendered = url.render_as_string(hide_password=False)
    ensure_pg_database(rendered)
    engine = make_engine(rendered)
    with engine.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    return engine


def _differences(engine: Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(backend, tmp_path):
    engine = _fresh_engine(backend, tmp_path)
    try:
        migrate.upgrade(engine)

        assert _differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert {"stock_move", "quant", "location", "item"} <= tables

        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(engine)
        assert _differences(engine) == []
    finally:
        engine.dispose()
