"""~HS and ~HQES replies, parsed from bytes as Zebra documents them."""

from __future__ import annotations

import pytest

from wms.devices.ports import PrinterState
from wms.devices.zebra import status as zs

PAPER_OUT_AND_HEAD_OPEN = (
    b"\x02030,1,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,1,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)


def test_host_status_reads_paper_out_from_string_one_and_head_up_from_field_o():
    hs = zs.parse_host_status(PAPER_OUT_AND_HEAD_OPEN)

    assert hs.paper_out and hs.head_up
    assert not hs.paused and not hs.ribbon_out and not hs.buffer_full


def test_the_unused_n_field_is_not_mistaken_for_head_up():
    reply = PAPER_OUT_AND_HEAD_OPEN.replace(b"001,0,1,0,0", b"001,1,0,0,0").replace(
        b"030,1,0", b"030,0,0")

    status = zs.to_printer_status(zs.parse_host_status(reply))

    assert status.state is PrinterState.ready


def test_head_open_outranks_paper_out_and_both_flags_are_kept():
    status = zs.to_printer_status(zs.parse_host_status(PAPER_OUT_AND_HEAD_OPEN))

    assert status.state is PrinterState.head_open
    assert status.flags == {"paper_out", "head_open"}


def test_labels_remaining_and_pause_are_read():
    reply = (b"\x02030,0,1,1218,002,0,0,0,000,0,0,0\x03\r\n"
             b"\x02001,0,0,0,1,2,6,0,00000007,1,000\x03\r\n\x021234,0\x03\r\n")

    status = zs.to_printer_status(zs.parse_host_status(reply))

    assert status.state is PrinterState.paused
    assert status.labels_remaining == 7


@pytest.mark.parametrize("raw", [b"", b"\x02030,1,0\x03\r\n", PAPER_OUT_AND_HEAD_OPEN[:40],
                                 PAPER_OUT_AND_HEAD_OPEN.replace(b"1218", b"12x8")])
def test_incomplete_or_garbled_host_status_is_refused(raw):
    with pytest.raises(ValueError):
        zs.parse_host_status(raw)


def test_extended_status_reports_several_errors_in_one_nibble():
    raw = (b"\x02\r\n  PRINTER STATUS\r\n    ERRORS:         1 00000000 00000005\r\n"
           b"    WARNINGS:       1 00000000 00000008\r\n\x03")

    ext = zs.parse_extended_status(raw)

    assert ext.errors == {"paper_out", "head_open"}
    assert ext.warnings == {"paper_near_end"}


def test_extended_status_hex_nibbles_above_nine_are_decoded():
    raw = b"\x02\r\n ERRORS: 1 00000000 0001000F\r\n WARNINGS: 0 00000000 00000000\r\n\x03"

    ext = zs.parse_extended_status(raw)

    assert ext.errors == {"paper_out", "ribbon_out", "head_open", "cutter_fault", "paused"}
    assert zs.extended_to_printer_status(ext).state is PrinterState.head_open
