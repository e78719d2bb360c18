"""What the app wires together, reachable from any request: settings, database, publishers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wms.db import READ_ONLY
from wms.events import Publisher
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


def wms(app: Flask | None = None) -> WmsContext:
    return (app or current_app).extensions["wms"]


@contextmanager
def transaction() -> Iterator[Session]:
    """The entrypoint's one transaction: commit on success, roll back on error.

    The request's read session is ended first: on SQLite every transaction
    is BEGIN IMMEDIATE, so an open read (e.g. loading the signed-in user)
    would hold the write lock this transaction waits for.
    """
    reads = g.get("wms_read_session")
    if reads is not None and reads.in_transaction():
        reads.commit()  # expire_on_commit=False: loaded objects stay usable
    with wms().session_factory() as session, session.begin():
        yield session


def read_session() -> Session:
    """A request-scoped session for reads; closed at teardown."""
    if "wms_read_session" not in g:
        ctx = wms()
        read_only = ctx.engine.execution_options(**{READ_ONLY: True})
        g.wms_read_session = ctx.session_factory(bind=read_only)
    return g.wms_read_session


def close_read_session(_exc: BaseException | None = None) -> None:
    session = g.pop("wms_read_session", None)
    if session is not None:
        session.close()
