"""Production serving under gevent: patch first, then prove psycopg will not block the hub."""

from __future__ import annotations

import gc
import sys
from typing import Any


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
    answer is always yes). :func:`gevent_wait` asks the kernel first with one
    real ``poll(0)`` and parks the greenlet on a single io watcher only when
    there is nothing to read yet. The same cooperation, less CPU per round
    trip (``benchmarks/pg_wait.py``). Does nothing where gevent has not
    patched ``select``.
    """
    from gevent import monkey

    if not monkey.is_module_patched("select"):
        return
    import psycopg.waiting as waiting

    waiting.wait = gevent_wait()


def gevent_wait() -> Any:
    """A wait function for psycopg (its ``waiting.wait`` signature) built on gevent's hub."""
    import select as patched_select
    from time import monotonic

    from gevent import monkey
    from gevent.hub import Waiter, get_hub
    from psycopg import errors
    from psycopg.waiting import READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W

    real_poll = monkey.get_original("select", "poll")
    pollin, pollout = patched_select.POLLIN, patched_select.POLLOUT
    poll_for = {WAIT_R: pollin, WAIT_W: pollout, WAIT_RW: pollin | pollout}
    watch_for = {WAIT_R: 1, WAIT_W: 2, WAIT_RW: 3}  # libev/libuv: READ 1, WRITE 2
    timed_out = getattr(errors, "_WaitTimeout", errors.OperationalError)

    def park(fileno: int, wanted: Any, deadline: float | None) -> int:
        """Until the socket is ready (what it is ready for); raises once the deadline passed."""
        hub = get_hub()
        waiter = Waiter(hub)
        io = hub.loop.io(fileno, watch_for[wanted])
        io.start(waiter.switch, pass_events=True)
        # psycopg's ``interval`` wakes a blocking wait now and then so that Ctrl-C is
        # seen; gevent's hub sees signals itself, so only a deadline needs a timer.
        timer = None
        if deadline is not None:
            timer = hub.loop.timer(max(deadline - monotonic(), 0.0))
            timer.start(waiter.switch, 0)
        try:
            events = waiter.get()
        finally:
            io.stop()
            io.close()
            if timer is not None:
                timer.stop()
                timer.close()
        if not events and deadline is not None and monotonic() >= deadline:
            raise timed_out("wait timeout expired")
        return (READY_R if events & 1 else 0) | (READY_W if events & 2 else 0)

    def wait(
        gen: Any, fileno: int, interval: float | None = 0.0, timeout: float | None = None
    ) -> Any:
        deadline = None if timeout is None else monotonic() + timeout
        poller = real_poll()
        try:
            wanted = next(gen)
            registered = None
            while True:
                if wanted != registered:
                    poller.register(fileno, poll_for[wanted])
                    registered = wanted
                found = poller.poll(0)
                if found:
                    events = found[0][1]
                    ready = (READY_R if events & pollin else 0) | (
                        READY_W if events & pollout else 0
                    )
                    if not ready:  # only POLLERR, POLLHUP or POLLNVAL
                        raise errors.OperationalError("connection socket closed")
                else:
                    ready = park(fileno, wanted, deadline)
                wanted = gen.send(ready)
        except StopIteration as done:
            return done.value

    wait.__name__ = wait.__qualname__ = "gevent_wait"
    return wait


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    The app, its routes, compiled statements and imported modules live as
    long as the process; a full collection under load would walk them all
    (about 100 ms on the slowest request). After ``gc.freeze()`` it walks only
    what was made since.
    """
    gc.collect()
    gc.freeze()
