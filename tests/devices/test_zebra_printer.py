"""The Zebra driver over real TCP and serial (socket://) against the fake printer."""

from __future__ import annotations

import pytest

from wms.devices.errors import PrinterNotReady, PrinterUnreachable, SendInterrupted
from wms.devices.ports import PrinterState
from wms.devices.zebra import serial_printer, tcp_printer

LABEL = b"^XA^CI28^FXJOB:abc^FS^FO20,20^A0N,30,30^FDHello^FS^XZ"


def printer_at(server, **kwargs):
    return tcp_printer("ZD-1", "127.0.0.1", server.port, connect_timeout=1, io_timeout=0.3,
                       **kwargs)


def test_a_ready_printer_receives_the_exact_bytes(fake_zebra):
    status = printer_at(fake_zebra).send(LABEL)

    assert fake_zebra.jobs == [LABEL]
    assert status.state is PrinterState.ready


def test_paper_out_holds_the_job_and_sends_nothing(fake_zebra):
    fake_zebra.state.paper_out = True

    with pytest.raises(PrinterNotReady) as err:
        printer_at(fake_zebra).send(LABEL)

    assert err.value.state is PrinterState.paper_out
    assert fake_zebra.jobs == []


def test_a_silent_printer_is_unknown_never_ready(fake_zebra):
    fake_zebra.state.head_open = True
    fake_zebra.state.silent_on_error = True

    status = printer_at(fake_zebra).status()

    assert status.state is PrinterState.unknown
    with pytest.raises(PrinterNotReady):
        printer_at(fake_zebra).send(LABEL)
    assert fake_zebra.jobs == []


def test_extended_status_answers_when_host_status_is_garbled(fake_zebra, monkeypatch):
    from wms.devices.fakes import zebra_server

    monkeypatch.setattr(zebra_server, "host_status_reply", lambda s: b"\x02garbage\x03\r\n")
    fake_zebra.state.paused = True

    assert printer_at(fake_zebra).status().state is PrinterState.paused


def test_a_powered_off_printer_is_offline(fake_zebra):
    fake_zebra.refuse()

    assert printer_at(fake_zebra).status().state is PrinterState.offline
    with pytest.raises(PrinterUnreachable):
        printer_at(fake_zebra).send(LABEL)


def test_a_connection_dropped_mid_job_is_reported_as_interrupted(fake_zebra):
    fake_zebra.state.drop_after_bytes = 20
    fake_zebra.state.drop_count = 1

    with pytest.raises(SendInterrupted):
        printer_at(fake_zebra).send(LABEL + b"^FO1,1^GB10,10,1^FS" * 50)

    assert fake_zebra.jobs == [] and len(fake_zebra.partial_jobs) == 1


def test_serial_driver_runs_the_same_protocol_through_a_serial_url(fake_zebra):
    printer = serial_printer("ZD-S", f"socket://127.0.0.1:{fake_zebra.port}", io_timeout=1.0)

    assert printer.status().state is PrinterState.ready
    printer.send(LABEL)

    assert fake_zebra.jobs == [LABEL]


def test_a_printer_without_status_support_is_sent_blind(fake_zebra):
    fake_zebra.state.silent = True

    status = printer_at(fake_zebra, status_query=False).send(LABEL)

    assert status.state is PrinterState.unknown
    assert fake_zebra.wait_for_jobs(1)
    assert fake_zebra.jobs == [LABEL] and fake_zebra.status_queries == 0
