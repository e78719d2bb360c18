"""Alembic environment: the models' metadata and the URL from wms settings.

``wms db upgrade`` passes the URL in the Alembic config; the plain
``alembic`` command falls back to ``load_settings()`` (config/*.toml and
WMS_* variables). SQLite cannot ALTER most things, so migrations run in
batch mode there.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlalchemy.types import TypeDecorator

import wms.model  # noqa: F401  (registers every table)
from wms.model import Base
from wms.settings import load_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_settings().database_url


def _render_item(type_: str, obj: Any, autogen_context: Any) -> Literal[False]:
    """Our column types (exact quantities, UTC timestamps) need their module imported."""
    if type_ == "type" and isinstance(obj, TypeDecorator) and obj.__module__.startswith("wms."):
        autogen_context.imports.add(f"import {obj.__module__}")
    return False  # and the default rendering


def _configure(*, sqlite: bool, **kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        render_item=_render_item,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    url = _url()
    _configure(
        sqlite=url.startswith("sqlite"),
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    _configure(sqlite=connection.dialect.name == "sqlite", connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by a caller (tests, wms db upgrade)
        _run_with(connection)
        return
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = _url()
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run_with(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
