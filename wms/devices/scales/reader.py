"""A stable weight: N consecutive stable readings within a tolerance, before a deadline.

The scale's own stability flag is authoritative (trade-approved weighing);
the window guards against a flag that flickers while goods still settle.
A garbled frame, an unstable or busy reading or a missing reply resets the
window; overload and underload fail at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from wms.devices.errors import ScaleNoReply, ScaleNotStable
from wms.devices.ports import Weight

#: A sample returns a reading, or None when the scale said busy / sent garbage.
Sample = Callable[[], Weight | None]


def stable_weight(
    sample: Sample,
    *,
    window: int = 3,
    tolerance_g: int = 0,
    deadline_s: float = 5.0,
    interval_s: float = 0.1,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Weight:
    end = clock() + deadline_s
    readings: list[Weight] = []
    answered = False
    while clock() < end:
        try:
            reading = sample()
            answered = True
        except ScaleNoReply:
            reading = None
        if reading is None or not reading.stable:
            readings.clear()
        else:
            readings = [*readings, reading][-window:]
            grams = [r.grams for r in readings]
            if len(readings) == window and max(grams) - min(grams) <= tolerance_g:
                return readings[-1]
        sleep(interval_s)
    if not answered:
        raise ScaleNoReply(f"scale did not answer within {deadline_s:g} s")
    raise ScaleNotStable(f"weight did not settle within {deadline_s:g} s: keep the load still")
