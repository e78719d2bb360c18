"""Opaque page cursors: the position after the last row a client has seen."""

from __future__ import annotations

import base64
import binascii

from wms.errors import FieldError, ValidationFailed


def encode(*position: int) -> str:
    text = ".".join(str(p) for p in position)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str | None, parts: int = 1) -> tuple[int, ...] | None:
    """The position in ``cursor``; a cursor this API did not make is a 422."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        position = tuple(int(p) for p in text.split("."))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        position = ()
    if len(position) != parts or any(p < 0 or p >= 2**63 for p in position):
        raise ValidationFailed(
            [FieldError("cursor", "not a cursor from this API; omit it to start")]
        )
    return position
