"""The ``wms`` command: serve, migrate, build the demo, manage users and keys, check the ledger.

Each command owns its transaction. Bad input and expected failures print a
clear message and exit non-zero (1 for failures, 2 for usage); a
traceback means a bug. Settings come from ``config/*.toml`` and WMS_*
variables, or ``--database-url``.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from wms.errors import ValidationFailed, WmsError
from wms.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
#: gevent worker connections: one gevent worker held 8,000 websockets when measured.
WORKER_CONNECTIONS = 2000


class Env:
    """Settings and the engine, built on first use so ``--help`` needs no database."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            settings = load_settings()
            if self.database_url:
                settings = settings.with_overrides(database_url=self.database_url)
            self._settings = settings
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from wms.db import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The command's one unit of work."""
        from wms.db import make_session_factory

        with make_session_factory(self.engine)() as session, session.begin():
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def clean_errors(fn: F) -> F:
    """Expected failures become one line on stderr and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationFailed as exc:
            lines = [f"  {e.field}: {e.message}" for e in exc.errors]
            raise click.ClickException("invalid input:\n" + "\n".join(lines)) from None
        except WmsError as exc:
            raise click.ClickException(exc.detail) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"database error: {reason}") from None

    return wrapper  # type: ignore[return-value]


pass_env = click.make_pass_decorator(Env)


@click.group()
@click.option(
    "--database-url", envvar="WMS_DATABASE_URL", help="Overrides the configured database URL."
)
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """Scanner-first warehouse execution system."""
    ctx.obj = ctx.with_resource(_closing(Env(database_url)))


@contextmanager
def _closing(env: Env) -> Iterator[Env]:
    try:
        yield env
    finally:
        env.close()


# -- serve ------------------------------------------------------------------


def gunicorn_argv(host: str, port: int) -> list[str]:
    """The production server: one gevent worker per process, see architecture.md."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-k",
        "gevent",
        "-w",
        "1",
        "--worker-connections",
        str(WORKER_CONNECTIONS),
        "--bind",
        f"{host}:{port}",
        "wms.wsgi:app",
    ]


@main.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option("--prod", is_flag=True, help="Run gunicorn with gevent instead (PostgreSQL).")
@pass_env
@clean_errors
def serve(env: Env, host: str, port: int, prod: bool) -> None:
    """Run the server: embedded (threading, fine with SQLite) or --prod (gunicorn + gevent)."""
    if prod:
        argv = gunicorn_argv(host, port)
        click.echo(" ".join(argv[2:]))
        sys.stdout.flush()
        os.execv(argv[0], argv)  # replaces this process; returns only in tests
        return
    from wms.app import create_app

    # sqlite3 blocks a gevent hub, so the embedded server always runs threads.
    settings = env.settings.with_overrides(socketio={"async_mode": "threading"})
    app = create_app(settings, engine=env.engine)
    click.echo(f"serving on http://{host}:{port}/ (embedded, threading)")
    app.extensions["wms"].socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


# -- database ---------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_env
@clean_errors
def db_upgrade(env: Env, revision: str) -> None:
    """Apply Alembic migrations up to REVISION."""
    from wms import schema

    click.echo(schema.upgrade(env.engine, revision))


@main.command("check-ledger")
@pass_env
@clean_errors
def check_ledger(env: Env) -> None:
    """Prove quants equal the sum of moves; exit 1 and list every discrepancy if not."""
    from wms.model import Quant, StockMove
    from wms.queries.ledger_check import ledger_discrepancies

    with env.transaction() as session:
        problems = ledger_discrepancies(session)
        quants = session.scalar(select(func.count()).select_from(Quant))
        moves = session.scalar(select(func.count()).select_from(StockMove))
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"ledger check FAILED: {len(problems)} discrepancies", err=True)
        sys.exit(1)
    click.echo(f"ledger OK: {quants} quants, {moves} moves")


# -- demo -------------------------------------------------------------------


@main.command()
@click.option("--locations", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--items", default=200, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Drop every table first (destroys all data).")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Build only if the demo is missing; otherwise print the logins and a fresh demo API key.",
)
@click.option("--base-url", default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}", show_default=True)
@click.option(
    "--open-work/--no-open-work",
    default=True,
    show_default=True,
    help="Seed a working day's purchase orders, sales orders and tasks.",
)
@pass_env
@clean_errors
def demo(
    env: Env,
    locations: int,
    items: int,
    seed: int,
    reset: bool,
    if_empty: bool,
    base_url: str,
    open_work: bool,
) -> None:
    """Build the demo warehouse WH1 and print how to log in."""
    from wms import schema
    from wms.model import Warehouse
    from wms.services.demo import WAREHOUSE_CODE, build_demo

    if reset:
        schema.drop_everything(env.engine)
    if reset or schema.is_empty(env.engine):
        click.echo(schema.upgrade(env.engine))
    with env.transaction() as session:
        if session.scalar(select(Warehouse.id).where(Warehouse.code == WAREHOUSE_CODE)):
            if if_empty:
                _print_existing_demo(session, base_url.rstrip("/"))
                return
            raise click.ClickException(
                f"warehouse {WAREHOUSE_CODE} already exists; use --reset to rebuild the demo"
            )
        result = build_demo(
            session, locations=locations, items=items, seed=seed, open_work=open_work
        )
    _print_demo(result, base_url.rstrip("/"))


def _print_existing_demo(session: Any, base_url: str) -> None:
    """The demo is there already: show how to log in, with a freshly rotated API key."""
    from wms.services import access
    from wms.services.demo import DEMO_API_CLIENT, DEMO_LOGINS

    _, key = access.rotate_api_key(session, name=DEMO_API_CLIENT)
    click.echo("demo warehouse already built (wms demo --reset rebuilds it)")
    _print_access(DEMO_LOGINS, key, base_url)


def _print_demo(result: Any, base_url: str) -> None:
    stock = result.stock
    click.echo(
        f"demo warehouse {result.warehouse_code}: {result.locations} locations,"
        f" {result.items} items, {stock.lots} lots, {stock.serials} serials,"
        f" {stock.containers} pallets, {stock.moves} opening moves"
    )
    day = result.day
    if day is not None:
        click.echo(
            f"open work: {day.purchase_orders} purchase orders, {day.sales_orders} sales orders"
            f" ({day.held_orders} held for review), {day.count_tasks} count tasks,"
            f" {day.replenish_tasks} replenish tasks, {day.pick_faces} pick faces with min/max"
        )
    _print_access(result.logins, result.api_key, base_url)


def _print_access(logins: Any, api_key: str, base_url: str) -> None:
    click.echo(f"console:  {base_url}/console/")
    click.echo(f"terminal: {base_url}/t/")
    click.echo("demo logins:")
    for login in logins:
        secrets = [
            f"{label} {value}"
            for label, value in (
                ("password", login.password),
                ("PIN", login.pin),
                ("badge", login.badge),
            )
            if value
        ]
        click.echo(f"  {login.role.value:<10} {login.username:<12} " + ", ".join(secrets))
    click.echo(f"demo API key (all scopes): {api_key}")


# -- users and API keys -----------------------------------------------------


def _warehouses(session: Session, codes: tuple[str, ...]) -> list[Any]:
    from wms.model import Warehouse

    found = list(session.scalars(select(Warehouse).where(Warehouse.code.in_(codes))))
    missing = sorted(set(codes) - {w.code for w in found})
    if missing:
        raise click.ClickException(f"unknown warehouse(s): {', '.join(missing)}")
    return found


def _split(values: tuple[str, ...]) -> list[str]:
    """``--skills a,b --skills c`` and ``--skills a b`` alike."""
    return [part for value in values for part in value.replace(",", " ").split()]


@main.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["operator", "supervisor", "admin"]), default="operator")
@click.option("--password", help="For the console.")
@click.option("--pin", help="4 to 8 digits, for the terminal.")
@click.option("--badge", help="Badge barcode; stored only as a hash.")
@click.option("--skills", multiple=True, help="Comma-separated: picking,putaway,...")
@click.option("--warehouse", "warehouse_codes", multiple=True, help="Warehouse code (repeat).")
@click.option("--name", "display_name", help="Display name (defaults to USERNAME).")
@pass_env
@clean_errors
def create_user(
    env: Env,
    username: str,
    role: str,
    password: str | None,
    pin: str | None,
    badge: str | None,
    skills: tuple[str, ...],
    warehouse_codes: tuple[str, ...],
    display_name: str | None,
) -> None:
    """Create a user who signs in with a password, a PIN or a badge."""
    from wms.model import Role
    from wms.services.access import create_user as create

    if not (password or pin or badge):
        raise click.UsageError("give at least one of --password, --pin, --badge")
    with env.transaction() as session:
        user = create(
            session,
            username=username,
            display_name=display_name,
            role=Role(role),
            password=password,
            pin=pin,
            badge=badge,
            skills=_split(skills),
            warehouses=_warehouses(session, warehouse_codes),
        )
        click.echo(f"created {user.role.value} {user.username} (id {user.id})")


@main.command("create-api-key")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, help="Scope (repeat), or 'all'.")
@click.option("--warehouse", "warehouse_codes", multiple=True, help="Limit to warehouse (repeat).")
@pass_env
@clean_errors
def create_api_key(
    env: Env, name: str, scopes: tuple[str, ...], warehouse_codes: tuple[str, ...]
) -> None:
    """Create an API client; its key is printed once and stored only as a hash."""
    from wms.services.access import SCOPES
    from wms.services.access import create_api_key as create

    wanted = _split(scopes)
    with env.transaction() as session:
        client, key = create(
            session,
            name=name,
            scopes=SCOPES if "all" in wanted else wanted,
            warehouses=_warehouses(session, warehouse_codes),
        )
        click.echo(f"API client {client.name} with scopes {', '.join(client.scopes)}")
    click.echo(f"key (shown once): {key}")


# -- the live demo day ------------------------------------------------------------


DEMO_DAY_CLIENT = "demo-day-erp"


@main.command("demo-day")
@click.option(
    "--url",
    default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
    show_default=True,
    help="The running server (wms serve or make run).",
)
@click.option(
    "--pace",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 60),
    help="Seconds between scans, so a person can follow on the console.",
)
@click.option("--lang", type=click.Choice(["en", "zh-CN"]), default="en", show_default=True)
@click.option(
    "--api-key",
    envvar="WMS_DEMO_API_KEY",
    help="The ERP's key; by default a key of the demo-day-erp client is issued.",
)
@pass_env
@clean_errors
def demo_day(env: Env, url: str, pace: float, lang: str, api_key: str | None) -> None:
    """Play a whole warehouse day live against a running server, step by step."""
    from wms.demo_day import DayError, play_day

    if not api_key:
        api_key = _demo_day_key(env)
    try:
        report = play_day(url, api_key, pace=pace, lang=lang, say=click.echo)
    except DayError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # connection refused, reset ...
        raise click.ClickException(f"cannot reach the server at {url}: {exc}") from None
    if not report.ok:
        sys.exit(1)


def _demo_day_key(env: Env) -> str:
    """A key for the day's ERP (its own client, so the demo ERP's printed key stays valid)."""
    from wms.model import ApiClient, Warehouse
    from wms.services import access
    from wms.services.demo import WAREHOUSE_CODE

    with env.transaction() as session:
        if session.scalar(select(ApiClient.id).where(ApiClient.name == DEMO_DAY_CLIENT)):
            _, key = access.rotate_api_key(session, name=DEMO_DAY_CLIENT)
            return key
        warehouse = session.scalar(select(Warehouse).where(Warehouse.code == WAREHOUSE_CODE))
        if warehouse is None:
            raise click.ClickException("no demo warehouse here: run `wms demo` first")
        _, key = access.create_api_key(
            session, name=DEMO_DAY_CLIENT, scopes=access.SCOPES, warehouses=[warehouse]
        )
        return key
