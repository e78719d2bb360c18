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
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

#: One cursor per connection, reused: a connection serves one request at a time and every
#: caller reads its result at once (a fresh cursor per statement costs a quarter more).
_cursors: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


def cursor(session: Session) -> Any | None:
    """A psycopg cursor on the connection of the session's transaction (PostgreSQL), else None.

    Asking begins the session's transaction as any Core statement would; a
    statement run on it commits or rolls back with the session.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    driver = conn.connection.driver_connection
    cur = _cursors.get(driver)
    if cur is None or cur.closed:
        cur = _cursors[driver] = driver.cursor()
    return cur


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
