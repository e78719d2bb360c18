"""Command barcodes: printed cards an operator scans instead of pressing a button.

The one place the set is defined: flows match on ``Command``, label
templates print ``command.barcode``, and the resolver reads them back.
"""

from __future__ import annotations

import enum

COMMAND_PREFIX = "CMD:"


class Command(enum.StrEnum):
    back = "BACK"
    skip = "SKIP"
    short = "SHORT"
    done = "DONE"
    print = "PRINT"
    cancel = "CANCEL"
    exception = "EXCEPTION"
    logout = "LOGOUT"

    @property
    def barcode(self) -> str:
        """What the command card encodes, e.g. ``CMD:SHORT`` (Code 128)."""
        return COMMAND_PREFIX + self.value


def parse_command(text: str) -> Command | None:
    """The command a scanned text names; ``None`` if it is not one we know.

    Case-insensitive, because a wedge with Caps Lock on types ``cmd:short``.
    """
    if not text.upper().startswith(COMMAND_PREFIX):
        return None
    name = text[len(COMMAND_PREFIX) :].strip().upper()
    try:
        return Command(name)
    except ValueError:
        return None


def is_command(text: str) -> bool:
    return text.upper().startswith(COMMAND_PREFIX)
