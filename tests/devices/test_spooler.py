"""The print spooler end to end: job rows, after-commit sending, faults, over real TCP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.devices.conftest import add_printer
from wms.devices.spooler import PrintSpooler, RetryPolicy
from wms.devices.zebra import tcp_printer
from wms.model import JobState, PrintJob
from wms.model.base import utcnow
from wms.services import printing
from wms.services.spool import SpoolStore, printers_with_work

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


# ------------------------------------------- an idle sender waits to be woken ---
#
# Each of these spoolers has no after-commit wake unless asked, so a job
# queued here is like one queued by another process: only the discovery
# query, a retry falling due or a health check can wake the sender.

#: Longer than any of these tests: a sender or discovery on this interval never fires.
NEVER = 600.0


class CountingStore:
    """The real SpoolStore, counting the spooler's queries."""

    def __init__(self, store):
        self.store = store
        self.claims = 0
        self.discoveries = 0

    def claim(self, printer_code, token):
        self.claims += 1
        return self.store.claim(printer_code, token)

    def printers_with_work(self):
        self.discoveries += 1
        return self.store.printers_with_work()

    def __getattr__(self, name):
        return getattr(self.store, name)


class CountingPrinter:
    """The real TCP printer, counting health checks (~HS outside a job)."""

    def __init__(self, printer):
        self.printer = printer
        self.code = printer.code
        self.health_checks = 0

    def status(self):
        self.health_checks += 1
        return self.printer.status()

    def send(self, data):
        return self.printer.send(data)


@dataclass
class Floor:
    spooler: PrintSpooler
    store: CountingStore
    printer: CountingPrinter

    def sender(self):
        return self.spooler._senders["ZD-1"]


@pytest.fixture
def floor(factory, fake_zebra):
    """Starts a spooler for ZD-1 with the intervals a test asks for."""
    with factory.begin() as s:
        add_printer(s, "ZD-1", port=fake_zebra.port)
    started = []

    def start(*, poll_interval=NEVER, health_interval=NEVER, wake_after_commit=False):
        printer = CountingPrinter(tcp_printer("ZD-1", "127.0.0.1", fake_zebra.port,
                                              connect_timeout=0.5, io_timeout=0.3))
        store = CountingStore(SpoolStore(factory))
        spooler = PrintSpooler(store, {"ZD-1": printer}.__getitem__,
                               poll_interval=poll_interval, health_interval=health_interval,
                               policy=RetryPolicy(first_delay=0.05, max_delay=0.2))
        uninstall = (printing.notify_after_commit(factory, spooler.wake)
                     if wake_after_commit else (lambda: None))
        started.append((spooler, uninstall))
        spooler.start(["ZD-1"])
        return Floor(spooler, store, printer)

    yield start
    for spooler, uninstall in started:
        spooler.stop()
        uninstall()


def wait_until(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.01)
    raise AssertionError("it did not happen in time")


def test_an_idle_printers_sender_makes_no_claim_while_nothing_is_queued(floor):
    dock = floor(poll_interval=0.02)

    time.sleep(0.5)  # 25 discovery rounds

    assert dock.store.discoveries >= 10
    assert dock.store.claims == 1  # the look it takes when it starts


def test_a_job_queued_by_another_process_is_printed_after_the_next_discovery(
        factory, floor, fake_zebra):
    dock = floor(poll_interval=0.1)
    wait_until(lambda: dock.store.claims == 1)

    job = wait_state(factory, queue(factory), JobState.sent)

    assert fake_zebra.job_refs() == [job.ref]


def test_a_job_queued_in_this_process_is_sent_at_once_without_waiting_for_discovery(
        factory, floor, fake_zebra):
    dock = floor(wake_after_commit=True)
    wait_until(lambda: dock.store.claims == 1)

    job = wait_state(factory, queue(factory), JobState.sent, timeout=3.0)

    assert fake_zebra.job_refs() == [job.ref]
    assert dock.store.discoveries == 0


def test_a_retry_that_falls_due_is_attempted_without_a_wake(factory, floor, fake_zebra):
    fake_zebra.refuse()
    job_id = queue(factory)
    dock = floor()  # its first look finds the job; nothing wakes it after that
    wait_state(factory, job_id, JobState.retry_wait)

    fake_zebra.start()

    job = wait_state(factory, job_id, JobState.sent, timeout=3.0)
    assert fake_zebra.job_refs() == [job.ref]
    assert job.attempts >= 2
    assert dock.store.discoveries == 0


def test_a_label_left_sending_by_a_crashed_worker_is_sent_once_its_lease_expires(
        factory, floor, fake_zebra):
    job_id = queue(factory)
    with factory.begin() as s:  # another worker claimed it, then died mid-job
        s.execute(update(PrintJob).where(PrintJob.id == job_id).values(
            state=JobState.sending, claim_token="crashed-worker", attempts=1,
            lease_until=utcnow() + timedelta(seconds=0.5)))
    dock = floor(poll_interval=0.1)
    wait_until(lambda: dock.store.claims >= 1)  # it sees the printer busy and rests

    job = wait_state(factory, job_id, JobState.sent)

    assert fake_zebra.job_refs() == [job.ref]
    assert events(factory, job_id) == ["queued", "lease_expired", "sent"]


def test_an_idle_printer_is_still_checked_for_health(floor):
    dock = floor(health_interval=0.1)

    time.sleep(0.55)

    assert dock.printer.health_checks >= 4
    assert dock.store.claims == 1


def test_paper_running_out_on_an_idle_printer_reaches_the_board(floor, fake_zebra):
    dock = floor(health_interval=0.1)
    wait_until(lambda: dock.printer.health_checks >= 1)

    fake_zebra.state.paper_out = True

    def board_says_paper_out():
        status = dock.spooler.board.get("ZD-1")
        return status is not None and status.state.value == "paper_out"

    wait_until(board_says_paper_out)
    assert dock.store.claims == 1


def test_stopping_the_spooler_ends_an_idle_sender_at_once(floor):
    dock = floor()
    wait_until(lambda: dock.printer.health_checks == 1)
    sender = dock.sender()

    started = time.monotonic()
    dock.spooler.stop()

    assert time.monotonic() - started < 1.0
    assert not sender.thread.is_alive()


def test_a_printer_removed_from_the_configuration_lets_its_idle_sender_go_at_once(floor):
    dock = floor()
    wait_until(lambda: dock.printer.health_checks == 1)
    sender = dock.sender()

    dock.spooler.keep([])

    sender.thread.join(1.0)
    assert not sender.thread.is_alive()


@pytest.mark.parametrize(
    ("state", "lease", "found"),
    [
        pytest.param(JobState.queued, None, True, id="queued"),
        pytest.param(JobState.retry_wait, None, True, id="waiting-for-a-retry"),
        pytest.param(JobState.sending, timedelta(seconds=-1), True,
                     id="sending-by-a-worker-that-died"),
        pytest.param(JobState.sending, timedelta(seconds=60), True,
                     id="sending-by-another-worker"),
        pytest.param(JobState.sent, None, False, id="sent"),
        pytest.param(JobState.uncertain, None, False, id="uncertain-a-person-decides"),
        pytest.param(JobState.failed, None, False, id="failed"),
        pytest.param(JobState.cancelled, None, False, id="cancelled"),
    ],
)
def test_discovery_finds_every_printer_whose_sender_has_something_to_do(factory, state, lease,
                                                                         found):
    with factory.begin() as s:
        add_printer(s, "ZD-1")
    job_id = queue(factory)
    with factory.begin() as s:
        s.execute(update(PrintJob).where(PrintJob.id == job_id).values(
            state=state,
            next_attempt_at=utcnow() + timedelta(seconds=30)
            if state is JobState.retry_wait else None,
            lease_until=utcnow() + lease if lease is not None else None))

    with factory.begin() as s:
        assert printers_with_work(s) == (["ZD-1"] if found else [])
