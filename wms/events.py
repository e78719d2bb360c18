"""Events recorded inside a transaction and published only after it commits.

Services call ``record(session, "task.assigned", {...}, rooms=[...])``. The
events ride on ``session.info`` and are handed to the publishers registered
with ``install`` once the transaction commits; a rollback drops them. No
I/O happens inside a transaction: publishers emit to Socket.IO, wake the
print spooler or the webhook worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)

_KEY = "wms.pending_events"


@dataclass(frozen=True)
class Event:
    """``name`` is noun.past_tense (``task.assigned``); ``rooms`` say who hears it."""

    name: str
    payload: dict[str, Any]
    rooms: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ("/console",)
    meta: dict[str, Any] = field(default_factory=dict)


Publisher = Callable[[list[Event]], None]


def record(
    session: Session,
    name: str,
    payload: dict[str, Any],
    *,
    rooms: tuple[str, ...] | list[str] = (),
    namespaces: tuple[str, ...] | list[str] = ("/console",),
    **meta: Any,
) -> Event:
    evt = Event(name, payload, tuple(rooms), tuple(namespaces), dict(meta))
    session.info.setdefault(_KEY, []).append(evt)
    return evt


def record_all(session: Session, evts: list[Event]) -> None:
    """Record events already made (``Event``), in order."""
    session.info.setdefault(_KEY, []).extend(evts)


def pending(session: Session) -> list[Event]:
    return list(session.info.get(_KEY, []))


def publish(publishers: list[Publisher], events: list[Event]) -> None:
    """Hand committed work's events to every publisher, in order; a failing one is logged."""
    if not events:
        return
    for publisher in list(publishers):
        try:
            publisher(events)
        except Exception:  # a broken listener never undoes committed work
            log.exception("event publisher failed", extra={"events": [e.name for e in events]})


def install(factory: sessionmaker[Session], publishers: list[Publisher]) -> None:
    """Publish each committed transaction's events to every publisher, in order."""

    @event.listens_for(factory, "after_commit")
    def _after_commit(session: Session) -> None:
        publish(publishers, session.info.pop(_KEY, []))

    @event.listens_for(factory, "after_transaction_end")
    def _after_end(session: Session, transaction: SessionTransaction) -> None:
        # Whatever is still pending when the outermost transaction ends was
        # rolled back (a commit has already published and cleared it). A
        # rolled-back SAVEPOINT drops only its own events: see ``savepoint``.
        if transaction.parent is None:
            session.info.pop(_KEY, None)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A SAVEPOINT whose rollback also drops the events recorded inside it, and only those."""
    mark = len(session.info.get(_KEY, []))
    try:
        with session.begin_nested():
            yield
    except BaseException:
        del session.info.get(_KEY, [])[mark:]
        raise
