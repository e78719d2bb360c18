"""The print spooler end to end: job rows, after-commit sending, faults, over real TCP."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.devices.conftest import add_printer
from wms.devices.spooler import PrintSpooler, RetryPolicy
from wms.devices.zebra import tcp_printer
from wms.model import JobState, PrintJob
from wms.services import printing
from wms.services.spool import SpoolStore

LOCATION = {"code": "A-03-12-2", "check_digits": "47"}
CONTAINER_SSCC = {"sscc": "009501101530000014", "item_name": "Screws", "sku": "SKU-1",
                  "qty": "100", "uom": "each"}


@pytest.fixture
def factory(file_factory):
    return file_factory


@pytest.fixture
def spooler(factory, fake_zebra):
    with factory.begin() as s:
        add_printer(s, "ZD-1", port=fake_zebra.port)
    printers = {"ZD-1": tcp_printer("ZD-1", "127.0.0.1", fake_zebra.port, connect_timeout=0.5,
                                    io_timeout=0.3)}
    spooler = PrintSpooler(
        SpoolStore(factory), printers.__getitem__, poll_interval=0.05, health_interval=0.2,
        policy=RetryPolicy(first_delay=0.05, max_delay=0.2),
    )
    uninstall = printing.notify_after_commit(factory, spooler.wake)
    spooler.start(["ZD-1"])
    yield spooler
    spooler.stop()
    uninstall()


def queue(factory, data=LOCATION, kind="location", **kwargs):
    with factory.begin() as s:
        job = printing.queue_print_job(s, kind=kind, data=data, printer_code="ZD-1", **kwargs)
        return job.id


def wait_state(factory, job_id, *states, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory() as s:
            job = s.get(PrintJob, job_id)
            if job.state in states:
                return job
        time.sleep(0.02)
    with factory() as s:
        raise AssertionError(f"job stayed {s.get(PrintJob, job_id).state}")


def events(factory, job_id):
    with factory() as s:
        return [e.event for e in s.get(PrintJob, job_id).events]


def test_a_location_label_is_sent_after_the_business_transaction_commits(factory, spooler,
                                                                         fake_zebra):
    job_id = queue(factory)

    job = wait_state(factory, job_id, JobState.sent)

    assert fake_zebra.job_refs() == [job.ref]
    assert events(factory, job_id) == ["queued", "sent"]


def test_a_rolled_back_receipt_prints_nothing(factory, spooler, fake_zebra):
    with pytest.raises(RuntimeError), factory.begin() as s:
        printing.queue_print_job(s, kind="location", data=LOCATION, printer_code="ZD-1")
        raise RuntimeError("receipt failed")

    time.sleep(0.3)

    with factory() as s:
        assert s.scalars(select(PrintJob)).all() == []
    assert fake_zebra.jobs == []


def test_a_printer_offline_when_the_job_is_created_prints_it_once_when_back(
        factory, spooler, fake_zebra):
    fake_zebra.refuse()
    job_id = queue(factory)
    wait_state(factory, job_id, JobState.retry_wait)

    fake_zebra.start()

    job = wait_state(factory, job_id, JobState.sent)
    time.sleep(0.3)
    assert fake_zebra.job_refs() == [job.ref]
    assert job.attempts >= 2


def test_paper_out_holds_jobs_in_order_until_paper_is_loaded(factory, spooler, fake_zebra):
    fake_zebra.state.paper_out = True
    first = queue(factory)
    second = queue(factory, data={"code": "A-03-12-3", "check_digits": "11"})
    wait_state(factory, first, JobState.retry_wait)
    assert spooler.board.get("ZD-1").state.value == "paper_out"

    fake_zebra.state.paper_out = False

    wait_state(factory, second, JobState.sent)
    with factory() as s:
        refs = [s.get(PrintJob, first).ref, s.get(PrintJob, second).ref]
    assert fake_zebra.job_refs() == refs


def test_a_plain_label_dropped_mid_job_is_sent_again(factory, spooler, fake_zebra):
    fake_zebra.state.drop_after_bytes = 30
    fake_zebra.state.drop_count = 1

    job = wait_state(factory, queue(factory), JobState.sent)

    assert fake_zebra.job_refs() == [job.ref]
    assert len(fake_zebra.partial_jobs) == 1
    assert "retry" in events(factory, job.id)


def test_an_sscc_label_dropped_mid_job_waits_for_the_operator(factory, spooler, fake_zebra):
    attention = []
    spooler.board.on_job_attention.append(lambda *args: attention.append(args))
    fake_zebra.state.drop_after_bytes = 30
    fake_zebra.state.drop_count = 1

    job = wait_state(factory, queue(factory, CONTAINER_SSCC, "container"), JobState.uncertain)
    time.sleep(0.3)

    assert fake_zebra.jobs == []
    assert attention and attention[0][1] == job.id


def test_the_operator_says_the_sscc_label_is_missing_and_it_is_printed_again(
        factory, spooler, fake_zebra):
    fake_zebra.state.drop_after_bytes = 30
    fake_zebra.state.drop_count = 1
    job_id = queue(factory, CONTAINER_SSCC, "container")
    wait_state(factory, job_id, JobState.uncertain)

    with factory.begin() as s:
        again = printing.resolve_uncertain(s, job_id, printed=False, user_id=None)
        again_id = again.id

    again = wait_state(factory, again_id, JobState.sent)
    assert fake_zebra.job_refs() == [again.ref]
    assert again.reprint_of_id == job_id


def test_a_supervisor_reprint_is_a_new_job_recorded_on_the_original(factory, spooler,
                                                                    fake_zebra):
    job_id = queue(factory)
    wait_state(factory, job_id, JobState.sent)

    with factory.begin() as s:
        again_id = printing.reprint(s, job_id, user_id=None, reason="torn").id

    wait_state(factory, again_id, JobState.sent)
    assert len(fake_zebra.jobs) == 2
    assert events(factory, job_id)[-1] == "reprinted"


def test_printer_state_changes_reach_the_listeners(factory, spooler, fake_zebra):
    seen = []
    spooler.board.on_status_change.append(lambda code, st: seen.append((code, st.state.value)))

    fake_zebra.state.head_open = True
    time.sleep(0.6)

    assert ("ZD-1", "head_open") in seen
    with factory() as s:
        assert printing.printer_by_code(s, "ZD-1").state == "head_open"
