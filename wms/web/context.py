"""What the app wires together, reachable from any request: settings, database, publishers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wms.db import OneStatement, one_statement, reader
from wms.events import Publisher, publish
from wms.settings import Settings


@dataclass
class WmsContext:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    publishers: list[Publisher] = field(default_factory=list)
    socketio: Any = None
    devices: Any = None
    workers: list[Any] = field(default_factory=list)
    #: The engine read sessions use (see ``read_session``), made on first use.
    read_engine: Engine | None = None


def wms(app: Flask | None = None) -> WmsContext:
    return (app or current_app).extensions["wms"]


@contextmanager
def transaction() -> Iterator[Session]:
    """The entrypoint's one transaction: commit on success, roll back on error.

    The request's read session is ended first (see ``end_reads``).
    """
    end_reads()
    with wms().session_factory() as session, session.begin():
        yield session


@contextmanager
def statement() -> Iterator[OneStatement | None]:
    """The entrypoint's one transaction when its usual work is a single statement.

    On PostgreSQL that statement is the transaction (``wms.db.one_statement``:
    no ``BEGIN``, no ``COMMIT`` round trip, no session); the service says when
    the case needs more, and the entrypoint then asks again in
    ``transaction()``. The events of the work are published after it, as after
    a commit. On SQLite: None (ask in ``transaction()``).
    """
    end_reads()
    ctx = wms()
    with one_statement(ctx.engine) as one:
        yield one
    if one is not None:
        publish(ctx.publishers, one.events)


def end_reads() -> None:
    """End the request's read transaction (if any) before opening another session.

    On SQLite every transaction is BEGIN IMMEDIATE, so a read left open in
    this thread would hold the lock that the next session waits for.
    """
    reads = g.get("wms_read_session")
    if reads is not None and reads.in_transaction():
        reads.commit()  # expire_on_commit=False: loaded objects stay usable


def read_session() -> Session:
    """A request-scoped session for reads; closed at teardown.

    On PostgreSQL its statements run in autocommit: under READ COMMITTED each
    statement sees its own snapshot anyway, so a BEGIN and a COMMIT around
    the reads would only add two round trips to every request that reads
    (the signed-in user, for one).
    """
    if "wms_read_session" not in g:
        ctx = wms()
        if ctx.read_engine is None:
            ctx.read_engine = reader(ctx.engine)
        g.wms_read_session = ctx.session_factory(bind=ctx.read_engine)
    return g.wms_read_session


def close_read_session(_exc: BaseException | None = None) -> None:
    session = g.pop("wms_read_session", None)
    if session is not None:
        session.close()
