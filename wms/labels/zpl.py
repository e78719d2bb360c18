"""ZPL building blocks: field escaping, dots from millimetres, barcode fields.

Every field that carries data goes through one of these functions, so no
template ever writes raw user data into a format. The rules they encode
were checked against Zebra's ZPL guide and with zplkit + zxing-cpp:

- text and plain barcodes use ``^FH`` with ``_`` as the hex escape, so
  ``^``, ``~`` and ``_`` in the data cannot break the format;
- Code 128 treats ``>`` as an invocation character (subset switches), so
  plain Code 128 data refuses it instead of printing a different code;
- GS1 data never goes through ``^FH`` (its ``_`` would clash with the
  DataMatrix FNC1 escape); the GS1 character set has no ``^`` or ``~``,
  and we additionally refuse ``( ) _ >`` which mode D / ``^BX`` interpret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wms.errors import WmsError

#: Zebra heads are 8, 12 or 24 dots per millimetre (203, 300, 600 dpi).
DOTS_PER_MM = {203: 8, 300: 12, 600: 24}


class LabelDataError(WmsError):
    """Data that cannot be printed faithfully on a label."""

    code = "label_data_invalid"
    http_status = 422
    title = "Label data cannot be printed"


def dots_per_mm(dpi: int) -> int:
    try:
        return DOTS_PER_MM[dpi]
    except KeyError:
        raise LabelDataError(f"unsupported resolution {dpi} dpi", dpi=dpi) from None


def dots(mm: float, dpi: int) -> int:
    """Millimetres to printer dots at this resolution."""
    return round(mm * dots_per_mm(dpi))


def fh(value: object) -> str:
    """Escape field data for ``^FH`` (escape character ``_``).

    ``^`` and ``~`` would start a command, ``_`` is the escape itself and
    control characters have no business in a field.
    """
    out = []
    for ch in str(value):
        if ch in "^~_" or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"_{ord(ch):02X}")
        else:
            out.append(ch)
    return "".join(out)


def is_plain_ascii(value: str) -> bool:
    return all(0x20 <= ord(ch) < 0x7F for ch in value)


# ---------------------------------------------------------------- GS1 ----

#: Data length of the fixed-length application identifiers we print.
_FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "13": 6, "15": 6, "17": 6, "20": 2}
#: Maximum length of the variable-length ones (all need FNC1 after them).
_VARIABLE = {"10": 20, "21": 20, "30": 8, "37": 8, "400": 30, "420": 20}
_MEASURE = re.compile(r"^3[1-6]\d\d$")  # 310n, 330n ...: 6 digits, fixed
_NUMERIC = {"00", "01", "02", "11", "13", "15", "17", "20", "30", "37"}
#: GS1 AI encodable set 82 without the characters printers interpret.
_GS1_VALUE = re.compile(r"^[!\"%&'*+,\-./0-9:;<=?A-Za-z]+$")


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10 check digit: weights 3,1,3,... from the rightmost digit."""
    if not body.isdigit():
        raise LabelDataError(f"{body!r} is not numeric")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def with_check_digit(body: str) -> str:
    return body + gs1_check_digit(body)


def has_valid_check_digit(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and gs1_check_digit(number[:-1]) == number[-1]


def make_sscc(extension: int, company_prefix: str, serial_ref: int) -> str:
    """SSCC-18: extension digit + company prefix + serial reference + check digit."""
    ref_len = 16 - len(company_prefix)
    if not (0 <= extension <= 9 and company_prefix.isdigit() and 6 <= len(company_prefix) <= 12):
        raise LabelDataError("bad SSCC extension or GS1 company prefix")
    if not 0 <= serial_ref < 10**ref_len:
        raise LabelDataError(f"serial reference {serial_ref} does not fit {ref_len} digits")
    return with_check_digit(f"{extension}{company_prefix}{serial_ref:0{ref_len}d}")


def _fixed_length(ai: str) -> int | None:
    if ai in _FIXED:
        return _FIXED[ai]
    return 6 if _MEASURE.match(ai) else None


def check_gs1_element(ai: str, value: str) -> None:
    """Refuse an element a scanner would read back differently."""
    fixed = _fixed_length(ai)
    if fixed is None and ai not in _VARIABLE:
        raise LabelDataError(f"application identifier ({ai}) is not supported", ai=ai)
    if fixed is not None and len(value) != fixed:
        raise LabelDataError(f"({ai}) needs {fixed} digits, got {value!r}", ai=ai)
    if fixed is None and not 0 < len(value) <= _VARIABLE[ai]:
        raise LabelDataError(f"({ai}) is 1..{_VARIABLE[ai]} characters, got {value!r}", ai=ai)
    numeric = ai in _NUMERIC or fixed is not None
    if numeric and not value.isdigit():
        raise LabelDataError(f"({ai}) must be digits, got {value!r}", ai=ai)
    if not numeric and not _GS1_VALUE.match(value):
        raise LabelDataError(f"({ai}) has characters a GS1 barcode cannot carry: {value!r}", ai=ai)
    if ai in {"00", "01", "02"} and not has_valid_check_digit(value):
        raise LabelDataError(f"({ai}) {value} has a wrong check digit", ai=ai)


Elements = Sequence[tuple[str, str]]


def gs1_hri(elements: Elements) -> str:
    """Human-readable interpretation: ``(01)09501101530003(10)LOT42``."""
    for ai, value in elements:
        check_gs1_element(ai, value)
    return "".join(f"({ai}){value}" for ai, value in elements)


def _gs1_fnc1_string(elements: Elements, fnc1: str) -> str:
    """Leading FNC1, then an FNC1 after every variable-length field but the last."""
    parts = [fnc1]
    for index, (ai, value) in enumerate(elements):
        check_gs1_element(ai, value)
        parts.append(ai + value)
        last = index == len(elements) - 1
        if _fixed_length(ai) is None and not last:
            parts.append(fnc1)
    return "".join(parts)


# ----------------------------------------------------------- barcodes ----


def code128(value: str, *, height: int, hri: bool = True) -> str:
    """A plain Code 128 field (``^BC`` mode N), data escaped with ``^FH``."""
    if not value or not is_plain_ascii(value) or ">" in value:
        raise LabelDataError(f"Code 128 cannot carry {value!r}", value=value)
    return f"^BCN,{height},{'Y' if hri else 'N'},N,N^FH^FD{fh(value)}^FS"


def gs1_128(elements: Elements, *, height: int) -> str:
    """GS1-128 through ``^BC`` mode D: the printer adds FNC1 and the (AI) HRI."""
    return f"^BCN,{height},Y,N,N,D^FD{gs1_hri(elements)}^FS"


def qr(value: str, *, magnification: int) -> str:
    """QR code, model 2, error correction Q; ``QA,`` keeps the first characters."""
    if not value:
        raise LabelDataError("QR code needs data")
    return f"^BQN,2,{magnification}^FH^FDQA,{fh(value)}^FS"


def gs1_datamatrix(elements: Elements, *, module: int) -> str:
    """GS1 DataMatrix: ``_1`` is FNC1 because the escape character is set to ``_``."""
    return f"^BXN,{module},200,,,,_^FD{_gs1_fnc1_string(elements, '_1')}^FS"
