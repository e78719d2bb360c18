"""Test databases: every database test runs on SQLite and on PostgreSQL.

WMS_TEST_BACKENDS picks the backends (default "sqlite,postgresql").
WMS_TEST_POSTGRES_URL points at the PostgreSQL database the suite may wipe
(default: the local ``test`` database). A PostgreSQL test that cannot reach
the server fails; it never skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import wms.model  # noqa: F401  (registers every table)
from tests.factories import Floor
from wms.db import make_engine, make_session_factory
from wms.model import Base

BACKENDS = [b.strip() for b in os.environ.get("WMS_TEST_BACKENDS", "sqlite,postgresql").split(",")]
PG_URL = os.environ.get(
    "WMS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: Under pytest-xdist each worker wipes its own database: <name>_gw0, <name>_gw1 ...
if os.environ.get("PYTEST_XDIST_WORKER"):
    _url = make_url(PG_URL)
    PG_URL = _url.set(
        database=f"{_url.database}_{os.environ['PYTEST_XDIST_WORKER']}"
    ).render_as_string(hide_password=False)


def ensure_pg_database(url: str) -> None:
    """Create the test database if it does not exist; fail loudly if the server is down."""
    target = make_url(url)
    admin = make_engine(
        target.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
        pool_size=1,
    )
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("select 1 from pg_database where datname = :n"), {"n": target.database}
            )
            if not exists:
                conn.execute(text(f'create database "{target.database}"'))
    except Exception as exc:  # pragma: no cover - the message is the point
        pytest.fail(
            f"PostgreSQL is required and not reachable at {target.host}:{target.port}: {exc}"
        )
    finally:
        admin.dispose()


def reset_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    Base.metadata.create_all(engine)


def wipe(engine: Engine) -> None:
    """Empty every table and restart the ids.

    DELETE in reverse dependency order: on small test tables it takes a few
    ms where TRUNCATE (file operations per table) took most of a second.
    """
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        sequences = conn.scalars(
            text("select sequencename from pg_sequences where schemaname = 'public'")
        ).all()
        for name in sequences:
            conn.execute(text(f'alter sequence "{name}" restart'))


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    ensure_pg_database(PG_URL)
    engine = make_engine(PG_URL)
    reset_schema(engine)
    yield engine
    engine.dispose()


def _sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'wms.sqlite3'}")
    Base.metadata.create_all(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A clean database, once per backend."""
    if request.param == "sqlite":
        eng = _sqlite_engine(tmp_path)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        yield eng
        wipe(eng)


@pytest.fixture
def pg(pg_engine: Engine) -> Iterator[Engine]:
    """PostgreSQL only: locking and concurrency tests."""
    yield pg_engine
    wipe(pg_engine)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = _sqlite_engine(tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture
def floor(session_factory: sessionmaker[Session]) -> Floor:
    """A warehouse builder: ``floor.location("A-01-01-1")``, ``floor.stock(...)``."""
    return Floor(session_factory)


@pytest.fixture
def settings(engine: Engine, tmp_path: Path):
    from wms.settings import ApiSettings, DeviceSettings, Settings

    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key="test-secret",
        testing=True,
        log_level="WARNING",
        devices=DeviceSettings(spool_dir=str(tmp_path / "spool"), start_workers=False),
        api=ApiSettings(start_webhook_worker=False),
    )


@pytest.fixture
def app(settings, engine: Engine):
    """The whole application on the test database, workers not started."""
    from wms.app import create_app

    return create_app(settings, engine=engine)


@pytest.fixture
def client(app):
    return app.test_client()


CHROMIUM = os.environ.get("WMS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A PDA set up by the customer allows sound without a tap first (see docs/terminal.md).
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def chromium():
    """One real Chromium for the whole run: Playwright's sync API starts once per process.

    A browser test that cannot launch Chromium fails; it never skips.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
