"""Pure parsers for Zebra ``~HS`` and ``~HQES`` replies (bytes in, flags out).

Field positions follow Zebra's ZPL guide ("~HS Host Status Return"); note
string 2 has an unused field ``n`` right after the function settings, which
several published parsers skip, reading head-up from the wrong field:

    string 1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l
              comm, PAPER OUT, PAUSE, label length, formats in buffer,
              BUFFER FULL, comm diag, partial format, unused, corrupt RAM,
              under temp, over temp
    string 2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www
              function settings, unused, HEAD UP, RIBBON OUT, thermal transfer,
              print mode, print width mode, label waiting, labels remaining,
              format while printing, graphics stored
    string 3: xxxx,y  password, static RAM
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wms.devices.ports import PrinterState, PrinterStatus

STX, ETX = b"\x02", b"\x03"
_FRAME = re.compile(rb"\x02([^\x02\x03]*)\x03")


@dataclass(frozen=True)
class HostStatus:
    paper_out: bool
    paused: bool
    label_length: int
    formats_in_buffer: int
    buffer_full: bool
    partial_format: bool
    corrupt_ram: bool
    under_temperature: bool
    over_temperature: bool
    head_up: bool
    ribbon_out: bool
    thermal_transfer: bool
    print_mode: int
    label_waiting: bool
    labels_remaining: int


def frames(raw: bytes) -> list[bytes]:
    """The STX...ETX frames in a reply, ignoring anything between them."""
    return [m.group(1) for m in _FRAME.finditer(raw)]


def _fields(frame: bytes, count: int, which: str) -> list[str]:
    parts = frame.decode("ascii", "replace").strip().split(",")
    if len(parts) != count or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"~HS {which} malformed: {frame!r}")
    return [p.strip() for p in parts]


def parse_host_status(raw: bytes) -> HostStatus:
    """Parse the three ``~HS`` frames; ValueError if they are incomplete or garbled."""
    found = frames(raw)
    if len(found) < 3:
        raise ValueError(f"~HS reply incomplete: {len(found)} of 3 frames")
    one = _fields(found[0], 12, "string 1")
    two = _fields(found[1], 11, "string 2")
    return HostStatus(
        paper_out=one[1] == "1",
        paused=one[2] == "1",
        label_length=int(one[3]),
        formats_in_buffer=int(one[4]),
        buffer_full=one[5] == "1",
        partial_format=one[7] == "1",
        corrupt_ram=one[9] == "1",
        under_temperature=one[10] == "1",
        over_temperature=one[11] == "1",
        head_up=two[2] == "1",
        ribbon_out=two[3] == "1",
        thermal_transfer=two[4] == "1",
        print_mode=int(two[5]),
        label_waiting=two[7] == "1",
        labels_remaining=int(two[8]),
    )


#: Most urgent first: a supervisor sees the state an operator must fix first.
_PRIORITY = (
    ("head_open", PrinterState.head_open),
    ("paper_out", PrinterState.paper_out),
    ("ribbon_out", PrinterState.ribbon_out),
    ("corrupt_ram", PrinterState.error),
    ("over_temperature", PrinterState.error),
    ("under_temperature", PrinterState.error),
    ("paused", PrinterState.paused),
    ("buffer_full", PrinterState.buffer_full),
)


def state_of(flags: frozenset[str]) -> PrinterState:
    for flag, state in _PRIORITY:
        if flag in flags:
            return state
    return PrinterState.ready


def to_printer_status(hs: HostStatus) -> PrinterStatus:
    flags = {
        name
        for name, on in (
            ("paper_out", hs.paper_out),
            ("paused", hs.paused),
            ("buffer_full", hs.buffer_full),
            ("partial_format", hs.partial_format),
            ("corrupt_ram", hs.corrupt_ram),
            ("under_temperature", hs.under_temperature),
            ("over_temperature", hs.over_temperature),
            ("head_open", hs.head_up),
            ("ribbon_out", hs.ribbon_out),
        )
        if on
    }
    frozen = frozenset(flags)
    return PrinterStatus(
        state=state_of(frozen),
        flags=frozen,
        detail=", ".join(sorted(frozen)),
        labels_remaining=hs.labels_remaining,
    )


# ---------------------------------------------------------------- ~HQES ----

#: (nibble index from the right, bit) -> flag, for the lowest 32-bit group.
ERROR_BITS = {
    (1, 1): "paper_out", (1, 2): "ribbon_out", (1, 4): "head_open", (1, 8): "cutter_fault",
    (2, 1): "printhead_over_temperature", (2, 2): "motor_over_temperature",
    (2, 4): "bad_printhead_element", (2, 8): "printhead_detection_error",
    (3, 1): "invalid_firmware_config", (3, 2): "printhead_thermistor_open",
    (5, 1): "paused", (5, 2): "retract_timeout", (5, 4): "black_mark_calibrate_error",
    (5, 8): "black_mark_not_found",
}
WARNING_BITS = {
    (1, 1): "calibrate_media", (1, 2): "clean_printhead",
    (1, 4): "replace_printhead", (1, 8): "paper_near_end",
}
_HQES_LINE = re.compile(rb"(ERRORS|WARNINGS):\s*([01])\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class ExtendedStatus:
    errors: frozenset[str]
    warnings: frozenset[str]


def _decode_group(hex_lo: bytes, table: dict[tuple[int, int], str]) -> set[str]:
    value = int(hex_lo, 16)
    found = set()
    for (nibble, bit), name in table.items():
        if (value >> (4 * (nibble - 1))) & bit:
            found.add(name)
    unknown = value & ~sum(bit << (4 * (nib - 1)) for nib, bit in table)
    if unknown:
        found.add(f"other_0x{unknown:08X}")
    return found


def parse_extended_status(raw: bytes) -> ExtendedStatus:
    """Parse ``~HQES``: several flags may be set in one nibble at once."""
    lines = {m.group(1): m for m in _HQES_LINE.finditer(raw)}
    if b"ERRORS" not in lines:
        raise ValueError(f"~HQES reply malformed: {raw[:80]!r}")
    errors = _decode_group(lines[b"ERRORS"].group(4), ERROR_BITS)
    warnings = set()
    if b"WARNINGS" in lines:
        warnings = _decode_group(lines[b"WARNINGS"].group(4), WARNING_BITS)
    return ExtendedStatus(frozenset(errors), frozenset(warnings))


def extended_to_printer_status(ext: ExtendedStatus) -> PrinterStatus:
    flags = set(ext.errors)
    if flags & {"printhead_over_temperature", "motor_over_temperature"}:
        flags.add("over_temperature")
    state = state_of(frozenset(flags))
    if state is PrinterState.ready and ext.errors:
        state = PrinterState.error
    detail = ", ".join(sorted(ext.errors | ext.warnings))
    return PrinterStatus(state=state, flags=frozenset(flags | ext.warnings), detail=detail)
