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


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    The app, its routes, compiled statements and imported modules live as
    long as the process; a full collection under load would walk them all
    (about 100 ms on the slowest request). After ``gc.freeze()`` it walks only
    what was made since.
    """
    gc.collect()
    gc.freeze()
