"""Engines and sessions: SQLite in WAL mode with foreign keys, or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

#: Execution option of sessions that only read (see ``wms.web.context.read_session``).
READ_ONLY = "wms_read_only"


def reader(engine: Engine) -> Engine:
    """``engine`` for sessions that only read.

    On SQLite: no write lock (a plain BEGIN, see ``READ_ONLY``). On PostgreSQL:
    autocommit, so no BEGIN and no ROLLBACK; under READ COMMITTED each
    statement has its own snapshot anyway, and psycopg forgets every
    statement it prepared on a connection at a ROLLBACK (it sends
    ``DEALLOCATE ALL``), which would leave the next requests on that pooled
    connection parsing and planning their statements again.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return engine.execution_options(**options)


@dataclass
class OneStatement:
    """A use case whose usual work is one statement, run as its own transaction.

    ``cursor`` is a psycopg cursor on a pooled connection in autocommit (see
    ``one_statement``); the service runs its one statement there (it commits as
    it ends: a data-modifying ``WITH`` is atomic on its own) and adds the events
    that work announces to ``events``, which the entrypoint publishes after it.
    """

    cursor: Any
    #: ``wms.events.Event``s, in order (``wms.db`` sits below the layers and imports none).
    events: list[Any] = field(default_factory=list)


@contextmanager
def one_statement(engine: Engine) -> Iterator[OneStatement | None]:
    """PostgreSQL: a pooled connection in autocommit for one statement, else None.

    No ``BEGIN`` and no ``COMMIT`` round trip, and none of a session's work
    (about a third of the Python a terminal's "next task" spent); a use case
    whose case needs more than its one statement says so, and the entrypoint
    asks again in a transaction. The connection goes back to the pool as it
    came (autocommit off). On SQLite: None (every transaction is ``BEGIN
    IMMEDIATE`` there; ask in a transaction). The pool switches autocommit off
    again at check-in (``make_engine``).
    """
    if engine.dialect.name != "postgresql":
        yield None
        return
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        assert driver is not None
        driver.autocommit = True
        yield OneStatement(driver_cursor(driver))
    finally:
        pooled.close()


#: One cursor per psycopg connection, reused: a connection serves one request at a time and
#: every caller reads its result at once (a fresh cursor per statement costs a quarter more).
_cursors: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


def driver_cursor(driver: Any) -> Any:
    """The reused cursor of a psycopg connection (see ``wms.services.pgraw``)."""
    cur = _cursors.get(driver)
    if cur is None or cur.closed:
        cur = _cursors[driver] = driver.cursor()
    return cur


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE.

    Python's sqlite3 starts no transaction before a SELECT, and SQLite
    ignores FOR UPDATE, so every transaction there is BEGIN IMMEDIATE: one
    writer at a time, reads inside the same snapshot as the write.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        memory = database in ("", ":memory:") or "mode=memory" in url
        if not memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            options["poolclass"] = StaticPool
        options.update(kwargs)
        engine = create_engine(url, **options)
        _sqlite_pragmas(engine, wal=not memory)
        return engine
    # No pre-ping: it costs a round trip on every checkout, a tenth of a single-move
    # post. A connection the server dropped fails one statement instead; SQLAlchemy
    # then sees the disconnect and invalidates the whole pool, so the next checkout
    # connects afresh. Recycling bounds how long an idle connection is trusted.
    # Last in, first out: the connection just returned serves the next request. psycopg
    # prepares a statement on a connection after it has run there five times, and forgets
    # all of them at a ROLLBACK; handing requests round every pooled connection in turn
    # (first in, first out) would keep most statements unprepared, parsed and planned
    # anew on every execution.
    options = {
        "pool_pre_ping": False,
        "pool_recycle": 1800,
        "pool_size": 10,
        "max_overflow": 20,
        "pool_use_lifo": True,
    }
    options.update(kwargs)
    engine = create_engine(url, **options)
    if engine.dialect.name == "postgresql":
        _autocommit_off_at_checkin(engine)
    return engine


def _autocommit_off_at_checkin(engine: Engine) -> None:
    """Every pooled connection goes back to the pool with psycopg's autocommit off.

    ``one_statement`` and a transaction begun with ``pgraw.begin_with`` switch it
    on (no ``BEGIN`` of psycopg's own); the session's commit or rollback ends
    such a transaction, and here, once nobody holds the connection, psycopg is
    told to send its own ``BEGIN`` again. A connection that cannot be told is
    broken: the pool drops it.
    """

    @event.listens_for(engine, "checkin")
    def _off(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is None or not dbapi_conn.autocommit:
            return
        try:
            dbapi_conn.autocommit = False
        except Exception as exc:
            record.invalidate(exc)


def _sqlite_pragmas(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        if wal:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A read-only session takes no write lock, so a write later in the same request
        # (its own transaction) is not blocked by the request's read session (WAL mode).
        conn.exec_driver_sql(
            "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
