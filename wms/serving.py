"""Production serving under gevent: patch first, then prove psycopg will not block the hub."""

from __future__ import annotations

import gc
import sys


class ServingMisconfigured(RuntimeError):
    pass


def patch_for_gevent() -> None:
    """``patch_all()`` must run before anything imports psycopg (so no ``--preload``)."""
    from gevent import monkey

    if "psycopg" in sys.modules and not monkey.is_module_patched("socket"):
        raise ServingMisconfigured(
            "psycopg was imported before gevent patched the standard library; "
            "start gunicorn without --preload and import wms.wsgi first"
        )
    monkey.patch_all()


def check_gevent_ready() -> None:
    """Refuse to serve if psycopg would wait on sockets without yielding to gevent.

    psycopg 3 waits for the server with ``select``/``selectors``; under gevent
    those must be the patched, cooperative versions, or one slow query stalls
    every other request on the worker.
    """
    from gevent import monkey

    missing = [
        m for m in ("socket", "select", "selectors", "threading") if not monkey.is_module_patched(m)
    ]
    if missing:
        raise ServingMisconfigured(f"gevent has not patched: {', '.join(missing)}")
    import psycopg.waiting as waiting

    if getattr(waiting, "wait", None) is None:
        raise ServingMisconfigured("psycopg has no wait function to check")
    if waiting.wait is getattr(waiting, "wait_c", None):
        raise ServingMisconfigured("psycopg waits in C, which blocks gevent's hub")


def use_gevent_wait() -> None:
    """Make psycopg wait for PostgreSQL straight on gevent's hub (after ``patch_all()``).

    Under gevent psycopg picks its pure-Python ``poll`` wait, and gevent's
    patched ``poll()`` builds a result object, an event, a watcher and a
    timer, and goes round the hub, on every call, even when the socket is
    ready already (a pipeline asks "may I write?" before each flight, and the
    answer is always yes). ``wms.pgwait.gevent_wait`` asks the kernel first with one
    real ``poll(0)`` and parks the greenlet on a single io watcher only when
    there is nothing to read yet. The same cooperation, less CPU per round
    trip (``benchmarks/pg_wait.py``). Does nothing where gevent has not
    patched ``select``.
    """
    from gevent import monkey

    if not monkey.is_module_patched("select"):
        return
    import psycopg.waiting as waiting

    from wms.pgwait import gevent_wait

    waiting.wait = gevent_wait


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    The app, its routes, compiled statements and imported modules live as
    long as the process; a full collection under load would walk them all
    (about 100 ms on the slowest request). After ``gc.freeze()`` it walks only
    what was made since.
    """
    gc.collect()
    gc.freeze()
