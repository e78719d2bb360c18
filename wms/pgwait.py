"""psycopg's wait on gevent's hub: one real ``poll(0)``, then one io watcher if need be.

Imported only by ``wms.serving.use_gevent_wait`` (after ``patch_all()``) and by
``benchmarks/pg_wait.py``: it imports gevent. Why it exists: docs/architecture.md,
"Serving".
"""

from __future__ import annotations

import select
from time import monotonic
from typing import Any

from gevent import monkey
from gevent.hub import Waiter, get_hub
from psycopg import errors
from psycopg.waiting import READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W

_real_poll = monkey.get_original("select", "poll")
_POLL_FOR = {WAIT_R: select.POLLIN, WAIT_W: select.POLLOUT, WAIT_RW: select.POLLIN | select.POLLOUT}
_WATCH_FOR = {WAIT_R: 1, WAIT_W: 2, WAIT_RW: 3}  # libev/libuv: READ 1, WRITE 2
_TIMED_OUT = getattr(errors, "_WaitTimeout", errors.OperationalError)


def gevent_wait(
    gen: Any, fileno: int, interval: float | None = 0.0, timeout: float | None = None
) -> Any:
    """Drive psycopg's generator ``gen`` (psycopg's ``waiting.wait`` signature).

    ``interval`` is accepted and not used: it wakes a blocking wait now and then
    so that Ctrl-C is seen, and gevent's hub sees signals itself.
    """
    deadline = None if timeout is None else monotonic() + timeout
    poller = _real_poll()
    try:
        wanted = next(gen)
        registered = None
        while True:
            if wanted != registered:
                poller.register(fileno, _POLL_FOR[wanted])
                registered = wanted
            found = poller.poll(0)
            if found:
                events = found[0][1]
                ready = (READY_R if events & select.POLLIN else 0) | (
                    READY_W if events & select.POLLOUT else 0
                )
                if not ready:  # only POLLERR, POLLHUP or POLLNVAL
                    raise errors.OperationalError("connection socket closed")
            else:
                ready = _park(fileno, wanted, deadline)
            wanted = gen.send(ready)
    except StopIteration as done:
        return done.value


def _park(fileno: int, wanted: Any, deadline: float | None) -> int:
    """Until the socket is ready (what it is ready for); raises once the deadline passed."""
    hub = get_hub()
    waiter = Waiter(hub)
    io = hub.loop.io(fileno, _WATCH_FOR[wanted])
    io.start(waiter.switch, pass_events=True)
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
        raise _TIMED_OUT("wait timeout expired")
    return (READY_R if events & 1 else 0) | (READY_W if events & 2 else 0)
