"""The wms command, run as an operator would, on a temporary SQLite file (and PostgreSQL)."""

import sys

import flask_socketio
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import inspect, update

from wms import cli
from wms.db import make_engine, make_session_factory
from wms.model import Base, Quant
from wms.services import access


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2's production cost makes each demo user take a second on a shared CPU."""
    monkeypatch.setattr(
        access, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def wms(url, *args):
    result = CliRunner().invoke(cli.main, ["--database-url", url, *args])
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), result.exception
    return result


def demo(url, *extra):
    return wms(url, "demo", "--locations", "60", "--items", "10", *extra)


def test_demo_on_an_empty_database_prints_urls_logins_and_key(db_url):
    result = demo(db_url)

    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/console/" in result.output
    assert "http://127.0.0.1:5000/t/" in result.output
    for username in ("operator1", "supervisor1", "admin"):
        assert username in result.output
    key = result.output.split("(all scopes): ")[1].strip()
    with make_session_factory(make_engine(db_url))() as s:
        assert access.authenticate_api_key(s, key).name == "demo-erp"


def test_demo_twice_explains_reset_and_reset_rebuilds(db_url):
    demo(db_url)

    again = demo(db_url)
    reset = demo(db_url, "--reset", "--seed", "2")

    assert again.exit_code == 1
    assert "--reset" in again.output
    assert reset.exit_code == 0, reset.output


def test_demo_if_empty_on_a_built_demo_prints_logins_and_a_working_fresh_key(db_url):
    first = demo(db_url, "--if-empty")
    old_key = first.output.split("(all scopes): ")[1].strip()

    again = demo(db_url, "--if-empty")

    assert again.exit_code == 0, again.output
    assert "already built" in again.output and "supervisor1" in again.output
    new_key = again.output.split("(all scopes): ")[1].strip()
    with make_session_factory(make_engine(db_url))() as s:
        assert access.authenticate_api_key(s, new_key).name == "demo-erp"
        with pytest.raises(access.AuthenticationFailed):
            access.authenticate_api_key(s, old_key)


def test_check_ledger_after_demo_is_ok(db_url):
    demo(db_url)

    result = wms(db_url, "check-ledger")

    assert result.exit_code == 0
    assert result.output.startswith("ledger OK: ")
    assert "quants" in result.output and "moves" in result.output


def _tamper_and_check(url):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(Quant).where(Quant.id == 1).values(on_hand=Quant.on_hand + 1))
    engine.dispose()
    return wms(url, "check-ledger")


def test_check_ledger_lists_discrepancies_and_fails(db_url):
    demo(db_url)

    result = _tamper_and_check(db_url)

    assert result.exit_code == 1
    assert "on hand differs from the ledger" in result.output


def test_check_ledger_on_postgresql(pg):
    url = pg.url.render_as_string(hide_password=False)
    assert wms(url, "demo", "--locations", "60", "--items", "10").exit_code == 0
    assert wms(url, "check-ledger").exit_code == 0

    result = _tamper_and_check(url)

    assert result.exit_code == 1
    assert "on hand differs" in result.output


def test_db_upgrade_creates_the_schema(db_url):
    result = wms(db_url, "db", "upgrade")

    assert result.exit_code == 0, result.output
    tables = set(inspect(make_engine(db_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_create_user_with_badge_pin_skills_and_warehouse(db_url):
    demo(db_url)

    result = wms(
        db_url,
        "create-user",
        "picker7",
        "--pin",
        "4321",
        "--badge",
        "B-7",
        "--skills",
        "picking,packing",
        "--warehouse",
        "WH1",
    )

    assert result.exit_code == 0, result.output
    with make_session_factory(make_engine(db_url))() as s, s.begin():
        user = access.login_with_badge(s, badge="B-7")
        assert (user.username, user.skills) == ("picker7", ["packing", "picking"])
        assert [w.code for w in user.warehouses] == ["WH1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["operator1", "--pin", "1234"], "already exists"),
        (["picker8", "--pin", "12"], "pin"),
        (["picker8", "--pin", "1234", "--skills", "juggling"], "juggling"),
        (["picker8", "--pin", "1234", "--warehouse", "NOPE"], "NOPE"),
    ],
)
def test_create_user_bad_input_is_a_clear_message(db_url, args, message):
    demo(db_url)

    result = wms(db_url, "create-user", *args)

    assert result.exit_code == 1
    assert message in result.output


def test_create_user_without_any_credential_is_a_usage_error(db_url):
    result = wms(db_url, "create-user", "picker9")

    assert result.exit_code == 2
    assert "--password" in result.output


def test_create_api_key_prints_the_key_once_and_it_works(db_url):
    demo(db_url)

    result = wms(
        db_url,
        "create-api-key",
        "erp",
        "--scope",
        "orders:read",
        "--scope",
        "stock:read",
        "--warehouse",
        "WH1",
    )

    assert result.exit_code == 0, result.output
    key = result.output.split("key (shown once): ")[1].strip()
    with make_session_factory(make_engine(db_url))() as s:
        client = access.authenticate_api_key(s, key)
        assert client.scopes == ["orders:read", "stock:read"]


def test_create_api_key_with_an_unknown_scope_fails_clearly(db_url):
    wms(db_url, "db", "upgrade")

    result = wms(db_url, "create-api-key", "erp", "--scope", "everything:write")

    assert result.exit_code == 1
    assert "everything:write" in result.output


def test_unreachable_database_is_a_message_not_a_traceback():
    result = wms("postgresql+psycopg://nobody@127.0.0.1:1/none", "check-ledger")

    assert result.exit_code == 1
    assert "database error" in result.output


def test_serve_prod_execs_gunicorn_with_one_gevent_worker(db_url, monkeypatch):
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: calls.append((path, argv)))
    monkeypatch.setattr(flask_socketio.SocketIO, "run", lambda *a, **k: None)

    result = wms(db_url, "serve", "--prod", "--host", "0.0.0.0", "--port", "9000")

    assert result.exit_code == 0, result.output
    ((path, argv),) = calls
    assert path == sys.executable
    assert argv[1:3] == ["-m", "gunicorn"]
    assert "-k gevent -w 1 --worker-connections 2000 --bind 0.0.0.0:9000 wms.wsgi:app" in " ".join(
        argv
    )
    assert result.output.startswith("gunicorn -k gevent")


def test_serve_embedded_runs_socketio_in_threading_mode(db_url, monkeypatch):
    runs = []
    monkeypatch.setattr(
        flask_socketio.SocketIO, "run", lambda self, app, **kw: runs.append((self.async_mode, kw))
    )
    wms(db_url, "db", "upgrade")

    result = wms(db_url, "serve", "--port", "8123")

    assert result.exit_code == 0, result.output
    ((mode, kw),) = runs
    assert mode == "threading"
    assert (kw["host"], kw["port"]) == ("127.0.0.1", 8123)
