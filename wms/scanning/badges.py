"""Badges: a badge barcode is a credential, so only its digest is stored and compared."""

from __future__ import annotations

import hashlib


def badge_digest(badge: str) -> str:
    """SHA-256 of the scanned badge, so badges can be looked up but never read back.

    Surrounding whitespace is ignored: wedges add Enter or Tab.
    """
    return hashlib.sha256(("badge:" + badge.strip()).encode()).hexdigest()
