"""Check digits: GS1 mod-10 (GTIN, SSCC) and the location label pair."""

from __future__ import annotations

import zlib


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for ``body`` (all digits, without the check digit)."""
    if not body.isdigit():
        raise ValueError(f"not all digits: {body!r}")
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def has_valid_gs1_check_digit(code: str) -> bool:
    return len(code) >= 2 and code.isdigit() and gs1_check_digit(code[:-1]) == code[-1]


def is_gtin(code: str) -> bool:
    """EAN-8, UPC-A (12), EAN-13 or GTIN-14 with a valid check digit."""
    return len(code) in (8, 12, 13, 14) and has_valid_gs1_check_digit(code)


def gtin14(code: str) -> str:
    """Any GTIN padded to 14 digits, the form GS1 AI (01) carries."""
    return code.zfill(14)


def make_sscc(extension: int, company_prefix: str, serial: int) -> str:
    """SSCC-18: extension digit + company prefix + serial reference + check digit."""
    ref_len = 16 - len(company_prefix)
    if not company_prefix.isdigit() or not 6 <= len(company_prefix) <= 12:
        raise ValueError("GS1 company prefix must be 6 to 12 digits")
    if not 0 <= extension <= 9 or serial >= 10**ref_len or serial < 0:
        raise ValueError("extension or serial out of range")
    body = f"{extension}{company_prefix}{serial:0{ref_len}d}"
    return body + gs1_check_digit(body)


def is_sscc(code: str) -> bool:
    return len(code) == 18 and has_valid_gs1_check_digit(code)


def location_check_digits(code: str) -> str:
    """Two digits printed on a location's label, stable for its code.

    An operator standing at the wrong location cannot confirm by guessing
    (1 in 100), and a label reprinted from the code carries the same pair.
    """
    return f"{zlib.crc32(code.encode('utf-8')) % 100:02d}"
