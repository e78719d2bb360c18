"""Alembic wiring: env.py autogenerates from the models and upgrades both databases."""

import shutil

from alembic import command
from sqlalchemy import inspect, text

from wms import schema
from wms.db import make_engine
from wms.model import Base


def _migrations_with_initial_revision(tmp_path, url):
    folder = tmp_path / "migrations"
    (folder / "versions").mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        shutil.copy(schema.MIGRATIONS / name, folder / name)
    config = schema.alembic_config(url, folder)
    command.revision(config, message="initial", autogenerate=True, rev_id="0001")
    return folder


def test_env_autogenerates_and_upgrades_sqlite_then_drops_everything(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    folder = _migrations_with_initial_revision(tmp_path, url)
    engine = make_engine(url)

    message = schema.upgrade(engine, migrations=folder)

    assert message == "database upgraded to head"
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.scalar(text("select version_num from alembic_version")) == "0001"
    schema.drop_everything(engine)
    assert inspect(engine).get_table_names() == []


def test_env_upgrades_postgresql(tmp_path, pg):
    with pg.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    url = pg.url.render_as_string(hide_password=False)
    folder = _migrations_with_initial_revision(tmp_path, url)

    try:
        schema.upgrade(pg, migrations=folder)

        assert set(Base.metadata.tables) <= set(inspect(pg).get_table_names())
    finally:
        schema.drop_everything(pg)
        Base.metadata.create_all(pg)
