"""What the inbound flows read from a scan or keyed text: numbers, dates, and their refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from wms.errors import WmsError


class OrderNotFound(WmsError):
    code = "purchase_order_not_found"
    http_status = 422


class ExpectedItem(WmsError):
    code = "expected_item"
    http_status = 422


class ExpectedNumber(WmsError):
    code = "expected_number"
    http_status = 422


class ExpectedContainer(WmsError):
    code = "expected_container"
    http_status = 422


class ContainerInUse(WmsError):
    code = "container_in_use"
    http_status = 422


class InvalidDate(WmsError):
    code = "invalid_date"
    http_status = 422


def parse_number(text: str) -> Decimal:
    """A keyed quantity; a comma counts as the decimal point."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ExpectedNumber(scanned=text) from None
    if not value.is_finite():
        raise ExpectedNumber(scanned=text)
    return value


def parse_date(text: str) -> date:
    """2026-06-30, 20260630 or GS1's 260630."""
    digits = text.replace("-", "").replace("/", "").replace(".", "")
    try:
        if len(digits) == 6:
            return date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
        if len(digits) == 8:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        pass
    raise InvalidDate(scanned=text)
