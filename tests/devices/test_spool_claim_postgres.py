"""One sender per printer on PostgreSQL: concurrent claimers never share a printer or a job."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.devices.conftest import add_printer
from wms.db import make_session_factory
from wms.devices.ports import PrinterState, PrinterStatus
from wms.services import printing
from wms.services.spool import SpoolStore

pytestmark = pytest.mark.postgres


def test_eight_claimers_on_three_printers_send_each_job_once_and_in_order(pg):
    factory = make_session_factory(pg)
    with factory.begin() as s:
        for code in ("P1", "P2", "P3"):
            add_printer(s, code)
        for n in range(60):
            printing.queue_print_job(s, kind="workstation", data={"code": f"S{n}", "name": "x"},
                                     printer_code=f"P{n % 3 + 1}")
    store = SpoolStore(factory)
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()
    in_flight: dict[str, int] = Counter()
    overlaps: list[str] = []

    def claimer(worker: int) -> None:
        idle = 0
        while idle < 30:
            code = f"P{(worker + idle) % 3 + 1}"
            job, _ = store.claim(code, token=f"w{worker}")
            if job is None:
                idle += 1
                continue
            with lock:
                in_flight[code] += 1
                if in_flight[code] > 1:
                    overlaps.append(code)
                claimed.append((code, job.id))
            time.sleep(0.005)  # "sending": another claim for this printer now would overlap
            # Leave the window before the commit that ends it: counted after that commit,
            # another claimer's legal claim would look like an overlap.
            with lock:
                in_flight[code] -= 1
            store.sent(job, PrinterStatus(PrinterState.ready))

    threads = [threading.Thread(target=claimer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    ids = [job_id for _, job_id in claimed]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert overlaps == []
    for code in ("P1", "P2", "P3"):
        per_printer = [job_id for c, job_id in claimed if c == code]
        assert per_printer == sorted(per_printer)
