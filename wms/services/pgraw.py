"""The session's own psycopg connection, for the hot path's fixed-shape statements.

On PostgreSQL a fixed-shape statement run through SQLAlchemy Core costs 0.06 to
0.2 ms of Python per execution (compiled-cache lookup, bind and result
processing); the same statement on the DBAPI connection costs about 0.03 ms.
The busiest writes (the API's stock moves: claim, resolve, lock, quant and
line writes, audit, completion) therefore run as plain SQL on the connection
of the session's transaction: same statements, same locking order, same
transaction, parameters bound as the driver's own types (Decimal, int,
aware datetimes). SQLite keeps the Core path: ``connection`` returns None there.
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def connection(session: Session) -> Any | None:
    """The psycopg connection under the session's transaction on PostgreSQL, else None.

    Asking begins the session's transaction as any Core statement would; a
    statement run on it commits or rolls back with the session.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    return conn.connection.driver_connection


def execute(conn: Any, sql: str, params: Any = None) -> Any:
    """Run ``sql`` on ``conn``; a driver error surfaces as SQLAlchemy's, as on the Core path.

    Callers (the API runner's retry on deadlock or serialization failure, the
    error handlers) then see the same ``DBAPIError`` with the same ``orig``.
    """
    try:
        return conn.execute(sql, params)
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, params, exc, psycopg.Error) from exc
