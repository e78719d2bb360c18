"""Creating and upgrading the database schema with Alembic, for the CLI.

The migrations folder sits at the project root (``migrations/``); the
database URL comes from the caller's settings, not from an alembic.ini.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from wms.model import Base
from wms.settings import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"


def alembic_config(url: str, migrations: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    # ConfigParser interpolates '%': a password with '%' must survive.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head", migrations: Path = MIGRATIONS) -> str:
    """Bring the schema to ``revision``; returns what was done, for the operator."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url, migrations)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return f"database upgraded to {revision}"


def downgrade(engine: Engine, revision: str = "base", migrations: Path = MIGRATIONS) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False), migrations)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def is_empty(engine: Engine) -> bool:
    """No table of ours exists yet."""
    existing = set(inspect(engine).get_table_names())
    return not existing & set(Base.metadata.tables)


def drop_everything(engine: Engine) -> None:
    """Drop our tables and Alembic's version table: ``wms demo --reset``."""
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
