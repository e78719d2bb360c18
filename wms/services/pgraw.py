"""The session's own psycopg connection, for the hot path's fixed-shape statements.

On PostgreSQL a fixed-shape statement run through SQLAlchemy Core costs 0.06 to
0.2 ms of Python per execution (compiled-cache lookup, bind and result
processing); the same statement on the DBAPI connection costs about 0.03 ms.
The busiest statements (the API's stock moves: claim, resolve, lock, quant and
line writes, audit, completion; a scan step's lock, scan, reads and save)
therefore run as plain SQL on the connection of the session's transaction:
same statements, same locking order, same transaction, parameters bound as
the driver's own types (Decimal, int, aware datetimes; ``Json`` for a json
column, written with ``json.dumps`` as SQLAlchemy's JSON type does). A row
that is an entity becomes one through ``Entities``. SQLite keeps the Core
path: ``cursor`` returns None there.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached

from wms.db import driver_cursor

__all__ = ["Entities", "Json", "begin_with", "commit_with", "cursor", "execute"]


def cursor(session: Session) -> Any | None:
    """A psycopg cursor on the connection of the session's transaction (PostgreSQL), else None.

    Asking begins the session's transaction as any Core statement would; a
    statement run on it commits or rolls back with the session.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    return driver_cursor(conn.connection.driver_connection)


def execute(cur: Any, sql: str, params: Any = None) -> Any:
    """Run ``sql`` on ``cur`` and return it; a driver error surfaces as SQLAlchemy's, as on
    the Core path.

    Callers (the API runner's retry on deadlock or serialization failure, the
    error handlers) then see the same ``DBAPIError`` with the same ``orig``.
    """
    try:
        return cur.execute(sql, params)
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, params, exc, psycopg.Error) from exc


def begin_with(cur: Any, sql: str, params: Any = None) -> Any:
    """Begin the transaction with its first statement: ``BEGIN`` and ``sql`` in one flight.

    psycopg sends its own ``BEGIN`` alone and waits for it before the first
    statement. Here the connection is switched to autocommit, so psycopg sends
    no ``BEGIN`` of its own, and ours goes out with ``sql`` in a pipeline: one
    round trip. On the server the transaction is like any other, and psycopg's
    ``commit()`` and ``rollback()`` (the session's) end it as usual: they go by
    the server's transaction status, not by the autocommit switch. The pool
    switches autocommit off again when the connection comes back
    (``wms.db.make_engine``). A transaction already under way (something ran
    before) just runs ``sql``.
    """
    conn = cur.connection
    if conn.autocommit or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return execute(cur, sql, params)
    conn.autocommit = True
    return _one_flight(cur, ("BEGIN", None), (sql, params))


def commit_with(cur: Any, sql: str, params: Any = None) -> None:
    """The last statement of a transaction ``begin_with`` began, and ``COMMIT``, in one
    flight. On an error nothing of the transaction stays (the pipeline skips the
    ``COMMIT``; the session's rollback ends it)."""
    if not cur.connection.autocommit:  # not begun by ``begin_with``: the session commits
        execute(cur, sql, params)
        return
    _one_flight(cur, (sql, params), ("COMMIT", None))


def _one_flight(cur: Any, *statements: tuple[str, Any]) -> Any:
    """Send ``statements`` in one pipeline (one round trip); ``cur`` holds the last result."""
    try:
        with cur.connection.pipeline():
            for sql, params in statements:
                cur.execute(sql, params)
    except psycopg.Error as exc:
        raise DBAPIError.instance(statements[-1][0], None, exc, psycopg.Error) from exc
    return cur


class Entities:
    """Session entities of one mapped class from the columns of plain-SQL rows, as a query
    would give them: the session's own object when it holds that identity already, else a
    new persistent one (clean, relationships loaded on first use).

    ``columns(alias)`` is the select list, in the order ``load`` reads; the values pass
    through each column type's own result processing (enums, UTC timestamps, quantities),
    prepared once from the first result's column types. An all-NULL primary key (an
    outer join that found nothing) loads as None.
    """

    def __init__(self, cls: type[Any]) -> None:
        self.mapper = inspect(cls)
        table = self.mapper.local_table
        self.table_columns = list(table.columns)
        self.keys = [self.mapper.get_property_by_column(c).key for c in self.table_columns]
        (pk,) = self.mapper.primary_key
        self.pk = self.table_columns.index(pk)
        self.width = len(self.table_columns)
        self._processors: list[Any] | None = None

    def columns(self, alias: str) -> str:
        return ", ".join(f"{alias}.{c.name}" for c in self.table_columns)

    def load(self, session: Session, cur: Any, row: Any, offset: int) -> Any | None:
        pk = row[offset + self.pk]
        if pk is None:
            return None
        held = session.identity_map.get(self.mapper.identity_key_from_primary_key((pk,)))
        if held is not None:
            return held
        processors = self._processors
        if processors is None:
            processors = self._processors = self._prepare(session, cur, offset)
        entity = self.mapper.class_manager.new_instance()
        values = entity.__dict__
        for i, (key, process) in enumerate(zip(self.keys, processors, strict=True)):
            value = row[offset + i]
            values[key] = value if process is None else process(value)
        make_transient_to_detached(entity)
        session.add(entity)
        return entity

    def _prepare(self, session: Session, cur: Any, offset: int) -> list[Any]:
        dialect = session.get_bind().dialect
        types = [d.type_code for d in cur.description[offset : offset + self.width]]
        return [
            c.type.dialect_impl(dialect).result_processor(dialect, t)
            for c, t in zip(self.table_columns, types, strict=True)
        ]
